"""Finding visits for supervision: in the caller's scope, filtered, newest first, audited.

Every supervision read goes through ``filtered_visits`` (lists and exports) or ``scoped_visit``
(one visit), both built on ``server.auth.scope``; what is read is audited per visit, and a
visit asked for outside the caller's scope is refused as ``OutOfScope`` (audited as denied).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from server.audit.models import AuditAction
from server.audit.service import AuditEntry
from server.auth.guard import OutOfScope
from server.auth.principal import Principal
from server.auth.scope import visit_scope
from server.context import RequestContext
from server.errors import NotFound
from server.org.models import Officer
from server.settings import Settings
from server.supervision.schemas import PersonRef, VisitFilters
from server.validation import normalise_postcode
from server.visits.models import Visit

# The last visit of the page before: (created_at, id), the keyset both paging orders use.
After = tuple[datetime, uuid.UUID]


def filtered_visits(principal: Principal, settings: Settings, f: VisitFilters) -> QuerySet[Visit]:
    """Visits in the caller's scope matching the filters (deleted visits never appear)."""
    query = Visit.filter(visit_scope(principal, settings), deleted=False)
    if f.date_from:
        query = query.filter(reference_reported_at__gte=f.date_from)
    if f.date_to:
        query = query.filter(reference_reported_at__lt=f.date_to)
    if f.area:
        query = query.filter(area_id=f.area)
    if f.team:
        query = query.filter(team_id=f.team)
    if f.officer:
        query = query.filter(officer_id=f.officer)
    if f.status:
        query = query.filter(status=f.status)
    if f.crime_reference:
        query = query.filter(reference_crime_reference__istartswith=f.crime_reference.strip())
    if f.postcode:
        query = query.filter(address_postcode__startswith=postcode_prefix(f.postcode))
    return query


def postcode_prefix(raw: str) -> str:
    """A whole postcode is normalised; a part (``WR3``) matches as typed, upper-cased."""
    try:
        return normalise_postcode(raw)
    except ValueError:
        return " ".join(raw.upper().split())


def _page(query: QuerySet[Visit], after: After | None, limit: int) -> QuerySet[Visit]:
    if after:
        query = query.filter(Q(created_at__lt=after[0]) | Q(created_at=after[0], id__lt=after[1]))
    return query.order_by("-created_at", "-id").limit(limit)


def newest_first(query: QuerySet[Visit], after: After | None, limit: int) -> QuerySet[Visit]:
    """Up to ``limit`` visits, newest first, from just after ``after`` (with their officer)."""
    return _page(query, after, limit).select_related("officer")


# A list row: the visit columns a summary shows, and its officer's (one joined statement).
SUMMARY_COLUMNS = (
    "id",
    "status",
    "reference_crime_reference",
    "reference_reported_at",
    "attendance_arrived_at",
    "address_line1",
    "address_town",
    "address_postcode",
    "officer_id",
    "officer__display_name",
    "officer__collar_number",
    "team_id",
    "area_id",
    "completed_at",
    "created_at",
)


async def newest_summaries(
    query: QuerySet[Visit], after: After | None, limit: int, connection: BaseDBAsyncClient
) -> list[dict[str, Any]]:
    """``newest_first`` as plain rows of ``SUMMARY_COLUMNS``, typed by the ORM's fields, read
    inside ``connection``'s transaction (where the caller then writes its audit rows).

    A list page reads these few columns only: no model instances, none of a visit's JSON
    columns decoded, for rows that go straight into the response.

    On PostgreSQL the page is planned for its own values every time. A prepared statement's
    generic plan (kept from its sixth run) cannot see that a date filter spans weeks, takes the
    (scope, status, reported_at) index as selective and sorts every visit in the range; with
    the values the planner reads the scope newest first from (scope, created_at, id) and stops
    at the page (bench/supervisor_bench.py prints both plans).
    """
    if connection.capabilities.dialect == "postgres":
        await connection.execute_query("SET LOCAL plan_cache_mode = force_custom_plan")
    return await _page(query, after, limit).using_db(connection).values(*SUMMARY_COLUMNS)


async def scoped_visit(principal: Principal, settings: Settings, visit_id: uuid.UUID) -> Visit:
    """One visit in the caller's scope, with its officer; 404 for anything else.

    Only when nothing is found is existence asked (one more indexed query, on refusals only):
    a visit that exists outside the scope is refused as ``OutOfScope``, the same 404 plus a
    ``denied`` audit row.
    """
    visit = (
        await Visit.filter(visit_scope(principal, settings), id=visit_id, deleted=False)
        .select_related("officer")
        .first()
    )
    if visit is None:
        if await Visit.filter(id=visit_id, deleted=False).exists():
            raise OutOfScope("visits", visit_id, "No such visit.")
        raise NotFound("No such visit.")
    return visit


def person(officer: Officer) -> PersonRef:
    """An officer as the workspace names them."""
    return PersonRef(
        id=str(officer.id), display_name=officer.display_name, collar_number=officer.collar_number
    )


def visit_entries(
    ctx: RequestContext, action: AuditAction, visit_ids: list[Any], reason: str
) -> list[AuditEntry]:
    """One audit entry per visit read or changed."""
    return [ctx.audit(action, record_type="visits", record_id=v, reason=reason) for v in visit_ids]
