"""Opaque pull cursors: base64url of a small versioned JSON object.

The cursor names the highest change version the client has received. It is
opaque so the server can add fields later (e.g. a scope fingerprint) without a
client change; it is not a secret and never grants access: scope is checked on
every pull.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

from .canonical import MAX_SAFE_INTEGER, canonical_json
from .errors import SyncError

CURSOR_FORMAT = 1
MAX_CURSOR_LENGTH = 512
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]+\Z")


@dataclass(frozen=True)
class Cursor:
    """Decoded cursor: last delivered change version and optional scope tag."""

    version: int
    scope: str | None = None


def encode_cursor(version: int, scope: str | None = None) -> str:
    """Encode a change version (and optional scope tag) as an opaque string."""
    if (
        not isinstance(version, int)
        or isinstance(version, bool)
        or not 0 <= version <= MAX_SAFE_INTEGER
    ):
        raise ValueError(f"version must be an int from 0 to 2^53-1, got {version!r}")
    body: dict[str, object] = {"v": CURSOR_FORMAT, "n": version}
    if scope is not None:
        body["s"] = scope
    raw = canonical_json(body).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _bad(reason: str) -> SyncError:
    # One code for every failure: the client's only remedy is the same
    # (drop the cursor and pull again from null).
    return SyncError(
        "bad_cursor",
        f"cursor is not valid ({reason}); pull again with cursor null",
        {"field": "cursor", "reason": reason},
    )


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def parse_cursor(s: object) -> Cursor:
    """Decode a cursor string fully or raise `bad_cursor`."""
    if not isinstance(s, str):
        raise _bad("not a string")
    if not s or len(s) > MAX_CURSOR_LENGTH or not _B64URL_RE.match(s):
        raise _bad("not base64url")
    if len(s) % 4 == 1:
        raise _bad("not base64url")
    try:
        raw = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    except (binascii.Error, ValueError):
        raise _bad("not base64url") from None
    # Re-encoding must give the same text: this refuses non-canonical spellings
    # (stray trailing bits) so one position has exactly one cursor.
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != s:
        raise _bad("not canonical base64url")
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError):
        raise _bad("not JSON") from None
    if not isinstance(body, dict):
        raise _bad("not an object")
    if body.get("v") != CURSOR_FORMAT or isinstance(body.get("v"), bool):
        raise _bad("unknown cursor format")
    version = body.get("n")
    if (
        isinstance(version, bool)
        or not isinstance(version, int)
        or not 0 <= version <= MAX_SAFE_INTEGER
    ):
        raise _bad("bad position")
    scope = body.get("s")
    if scope is not None and not isinstance(scope, str):
        raise _bad("bad scope")
    # Other keys are ignored so format 1 can grow optional fields.
    return Cursor(version, scope)


def decode_cursor(s: object) -> int:
    """Return the change version a cursor names, or raise `bad_cursor`."""
    return parse_cursor(s).version
