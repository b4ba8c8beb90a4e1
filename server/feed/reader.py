"""Reading what the feed keeps: its epoch, scope exits after a cursor, a visit's history."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from server.feed.models import ChangeCounter, Revision, ScopeExit
from server.feed.versions import BOUND_SQL


async def feed_epoch(connection: BaseDBAsyncClient) -> str:
    """The feed's current epoch ("" before the first restore fence)."""
    counter = await ChangeCounter.filter(id=1).using_db(connection).first()
    return counter.epoch if counter else ""


async def scope_exits_after(
    connection: BaseDBAsyncClient, scope: Q, after: int, limit: int
) -> list[ScopeExit]:
    """Scope exits after ``after`` whose old owner, team or area matches ``scope``, in order.

    ``scope`` is the reader's visit scope applied to the exit row's old owner, team and area,
    in SQL, so other people's exits can never crowd the reader's out of a page.
    """
    return (
        await ScopeExit.filter(scope, version__gt=after)
        .using_db(connection)
        .order_by("version")
        .limit(limit)
    )


async def feed_position(connection: BaseDBAsyncClient) -> tuple[str, int | None]:
    """The feed's epoch and the bound below which this snapshot's versions are final.

    Read in the reader's snapshot; a page holds only versions below the bound
    (``server.feed.versions``). None on SQLite, where every committed version is final.
    """
    if connection.capabilities.dialect != "postgres":
        return await feed_epoch(connection), None
    rows = await connection.execute_query_dict(BOUND_SQL)
    return str(rows[0]["epoch"] or ""), int(rows[0]["bound"])


async def wait_for_position(version: int, seconds: float) -> bool:
    """Wait up to ``seconds`` until ``version`` is below a new snapshot's bound (every
    transaction that could still write below it has ended); whether it now is."""
    connection = connections.get("default")
    deadline = time.monotonic() + seconds
    while True:
        _, bound = await feed_position(connection)
        if bound is None or version < bound:
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.02)


async def position_of(conn: Any) -> tuple[str, int]:
    """``feed_position`` on a plain asyncpg connection (the pull's read-only snapshot)."""
    row = await conn.fetchrow(BOUND_SQL)
    return str(row["epoch"] or ""), int(row["bound"])


async def scope_exit_rows(
    conn: Any, scope_sql: str, params: list[Any], after: int, limit: int
) -> list[Any]:
    """``scope_exits_after`` on a plain asyncpg connection: ``scope_sql`` is the reader's scope
    on the exit row's old officer_id, team_id and area_id, with its values in ``params``."""
    n = len(params)
    return list(
        await conn.fetch(
            "SELECT version, collection, record_id, visit_id FROM scope_exit "  # noqa: S608
            f"WHERE {scope_sql} AND version > ${n + 1} ORDER BY version LIMIT ${n + 2}",
            *params,
            after,
            limit,
        )
    )


async def history(visit_id: uuid.UUID) -> list[Revision]:
    """Every revision of a visit and its records, oldest first, with the acting officer."""
    return await Revision.filter(visit_id=visit_id).order_by("id").select_related("actor")
