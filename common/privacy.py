"""Masking of personal data: the one place every layer uses.

Screens show masked values, and the technician log passes every line through `redact`,
so a mistake elsewhere cannot write a full ID number or phone number to disk.
"""

from __future__ import annotations

import logging
import re

# 18-character resident ID (17 digits + digit or X) and 15-digit first-generation IDs, not
# part of a longer number; mainland mobile numbers (11 digits starting 1[3-9]).
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])|"
                    r"(?<![0-9A-Za-z])(\d{6})(\d{6})(\d{3})(?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_id_number(value: str) -> str:
    """``310101199001011234`` -> ``3101**********1234``: first four and last four kept."""
    v = value.strip()
    if len(v) <= 8:
        return "*" * len(v)
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


def mask_name(value: str) -> str:
    """``张三`` -> ``张*``, ``张小三`` -> ``张*三``, ``欧阳小明`` -> ``欧**明``.

    Latin names keep their first letter: ``Li Lei`` -> ``L*****``. A name already
    masked (``王*英``) is returned as it is.
    """
    v = value.strip()
    if len(v) <= 1:
        return "*" * len(v)
    if "*" in v[1:]:  # already masked (the platform sends 王*英): mask once, not twice
        return v
    if not all(_is_cjk(ch) for ch in v):
        return v[0] + "*" * (len(v) - 1)
    if len(v) == 2:
        return v[0] + "*"
    return v[0] + "*" * (len(v) - 2) + v[-1]


def mask_phone(value: str) -> str:
    """``13812345678`` -> ``138****5678``."""
    v = value.strip()
    if len(v) < 7:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def redact(text: str) -> str:
    """Mask every ID number and mobile number found inside free text."""
    text = _ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ch == "·"


class RedactingFilter(logging.Filter):
    """Logging filter that renders a record's message once and redacts it.

    Attached to every technician-log handler, whatever layer the record comes from.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        return True
