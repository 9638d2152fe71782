"""Kivy screens and their .kv rules. Thin: they show state held by `kiosk/` services and
forward taps to them; no device, database or network calls here."""
