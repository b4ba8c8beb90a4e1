"""Every name in a photo store, made here and only here, and checked before use.

Names are made from a SHA-256, an upload id, an offset or a random token, never from anything a
client sent, and every key is checked against ``_KEY`` before a backend touches it:

- ``originals/<sha[:2]>/<sha>``: verified originals, content-addressed, byte-exact;
- ``derived/<sha[:2]>/<sha>/<kind>-<size>.jpg``: display copies and thumbnails;
- ``uploads/<upload id>/<offset>-<token>``: the chunks of an upload in progress;
- ``tmp/...`` (filesystem only): a file being assembled.
"""

from __future__ import annotations

import re

_KEY = re.compile(r"^(originals|derived|uploads|tmp)(/[a-z0-9][a-z0-9.\-]*)+$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_TOKEN = re.compile(r"^[0-9a-f]{8,32}$")


def original_key(sha256: str) -> str:
    """The content-addressed key of a verified original."""
    if not _HEX64.match(sha256):
        raise ValueError("not a SHA-256 in lower-case hex")
    return f"originals/{sha256[:2]}/{sha256}"


def derivative_key(sha256: str, kind: str, size: int) -> str:
    """The key of a derivative (``display`` or ``thumb``) of the original with this hash."""
    if kind not in {"display", "thumb"}:
        raise ValueError("unknown derivative kind")
    return f"derived/{sha256[:2]}/{sha256}/{kind}-{int(size)}.jpg"


def part_name(offset: int, token: str) -> str:
    """The name of a chunk stored at ``offset`` by the PATCH holding ``token``."""
    if not _TOKEN.match(token):
        raise ValueError("bad token")
    return f"{int(offset):012d}-{token}"


def upload_prefix(upload_id: str) -> str:
    """Where the chunks of one upload live (``uploads/<upload id>``)."""
    return f"uploads/{upload_id.lower()}"


def checked_key(key: str) -> str:
    """Refuse any key not of the shapes this module makes (no ``..``, no client text)."""
    if not _KEY.match(key):
        raise ValueError("refused store key")
    return key
