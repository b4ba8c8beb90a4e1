"""What an audit row says, and the hash that chains it to the row before.

Rows are hashed over a canonical JSON of their content plus the previous row's hash, so
changing, removing or reordering a row changes every hash after it.

Two schemes, told apart by the row's ``key_id``:

- ``""``: unkeyed SHA-256, as rows were written before keyed hashing. Only verified, never
  written: such rows are accepted only as the oldest part of the chain, before the first keyed
  row, whose HMAC covers the last of them (``server/audit/verify.py``).
- a key id: HMAC-SHA256 under that key (``server/audit/keys.py``). The key id is part of the
  hashed content, so a row cannot be relabelled to another key or scheme.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring

from server.audit.keys import CHAIN, AuditKey
from server.audit.models import AuditAction, AuditEvent


@dataclass(frozen=True)
class AuditEntry:
    """What to record: who did what to which record, and why."""

    action: AuditAction
    actor_id: uuid.UUID | None = None
    device_id: uuid.UUID | None = None
    record_type: str = ""
    record_id: str = ""
    reason: str = ""
    recipient: str = ""
    request_id: str = ""

    @classmethod
    def of_row(cls, row: AuditEvent) -> AuditEntry:
        """The entry a stored row records."""
        return cls(
            action=AuditAction(row.action),
            actor_id=row.actor_id,
            device_id=row.device_id,
            record_type=row.record_type,
            record_id=row.record_id,
            reason=row.reason,
            recipient=row.recipient,
            request_id=row.request_id,
        )


# One encoder for every row (json.dumps with these options builds a new one per call); its
# output is exactly json.dumps(content, sort_keys=True, separators=(",", ":"),
# ensure_ascii=False), which every stored hash was computed from.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _canonical(row_id: int, at: datetime, entry: AuditEntry, extra: dict[str, str]) -> str:
    content = {
        "id": row_id,
        "at": at.isoformat(),
        "action": entry.action.value,
        "actor_id": str(entry.actor_id) if entry.actor_id else "",
        "device_id": str(entry.device_id) if entry.device_id else "",
        "record_type": entry.record_type,
        "record_id": entry.record_id,
        "reason": entry.reason,
        "recipient": entry.recipient,
        "request_id": entry.request_id,
        **extra,
    }
    return _CANONICAL.encode(content)


def unkeyed_row_hash(prev_hash: str, row_id: int, at: datetime, entry: AuditEntry) -> str:
    """The hash of rows written before keyed hashing (verified, never written any more)."""
    canonical = _canonical(row_id, at, entry, {})
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def keyed_text(row_id: int, at_text: str, entry: AuditEntry, key_id: str) -> str:
    """``_canonical`` of a keyed row (``at_text`` is ``at.isoformat()``), written key by key.

    The same text, character for character (``tests/server/audit/test_audit_chain_text.py``
    holds the two equal on generated rows), at a fraction of the cost: the keys are fixed, so
    their sorted order is written out once here, and each string goes through the very writer
    ``_CANONICAL`` uses for strings (``encode_basestring``, as ``ensure_ascii=False`` picks
    it). Every keyed row written or verified is hashed from this text; a pull page hashes a
    thousand of them while the chain head is locked.
    """
    string = encode_basestring
    return (
        '{"action":' + string(entry.action.value)
        + ',"actor_id":' + string(str(entry.actor_id) if entry.actor_id else "")
        + ',"at":' + string(at_text)
        + ',"device_id":' + string(str(entry.device_id) if entry.device_id else "")
        + ',"id":' + int.__repr__(row_id)
        + ',"key_id":' + string(key_id)
        + ',"reason":' + string(entry.reason)
        + ',"recipient":' + string(entry.recipient)
        + ',"record_id":' + string(entry.record_id)
        + ',"record_type":' + string(entry.record_type)
        + ',"request_id":' + string(entry.request_id)
        + "}"
    )  # fmt: skip


def keyed_row_hash(
    key: AuditKey, prev_hash: str, row_id: int, at: datetime, entry: AuditEntry
) -> str:
    """The HMAC that chains a row to the previous one under ``key``."""
    canonical = keyed_text(row_id, at.isoformat(), entry, key.key_id)
    return key.mac(CHAIN, (prev_hash + canonical).encode())


def chain_hashes(
    key: AuditKey, prev_hash: str, first_id: int, at: datetime, entries: Sequence[AuditEntry]
) -> list[str]:
    """The keyed hashes of rows ``first_id``, ``first_id + 1``... recording ``entries`` in
    turn at ``at``, chained from ``prev_hash``: ``keyed_row_hash`` of each."""
    at_text, key_id, mac = at.isoformat(), key.key_id, key.mac
    hashes = []
    for row_id, entry in enumerate(entries, first_id):
        prev_hash = mac(CHAIN, (prev_hash + keyed_text(row_id, at_text, entry, key_id)).encode())
        hashes.append(prev_hash)
    return hashes
