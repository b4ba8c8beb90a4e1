"""``GET /api/aftercare/overdue``: visits whose victim is owed an update (Victims' Code).

A visit's next update is due on the ``next_update_due`` of its latest contact (none planned
when that is empty) or, before any contact, ``DOORSTEP_FIRST_UPDATE_DAYS`` after it was
completed. It is overdue once that date has passed. The database finds the overdue visits in
the caller's scope (``scope_rule`` compiled to SQL, as the pledge figures do); the page is
ordered most overdue first and every visit listed is audited as consulted.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import TypeAdapter
from tortoise import connections

from server.aftercare.detail import person_ref
from server.aftercare.enums import ContactMethod
from server.aftercare.schemas import OverduePage, OverdueQuery, OverdueVisit
from server.audit.models import AuditAction
from server.auth.scope import scope_rule
from server.context import RequestContext
from server.db import sql
from server.errors import BadRequest
from server.org.models import Officer

_CURSOR = re.compile(r"^(\d{4}-\d{2}-\d{2})_([0-9a-f\-]{36})$")
_DATETIME = TypeAdapter(datetime)


def _statement(scope: str, extra: str) -> str:
    # Only this module's constants and the compiled scope rule are interpolated.
    return f"""
        SELECT v.id AS visit_id, v.reference_crime_reference AS crime_reference,
               v.status AS status, v.officer_id AS officer_id, v.team_id AS team_id,
               v.area_id AS area_id, v.completed_at AS completed_at,
               u.contacted_at AS contacted_at, u.method AS method,
               u.next_update_due AS next_update_due
        FROM visit v
        LEFT JOIN victim_update u ON u.id = (
            SELECT u2.id FROM victim_update u2
            WHERE u2.visit_id = v.id AND u2.deleted = FALSE
            ORDER BY u2.contacted_at DESC, u2.created_at DESC LIMIT 1
        )
        WHERE v.deleted = FALSE AND v.status IN ('completed', 'returned', 'approved')
          AND ((u.id IS NULL AND v.completed_at < $1) OR u.next_update_due < $2)
          AND {scope} {extra}
    """  # noqa: S608 (placeholders in the order SQLite's "?" takes them)


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else _DATETIME.validate_python(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def overdue_updates(query: OverdueQuery, *, ctx: RequestContext) -> OverduePage:
    """A page of overdue visits in the caller's scope, most overdue first."""
    after: tuple[str, str] | None = None
    if query.cursor is not None:
        match = _CURSOR.match(query.cursor)
        if match is None:
            raise BadRequest("The cursor is not one this list gave.", code="bad_cursor")
        after = (match.group(1), match.group(2))
    today = ctx.now.astimezone(UTC).date()
    first_days = ctx.settings.first_update_days
    cutoff = datetime.combine(today, time(0, tzinfo=UTC)) - timedelta(days=first_days)
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    params: list[Any] = [cutoff, today if postgres else today.isoformat()]
    scope = scope_rule(ctx.caller, ctx.settings).sql(params)
    extra = ""
    for column, value in (("v.area_id", query.area), ("v.team_id", query.team)):
        if value is not None:
            params.append(value)
            extra += f" AND {column} = ${len(params)}"
    rows = await connection.execute_query_dict(sql(connection, _statement(scope, extra)), params)
    found: list[tuple[date, str, dict[str, Any]]] = []
    for row in rows:
        completed = _when(row["completed_at"])
        if row["contacted_at"] is None:
            if completed is None:
                continue
            due = (completed + timedelta(days=first_days)).date()
        else:
            due = _date(row["next_update_due"])
        found.append((due, str(row["visit_id"]), row))
    found.sort(key=lambda f: (f[0], f[1]))
    if after is not None:
        found = [f for f in found if (f[0].isoformat(), f[1]) > after]
    page, more = found[: query.limit], len(found) > query.limit
    officers = {
        str(o.id): o
        for o in await Officer.filter(id__in=list({str(r["officer_id"]) for _, _, r in page}))
    }
    visits = [
        OverdueVisit(
            visit_id=visit_id,
            crime_reference=row["crime_reference"],
            status=str(row["status"]),
            officer=person_ref(officers[str(row["officer_id"])]),
            team_id=int(row["team_id"]),
            area_id=int(row["area_id"]),
            last_contact_at=_when(row["contacted_at"]),
            last_method=ContactMethod(row["method"]) if row["method"] else None,
            due=due,
            days_overdue=(today - due).days,
        )
        for due, visit_id, row in page
    ]
    await ctx.write_audit(
        ctx.audit(
            AuditAction.CONSULT,
            record_type="visits",
            record_id=uuid.UUID(v.visit_id),
            reason="overdue victim updates",
        )
        for v in visits
    )
    last = page[-1] if page and more else None
    return OverduePage(
        visits=visits, next_cursor=f"{last[0].isoformat()}_{last[1]}" if last else None
    )
