"""Application attachments: decoded, checked as JPEG, stored beside the application.

The application's stored payload keeps only each attachment's material, size and hash;
the bytes live in their own table.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import sqlite3
from typing import Any

from .errors import ApiError

MAX_BYTES = 512_000
JPEG_START, JPEG_END = b"\xff\xd8", b"\xff\xd9"


def decode(attachments: list[Any]) -> list[tuple[str, str, bytes]]:
    """(material, content type, bytes) for each; raises ApiError 422 on a bad one."""
    decoded = []
    for i, a in enumerate(attachments):
        try:
            data = base64.b64decode(a.data_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "attachment_invalid", "照片没有传完整，请重新拍摄。",
                           f"attachments[{i}] ({a.material}): not base64") from None
        if len(data) > MAX_BYTES or not (data.startswith(JPEG_START)
                                         and data.rstrip(b"\0").endswith(JPEG_END)):
            raise ApiError(422, "attachment_invalid", "照片没有传完整，请重新拍摄。",
                           f"attachments[{i}] ({a.material}): not a JPEG of at most "
                           f"{MAX_BYTES} bytes ({len(data)} bytes)")
        decoded.append((a.material, a.content_type, data))
    return decoded


def summary(decoded: list[tuple[str, str, bytes]]) -> list[dict[str, Any]]:
    return [{"material": material, "size": len(data),
             "sha256": hashlib.sha256(data).hexdigest()} for material, _ct, data in decoded]


def save(c: sqlite3.Connection, application_id: str,
         decoded: list[tuple[str, str, bytes]]) -> None:
    for (material, content_type, data), info in zip(decoded, summary(decoded)):
        c.execute("INSERT INTO application_attachments(application_id, material, content_type, "
                  "size, sha256, data) VALUES (?, ?, ?, ?, ?, ?)",
                  (application_id, material, content_type, info["size"], info["sha256"], data))


def received(rows: list[Any]) -> list[dict[str, Any]]:
    return [{"material": r["material"], "size": r["size"], "sha256": r["sha256"]} for r in rows]
