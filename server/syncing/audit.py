"""What sync records in the audit log (DPA 2018 s.62): both directions, written the same way.

A push logs each accepted change as collected, altered or erased; a pull logs each record it
disclosed to the device as consulted. Both are built from the request context.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from server.audit.models import AuditAction
from server.audit.service import AuditEntry
from server.context import RequestContext
from server.syncing.collections import COLLECTIONS

_ACTIONS = {"delete": AuditAction.ERASE, "create": AuditAction.COLLECT}
# Reference data every phone keeps (the advice catalogue) is nobody's: sending it is not logged.
REFERENCE_DATA = frozenset(c.name for c in COLLECTIONS.values() if c.kind == "everyone")


def pushed(
    ctx: RequestContext,
    collection: str,
    record_id: uuid.UUID,
    op: str,
    seq: int,
    before_status: str | None,
) -> AuditEntry:
    """One change a push made (``op``: create, put or delete)."""
    return ctx.audit(
        _ACTIONS.get(op, AuditAction.ALTER),
        record_type=collection,
        record_id=record_id,
        reason=f"sync seq {seq}" + (f" (was {before_status})" if before_status else ""),
    )


def pulled(ctx: RequestContext, changes: Iterable[dict[str, Any]]) -> list[AuditEntry]:
    """Every record a pull page sent to the device (tombstones and the catalogue disclose
    nothing about anyone)."""
    return [
        ctx.audit(
            AuditAction.CONSULT,
            record_type=change["collection"],
            record_id=change["id"],
            reason="synchronised to device",
        )
        for change in changes
        if not change["deleted"] and change["collection"] not in REFERENCE_DATA
    ]
