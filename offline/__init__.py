"""Local SQLite store: catalogue cache, sync, encrypted outbox, migrations.

Never imports Kivy, `screens/`, `kiosk/` or `hardware/` (only `common/`);
tests/test_boundaries.py enforces it.
"""
