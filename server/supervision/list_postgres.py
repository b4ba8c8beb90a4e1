"""The visit list on PostgreSQL: a page and its audit rows in four round trips, without the ORM.

A list page is the supervisor's most frequent request, and each visit on it is audited as
consulted. Through tortoise it took seven statements (a transaction, a plan setting, the page,
the chain head, the audit rows) and most of its time building queries and objects. Here:

1. ``BEGIN`` and ``SET LOCAL plan_cache_mode`` in one simple query;
2. one statement that reads the page and, in a data-modifying CTE, takes the audit chain head
   for the rows it lists (``server.audit.store.head_lock_cte``): the head stays locked to
   COMMIT and the audit names exactly the rows this statement's snapshot held;
3. one statement that inserts the chained audit rows and sets the head's hash
   (``server.audit.store.append_per_record``);
4. ``COMMIT``.

The WHERE clause is ``filtered_visits``'s, written as SQL from the same ``scope_rule``; the
tests hold the two paths to the same pages and the same audit rows. SQLite keeps the ORM path.

The page is planned for its own values every time (``force_custom_plan``): a prepared
statement's generic plan, kept from its sixth run, cannot see that a date filter spans weeks,
takes the (scope, status, reported_at) index as selective and sorts every visit in the range;
with the values the planner reads the scope newest first from (scope, created_at, id) and stops
at the page (bench/supervisor_bench.py prints both plans).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.filters import escape_like

from server.audit.models import AuditAction
from server.audit.store import append_per_record, head_lock_cte
from server.auth.scope import scope_rule
from server.context import RequestContext
from server.supervision.schemas import VisitListQuery
from server.supervision.scoped import After, postcode_prefix

# The summary's columns, the officer's named as the ORM path names them (``officer__...``).
_COLUMNS = (
    "v.id, v.status, v.reference_crime_reference, v.reference_reported_at, "
    "v.attendance_arrived_at, v.address_line1, v.address_town, v.address_postcode, "
    'v.officer_id, o.display_name AS "officer__display_name", '
    'o.collar_number AS "officer__collar_number", v.team_id, v.area_id, v.completed_at, '
    "v.created_at"
)
_BEGIN = "BEGIN; SET LOCAL plan_cache_mode = force_custom_plan"


def _aware(moment: datetime) -> datetime:
    """A filter's time as the ORM takes it: without an offset, it is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def page_where(
    ctx: RequestContext, q: VisitListQuery, after: After | None
) -> tuple[str, list[Any]]:
    """``filtered_visits`` and the keyset as SQL on ``visit v`` ($1...), with its values."""
    params: list[Any] = []

    def value(v: Any) -> str:
        params.append(v)
        return f"${len(params)}"

    # Scope columns are a closed set of names (``ScopeColumn``); values are parameters, typed
    # by their columns (a UUID compared as uuid keeps the officer's index usable).
    terms = [f"v.{column} = {value(v)}" for column, v in scope_rule(ctx.caller, ctx.settings).terms]
    clauses = ["v.deleted = FALSE", f"({' OR '.join(terms)})" if terms else "FALSE"]
    if q.date_from:
        clauses.append(f"v.reference_reported_at >= {value(_aware(q.date_from))}")
    if q.date_to:
        clauses.append(f"v.reference_reported_at < {value(_aware(q.date_to))}")
    if q.area:
        clauses.append(f"v.area_id = {value(q.area)}")
    if q.team:
        clauses.append(f"v.team_id = {value(q.team)}")
    if q.officer:
        clauses.append(f"v.officer_id = {value(q.officer)}")
    if q.status:
        clauses.append(f"v.status = {value(q.status.value)}")
    if q.crime_reference:
        prefix = escape_like(q.crime_reference.strip()) + "%"
        reference = "UPPER(CAST(v.reference_crime_reference AS VARCHAR))"
        clauses.append(f"{reference} LIKE UPPER({value(prefix)})")
    if q.postcode:
        prefix = escape_like(postcode_prefix(q.postcode)) + "%"
        clauses.append(f"CAST(v.address_postcode AS VARCHAR) LIKE {value(prefix)}")
    if after:
        at, key = value(after[0]), value(after[1])
        clauses.append(f"(v.created_at < {at} OR (v.created_at = {at} AND v.id < {key}))")
    return " AND ".join(clauses), params


def page_statement(where: str, params: list[Any], limit: int) -> str:
    """Up to ``limit + 1`` visits newest first, each row with the audit chain head taken for
    the (at most ``limit``) visits listed; no row, and no head taken, when nothing matches.
    Appends the limits to ``params``."""
    params += [limit + 1, limit]
    fetch, listed = f"${len(params) - 1}", f"${len(params)}"
    listed_count = f"SELECT LEAST(COUNT(*), {listed}) FROM page"  # noqa: S608 - a placeholder
    head = head_lock_cte(listed_count, when_sql="EXISTS (SELECT 1 FROM page)")
    # Every piece interpolated here is a constant of this module or ``page_where``'s.
    return (
        f"WITH page AS MATERIALIZED (SELECT {_COLUMNS} "  # noqa: S608
        f"FROM visit v JOIN officer o ON o.id = v.officer_id WHERE {where} "
        f"ORDER BY v.created_at DESC, v.id DESC LIMIT {fetch}), {head} "
        "SELECT page.*, head.last_id AS audit_last_id, head.last_hash AS audit_last_hash "
        "FROM page LEFT JOIN head ON TRUE ORDER BY page.created_at DESC, page.id DESC"
    )


async def read_and_audit(
    ctx: RequestContext, q: VisitListQuery, after: After | None
) -> tuple[list[Any], bool]:
    """The page (asyncpg records, at most ``q.limit``) and whether more follow; each visit on
    it audited as consulted in the same transaction."""
    where, params = page_where(ctx, q, after)
    statement = page_statement(where, params, q.limit)
    client: Any = connections.get("default")
    async with client.acquire_connection() as connection:
        await connection.execute(_BEGIN)
        try:
            rows = await connection.fetch(statement, *params)
            page = rows[: q.limit]
            if page:
                last_id, last_hash = page[0]["audit_last_id"], page[0]["audit_last_hash"]
                if last_id is None:
                    raise RuntimeError("the audit chain head is missing")
                entry = ctx.audit(AuditAction.CONSULT, record_type="visits", reason="visit list")
                ids = [str(row["id"]) for row in page]
                await append_per_record(connection, entry, ids, last_id, last_hash, ctx.now)
        except BaseException:
            with contextlib.suppress(Exception):
                await connection.execute("ROLLBACK")
            raise
        await connection.execute("COMMIT")
    return page, len(rows) > q.limit
