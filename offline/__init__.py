"""Local SQLite store: catalogue cache, sync, encrypted outbox, migrations.

Never imports Kivy, `screens/`, `kiosk/` or `hardware/` (only `common/`);
tests/test_boundaries.py enforces it.
Catalogue: db.py, migrations.py, catalogue.py, search_index.py, pinyin_names.py.
"""
