"""Leaf modules shared by every layer: the error hierarchy, personal-data masking and
Chinese line breaking.

Imports nothing from the project, Kivy or devices, so `hardware/` and `offline/` may use it
without reaching into the core or the GUI.
"""
