"""A visit's audit trail, and the log as auditors search it; reading either is audited.

A visit's trail is every row about the visit or any record of it (its property items, kits,
photos and every other child collection, erased ones included): who collected, viewed,
changed, exported or erased it, and when. A supervisor reads the trails of visits in their
scope (404 for any other, as everywhere); an auditor reads any visit's, and the whole log,
but never a victim's data: audit rows hold identifiers only. Each page read writes one
``consult`` row on record type ``audit`` (SECURITY.md 26), so watching the watchers is
possible too.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from tortoise.expressions import Q

from server.audit.models import AuditAction, AuditEvent
from server.auth.guard import OutOfScope
from server.auth.scope import may_read_visit
from server.context import RequestContext
from server.errors import NotFound
from server.feed import visit_children
from server.org.models import Officer, Role
from server.oversight.schemas import Actor, AuditPage, AuditQuery, AuditRow, TrailQuery
from server.visits.models import Visit


async def _page(query: Q, cursor: str | None, limit: int) -> AuditPage:
    rows = AuditEvent.filter(query)
    if cursor is not None:
        rows = rows.filter(id__gt=int(cursor))
    found = await rows.order_by("id").limit(limit + 1)
    page = found[:limit]
    actors = {
        o.id: o for o in await Officer.filter(id__in=list({r.actor_id for r in page if r.actor_id}))
    }
    return AuditPage(
        rows=[_row(r, actors.get(r.actor_id) if r.actor_id else None) for r in page],
        next_cursor=str(page[-1].id) if len(found) > limit else None,
    )


def _row(row: AuditEvent, actor: Officer | None) -> AuditRow:
    return AuditRow(
        id=row.id,
        at=row.at,
        action=row.action,
        record_type=row.record_type,
        record_id=row.record_id,
        actor_id=row.actor_id,
        actor=Actor(
            id=actor.id,
            display_name=actor.display_name,
            collar_number=actor.collar_number,
            role=actor.role,
        )
        if actor
        else None,
        device_id=row.device_id,
        reason=row.reason,
        recipient=row.recipient,
        request_id=row.request_id,
    )


async def _records_of(visit: Visit) -> Q:
    """Rows about the visit or any record of it."""
    query = Q(record_type=Visit.feed_collection, record_id=str(visit.id))
    for model in visit_children():
        ids: Sequence[object] = await model.filter(visit_id=visit.id).values_list("id", flat=True)
        if ids:
            query |= Q(record_type=model.feed_collection, record_id__in=[str(i) for i in ids])
    return query


async def visit_trail(visit_id: uuid.UUID, query: TrailQuery, *, ctx: RequestContext) -> AuditPage:
    """A page of one visit's trail (supervisors in scope, auditors any visit); audited."""
    principal = ctx.caller
    visit = await Visit.get_or_none(id=visit_id)
    if visit is None:
        raise NotFound("No such visit.")
    if principal.role is not Role.AUDITOR and not may_read_visit(
        principal,
        ctx.settings,
        visit.officer_id,  # type: ignore[attr-defined]
        visit.team_id,  # type: ignore[attr-defined]
        visit.area_id,  # type: ignore[attr-defined]
    ):
        raise OutOfScope("visits", visit_id, "No such visit.")
    page = await _page(await _records_of(visit), query.cursor, query.limit)
    await ctx.write_audit(
        [
            ctx.audit(
                AuditAction.CONSULT,
                record_type="audit",
                record_id=visit.id,
                reason="audit trail of a visit",
            )
        ]
    )
    return page


def _filters(query: AuditQuery) -> tuple[Q, str]:
    """The query as a filter, and as words for the reading's own audit row (no values that
    could be personal: only which filters were used, and the ids and kinds asked for)."""
    terms = Q()
    said = []
    for name in ("record_type", "record_id", "actor_id", "action"):
        value = getattr(query, name)
        if value is not None:
            terms &= Q(**{name: value.value if name == "action" else value})
            said.append(f"{name}={value.value if name == 'action' else value}")
    if query.date_from:
        terms &= Q(at__gte=query.date_from)
        said.append(f"from {query.date_from.isoformat()}")
    if query.date_to:
        terms &= Q(at__lt=query.date_to)
        said.append(f"before {query.date_to.isoformat()}")
    return terms, "audit log search" + (": " + ", ".join(said) if said else "")


async def search_log(query: AuditQuery, *, ctx: RequestContext) -> AuditPage:
    """A page of the whole log, filtered (auditors); audited with the filters used."""
    terms, reason = _filters(query)
    page = await _page(terms, query.cursor, query.limit)
    await ctx.write_audit(
        [ctx.audit(AuditAction.CONSULT, record_type="audit", record_id="log", reason=reason)]
    )
    return page
