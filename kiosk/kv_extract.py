"""Babel extraction method for Kivy ``.kv`` files: finds ``tr('...')`` / ``tr("...")``.

Used by ``babel.cfg`` (``pybabel extract -F babel.cfg``) and by the catalogue tests.
"""

from __future__ import annotations

import ast
import re
from typing import IO, Iterator

_CALL = re.compile(r"""\btr\(\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*\)""")


def extract_kv(fileobj: IO[bytes], keywords, comment_tags, options
               ) -> Iterator[tuple[int, str, str, list[str]]]:
    for lineno, raw in enumerate(fileobj, start=1):
        line = raw.decode("utf-8")
        for match in _CALL.finditer(line):
            yield lineno, "tr", ast.literal_eval(match.group(1)), []
