"""``GET /api/addresses/history``: earlier burglaries at an address, as far as the caller sees.

When a visit starts (online) the officer sees the reports and visits at the same address in
the 12 months before that they may see (``server.auth.scope``: their own visits, the reports
they hold; a supervisor's team or area), each audited as consulted. The repeat-victimisation
flag beside them is the server's, computed from every record - it discloses that there was
another burglary there, never which.
"""

from __future__ import annotations

import uuid
from typing import Any

from server.audit.models import AuditAction
from server.auth.scope import report_scope, visit_scope
from server.context import RequestContext
from server.reports.addresses import Burglary, burglaries_at, is_repeat, window_start
from server.reports.models import Report
from server.reports.views import AddressHistory, HistoryItem, HistoryQuery
from server.visits.models import Visit


def _own(found: list[Burglary], exclude: uuid.UUID | None) -> tuple[set[uuid.UUID], str | None]:
    """The records that are the burglary being started itself: the one named, the report or
    visit linked to it, and so its crime reference."""
    if exclude is None:
        return set(), None
    own = {exclude}
    crime_reference = None
    for b in found:
        row: Any = b.row
        linked = getattr(row, "linked_visit_id", None)
        if b.id == exclude:
            crime_reference = b.crime_reference
            if linked is not None:
                own.add(linked)
        elif linked == exclude:
            own.add(b.id)
    return own, crime_reference


def _item(b: Burglary, arrivals: dict[Any, Any]) -> HistoryItem:
    row: Any = b.row
    if isinstance(row, Report):
        state, arrived = row.state.value, arrivals.get(row.linked_visit_id)  # type: ignore[attr-defined]
    else:
        state, arrived = row.status.value, row.attendance_arrived_at
    return HistoryItem(
        kind=b.kind,
        id=str(b.id),
        crime_reference=b.crime_reference,
        reported_at=b.at,
        offence_type=row.offence_type,
        state=state,
        visited_at=arrived,
    )


async def address_history(q: HistoryQuery, *, ctx: RequestContext) -> AddressHistory:
    """Earlier reports and visits at the address the caller may see, and the repeat flag."""
    at = q.at or ctx.now
    since = window_start(at)
    principal, settings = ctx.caller, ctx.settings
    everything = await burglaries_at(q.postcode, q.line1, since, at)
    own, crime_reference = _own(everything, q.exclude)
    repeat = is_repeat(everything, crime_reference, own)
    visible = [
        b
        for b in await burglaries_at(
            q.postcode,
            q.line1,
            since,
            at,
            reports=report_scope(principal, settings),
            visits=visit_scope(principal, settings),
        )
        if b.id not in own
    ]
    linked = [getattr(b.row, "linked_visit_id", None) for b in visible]
    arrivals = {
        v.id: v.attendance_arrived_at
        for v in await Visit.filter(id__in=[i for i in linked if i is not None])
    }
    await ctx.write_audit(
        [
            ctx.audit(
                AuditAction.CONSULT,
                record_type="reports" if b.kind == "report" else "visits",
                record_id=b.id,
                reason="address history",
            )
            for b in visible
        ]
    )
    return AddressHistory(
        postcode=q.postcode,
        line1=q.line1,
        since=since,
        repeat_victim=repeat,
        items=[_item(b, arrivals) for b in visible],
    )
