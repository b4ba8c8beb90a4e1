"""An address's first line as it is compared: two burglaries are at the same address when their
postcodes are equal (both stored normalised) and their first lines have the same key.

The key is stored beside the first line (``address_line_key`` on visits and reports, set by
``server.feed`` whenever the line is written, through ``SyncedRecord.derived_columns``) so
that finding earlier burglaries at an address is an indexed lookup of (postcode, key), rather
than reading every burglary at a postcode - a block of flats or a long street shares one.
"""

from __future__ import annotations

import re
from typing import Any

_WORDS = {
    "rd": "road",
    "st": "street",
    "ave": "avenue",
    "av": "avenue",
    "cres": "crescent",
    "dr": "drive",
    "ln": "lane",
    "cl": "close",
    "ct": "court",
    "pl": "place",
    "gdns": "gardens",
    "sq": "square",
    "tce": "terrace",
}
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def line_key(line1: str | None) -> str:
    """A first line as compared: lower case, words only, abbreviations spelt out."""
    words = _NOT_WORD.sub(" ", (line1 or "").lower()).split()
    return " ".join(_WORDS.get(word, word) for word in words)


def line_key_column(columns: dict[str, Any]) -> dict[str, Any]:
    """The stored key for a write that sets ``address_line1`` (none for one that does not)."""
    if "address_line1" not in columns:
        return {}
    return {"address_line_key": line_key(columns["address_line1"]) or None}
