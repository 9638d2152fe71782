"""The kiosk's plain-Python core: session, navigation, theme, i18n, configuration.

Testable without a window: never imports Kivy or `screens/`.
"""
