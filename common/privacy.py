"""Masking of personal data: the one place every layer uses.

Screens show masked values, and the technician log passes every line through `redact`,
so a mistake elsewhere cannot write a full ID number or phone number to disk. What leaves
the terminal (`kiosk-admin export-logs`) passes the stricter `redact_strict` as well:
credentials, names after labels, mobile numbers in other spellings, base64 blobs.
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


# --- the stricter filter for anything that leaves the terminal (kiosk-admin export-logs) --

# A mobile number written with +86 / 0086 / 86 in front, or in 3-4-4 groups.
_PHONE_LOOSE_RE = re.compile(r"(?<![0-9A-Za-z])(?:(?:\+|00)?86[ -]?)?"
                             r"(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![0-9A-Za-z])")
# A name after a label. After a label that always names a person (姓名：张三,
# "applicant_name": "Li Lei") the whole CJK run or quoted Latin text is the name; after an
# ambiguous one (居民, name: also a terminal's or a device's name) only a CJK word of 2-4
# characters standing alone is taken for a person's name.
_CJK = r"[\u3400-\u9fff\uf900-\ufaff·*]"
_PERSON_LABELS = ("姓名", "申请人", "联系人", "收件人", "代办员", "户主", "持证人", "applicant",
                  "applicant_name", "resident_name", "agent_name", "full_name")
_AMBIGUOUS_LABELS = ("居民", "name")
_LABEL_GAP = r"(\s*[\"']?\s*[:：=]\s*[\"']?\s*|\s+)"


def _labels(labels: tuple[str, ...]) -> str:
    return "(?<![A-Za-z_])(" + "|".join(sorted(map(re.escape, labels), key=len,
                                               reverse=True)) + ")"


_PERSON_NAME_RE = re.compile(_labels(_PERSON_LABELS) + _LABEL_GAP + rf"({_CJK}{{2,12}}|"
                             r"(?<=[\"'])[A-Za-z][A-Za-z .'-]{0,40}(?=[\"']))")
_AMBIGUOUS_NAME_RE = re.compile(_labels(_AMBIGUOUS_LABELS) + _LABEL_GAP
                                + rf"({_CJK}{{2,4}})(?!{_CJK})")
# A credential after its label (token=..., "pin_hash": "...", Authorization: Bearer ...).
_SECRET_RE = re.compile(
    r"(?i)(\bbearer\s+|(?<![A-Za-z])[A-Za-z_]*(?:token|secret|password|passwd|pin_hash|"
    r"api_key|apikey|pin)[\"']?\s*[:=]\s*[\"']?)([^\s\"',;&)}\]]+)")
# A base64 / base64url blob: 40+ characters mixing upper, lower case and digits (a key, a
# photo, a hash). UUIDs (36), hex digests (no upper case) and paths are not blobs.
_BLOB_RE = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{40,}={0,2}(?![A-Za-z0-9+/_=-])")
REDACTED = "<redacted>"


def mask_labelled_names(text: str) -> str:
    """Mask the name after a label that announces one (``姓名：张小三`` -> ``姓名：张*三``,
    ``"applicant_name": "Li Lei"`` -> ``"applicant_name": "L*****"``)."""
    def masked(m: re.Match[str]) -> str:
        return m[1] + m[2] + mask_name(m[3])
    return _AMBIGUOUS_NAME_RE.sub(masked, _PERSON_NAME_RE.sub(masked, text))


def mask_secrets(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """Replace credentials with ``<redacted>``: the given ``secrets`` wherever they appear
    (e.g. this terminal's platform token), a ``Bearer`` value, and the value after any
    ``...token`` / ``secret`` / ``password`` / ``pin_hash`` / ``pin`` label."""
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    # A placeholder (<redacted>, <set>, <hidden>) says nothing secret: keep it.
    return _SECRET_RE.sub(lambda m: m[1] + (m[2] if re.fullmatch(r"<\w+>", m[2])
                                            else REDACTED), text)


def mask_blobs(text: str) -> str:
    """Replace base64-like blobs of 40+ characters with ``<blob N chars>``."""
    def blob(m: re.Match[str]) -> str:
        v = m[0]
        if not (re.search(r"[A-Z]", v) and re.search(r"[a-z]", v) and re.search(r"\d", v)):
            return v
        return f"<blob {len(v)} chars>"
    return _BLOB_RE.sub(blob, text)


def redact_strict(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """`redact` plus everything else that must not leave the terminal: credentials (and
    the literal ``secrets`` given), names after known labels, mobile numbers written with
    +86 or in groups, and base64 blobs. Used on every line of an exported log bundle;
    stricter (and slower) than the technician log's own `redact`. Raises nothing."""
    text = mask_secrets(text, secrets)
    text = redact(text)
    text = _PHONE_LOOSE_RE.sub(lambda m: mask_phone(m[1] + m[2] + m[3]), text)
    text = mask_labelled_names(text)
    return mask_blobs(text)


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
