"""One visit's detail on PostgreSQL: the visit, its records and its audit row in four round
trips (BEGIN, one read, the audit insert, COMMIT) instead of eight ORM queries.

The read is one statement: the visit in the caller's scope (``scope_rule``, as
``scoped_visit``), its officer, its property items, kit issues, photos and reviews (with their
reviewer) as arrays of table rows, and, in a data-modifying CTE, the audit chain head taken for
its one consult row (``server.audit.store.head_lock_cte``). Rows become model objects through
tortoise's own ``_init_from_db``, as a query would make them, so the detail is built from them
as before; the tests hold both paths to the same answer. SQLite keeps the ORM path. The
history is the feed's to read (``server.feed.history``), as on every path.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from tortoise import connections

from server.audit.models import AuditAction
from server.audit.store import append_per_record, head_lock_cte
from server.auth.guard import OutOfScope
from server.auth.scope import scope_rule
from server.context import RequestContext
from server.errors import NotFound
from server.photos.models import Photo
from server.visits.models import KitIssue, PropertyItem, Review, Visit


@dataclass(frozen=True)
class DetailRows:
    """What the detail shows, read in one statement: model objects and plain names."""

    visit: Visit
    officer: dict[str, str]  # id, display_name, collar_number
    items: list[PropertyItem]
    kits: list[KitIssue]
    photos: list[Photo]
    reviews: list[tuple[Review, dict[str, str]]]  # each with its reviewer


_PERSON = "json_build_object('id', {0}.id, 'display_name', {0}.display_name, "
_PERSON += "'collar_number', {0}.collar_number)::text"


def detail_statement(where: str) -> str:
    """The visit matching ``where`` (on ``visit v``; $1 its id) with everything it shows, and
    the audit head taken for its consult row; no row, and no head taken, if there is none."""
    head = head_lock_cte("SELECT COUNT(*) FROM found", when_sql="EXISTS (SELECT 1 FROM found)")
    live = "visit_id = v.id AND deleted = FALSE"
    # Every piece interpolated here is a constant of this module, or of ``scope_rule``.
    return (
        f"WITH found AS MATERIALIZED (SELECT v.id FROM visit v WHERE {where}), {head} "  # noqa: S608
        f"SELECT v AS visit, {_PERSON.format('o')} AS officer, "
        f"ARRAY(SELECT p FROM property_item p WHERE {live} ORDER BY created_at, id) AS items, "
        f"ARRAY(SELECT k FROM kit_issue k WHERE {live} ORDER BY created_at, id) AS kits, "
        f"ARRAY(SELECT ph FROM photo ph WHERE {live} ORDER BY taken_at, id) AS photos, "
        "ARRAY(SELECT r FROM review r WHERE r.visit_id = v.id ORDER BY r.id) AS reviews, "
        f"ARRAY(SELECT {_PERSON.format('ro')} FROM review r "
        "JOIN officer ro ON ro.id = r.reviewer_id WHERE r.visit_id = v.id ORDER BY r.id) "
        "AS reviewers, "
        "head.last_id AS audit_last_id, head.last_hash AS audit_last_hash "
        "FROM found JOIN visit v ON v.id = found.id JOIN officer o ON o.id = v.officer_id "
        "LEFT JOIN head ON TRUE"
    )


def _where(ctx: RequestContext, params: list[Any]) -> str:
    terms = []
    for column, value in scope_rule(ctx.caller, ctx.settings).terms:
        params.append(value)
        terms.append(f"v.{column} = ${len(params)}")
    scope = f"({' OR '.join(terms)})" if terms else "FALSE"
    return f"v.id = $1 AND v.deleted = FALSE AND {scope}"


async def _read_in_transaction(
    connection: Any, statement: str, params: list[Any], visit_id: uuid.UUID, ctx: RequestContext
) -> Any:
    """One attempt: the statement's row (None if no visit in scope) and its consult row, in a
    transaction of their own."""
    await connection.execute("BEGIN")
    try:
        row = await connection.fetchrow(statement, *params)
        if row is not None:
            if row["audit_last_id"] is None:
                raise RuntimeError("the audit chain head is missing")
            entry = ctx.audit(AuditAction.CONSULT, record_type="visits", reason="visit detail")
            last_id, last_hash = row["audit_last_id"], row["audit_last_hash"]
            await append_per_record(connection, entry, [str(visit_id)], last_id, last_hash, ctx.now)
    except BaseException:
        with contextlib.suppress(Exception):
            await connection.execute("ROLLBACK")
        raise
    await connection.execute("COMMIT")
    return row


async def read_and_audit(visit_id: uuid.UUID, ctx: RequestContext) -> DetailRows:
    """The visit's rows, its consult row written in the same transaction; ``OutOfScope`` for a
    visit outside the caller's scope, ``NotFound`` for one that is nowhere (as
    ``scoped_visit``).

    asyncpg decodes table rows by the shape it last saw on this connection: after a migration
    adds a column under a running server, the first read on each pooled connection fails with
    ``OutdatedSchemaCacheError`` (nothing written: it rolls back), and is read once more.
    """
    params: list[Any] = [visit_id]
    statement = detail_statement(_where(ctx, params))
    client: Any = connections.get("default")
    async with client.acquire_connection() as connection:
        try:
            row = await _read_in_transaction(connection, statement, params, visit_id, ctx)
        except asyncpg.exceptions.OutdatedSchemaCacheError:
            row = await _read_in_transaction(connection, statement, params, visit_id, ctx)
        if row is None:
            exists = "SELECT EXISTS (SELECT 1 FROM visit WHERE id = $1 AND deleted = FALSE)"
            if await connection.fetchval(exists, visit_id):
                raise OutOfScope("visits", visit_id, "No such visit.")
            raise NotFound("No such visit.")
    return DetailRows(
        visit=Visit._init_from_db(**row["visit"]),
        officer=json.loads(row["officer"]),
        items=[PropertyItem._init_from_db(**r) for r in row["items"]],
        kits=[KitIssue._init_from_db(**r) for r in row["kits"]],
        photos=[Photo._init_from_db(**r) for r in row["photos"]],
        reviews=[
            (Review._init_from_db(**r), json.loads(who))
            for r, who in zip(row["reviews"], row["reviewers"], strict=True)
        ],
    )
