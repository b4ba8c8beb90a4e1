"""Keyset paging cursors: where the last page ended, as an opaque string a client sends back.

A cursor is base64url (no padding) of a small JSON object holding the last row's sort time and
id; anything that does not decode is 400 ``bad_cursor`` (the client starts from the first
page). It is not a secret and grants nothing: the caller's scope applies to every page.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime

from server.errors import BadRequest


def encode_keyset(at: datetime, row_id: uuid.UUID) -> str:
    """The cursor after the row sorted at ``at`` with id ``row_id``."""
    raw = json.dumps({"t": at.isoformat(), "i": str(row_id)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def decode_keyset(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (time, id) a cursor holds, or 400 ``bad_cursor``."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(data["t"]), uuid.UUID(data["i"])
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise BadRequest(
            "That page cursor is not valid; start again from the first page.",
            code="bad_cursor",
            details={"field": "cursor"},
        ) from exc
