"""An administrator moves a visit to another officer (``POST /api/admin/visits/{id}/reassign``).

The move itself is ``reassign_visit``: every record of the visit gets a scope exit for its old
owner, team and area and moves to a new change version, so the old officer's phone receives
tombstones (``out_of_scope``) and the new officer's phone receives the records, both by sync.
This module checks what an administrator may ask: only an active officer can hold visits (a
supervisor reviews them, an administrator or auditor never sees them), and an erased or deleted
visit stays where it is.
"""

from __future__ import annotations

import uuid

from server.context import RequestContext
from server.errors import Conflict, NotFound
from server.org.models import Officer, Role
from server.visits.models import Visit
from server.visits.service import reassign_visit


async def reassign_to(
    visit_id: uuid.UUID, officer_id: uuid.UUID, reason: str, *, ctx: RequestContext
) -> Visit:
    """Reassign a visit to an active officer; asking for its current owner changes nothing."""
    officer = await Officer.get_or_none(id=officer_id)
    if officer is None:
        raise NotFound("No such officer.", details={"field": "officer_id"})
    if officer.role is not Role.OFFICER or not officer.active:
        raise Conflict(
            "Visits can only be given to an active officer.",
            code="not_an_active_officer",
            details={"field": "officer_id"},
        )
    visit = await Visit.get_or_none(id=visit_id)
    if visit is None:
        raise NotFound("No such visit.")
    if visit.deleted:
        raise Conflict("The visit was deleted or erased.", code="visit_deleted")
    if visit.officer_id == officer.id:  # type: ignore[attr-defined]
        return visit
    return await reassign_visit(visit_id, officer, ctx=ctx, reason=reason)
