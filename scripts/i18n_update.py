"""Developer tool: extract messages, merge them into zh_CN, fill translations, compile.

    .venv/bin/python scripts/i18n_update.py [translations.json ...]

Runs pybabel extract/update, then sets each msgid found in the JSON files (an object of
msgid -> Chinese) in kiosk/locale/zh_CN/LC_MESSAGES/kiosk.po, drops obsolete entries,
compiles kiosk.mo, and lists every message still untranslated (exit 1 if any).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "kiosk/locale/zh_CN/LC_MESSAGES/kiosk.po"
POT = ROOT / "kiosk/locale/kiosk.pot"
BABEL = [sys.executable, "-m", "babel.messages.frontend"]


def main(argv: list[str]) -> int:
    subprocess.run([*BABEL, "extract", "-F", "babel.cfg", "-k", "tr", "-k", "N_",
                    "--no-location", "--sort-output", "-o", str(POT), "kiosk", "screens",
                    "run_kiosk.py"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*BABEL, "update", "-i", str(POT), "-d", "kiosk/locale", "-D", "kiosk",
                    "--ignore-obsolete"], cwd=ROOT, check=True, capture_output=True)
    with open(PO, "rb") as f:
        catalog = read_po(f)
    for name in argv:
        for msgid, text in json.loads(Path(name).read_text(encoding="utf-8")).items():
            if msgid in catalog:
                message = catalog[msgid]
                message.string = text
                message.flags.discard("fuzzy")
    with open(PO, "wb") as f:
        write_po(f, catalog, width=76, ignore_obsolete=True)
    with open(PO.with_suffix(".mo"), "wb") as f:
        write_mo(f, catalog)
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
