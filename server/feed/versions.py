"""The change-feed position: taken from a counter row locked inside the writing transaction.

``UPDATE ... RETURNING`` takes a row lock (PostgreSQL) or the write lock (SQLite) that is held
until the transaction ends, so a later version can only be taken after an earlier one's
transaction has committed or rolled back: versions become visible in the order they were given.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from server.db import sql


async def take_next_versions(connection: BaseDBAsyncClient, count: int) -> list[int]:
    """Allocate ``count`` consecutive change versions inside the caller's transaction."""
    rows = await connection.execute_query_dict(
        sql(
            connection, "UPDATE change_counter SET value = value + $1 WHERE id = 1 RETURNING value"
        ),
        [count],
    )
    if not rows:
        raise RuntimeError("change_counter row is missing: run `doorstep migrate`")
    last = int(rows[0]["value"])
    return list(range(last - count + 1, last + 1))


async def start_new_feed_epoch() -> str:
    """Rotate the feed epoch (after a restore): every older cursor restarts from the beginning."""
    import secrets

    from tortoise import connections

    epoch = secrets.token_hex(8)
    connection = connections.get("default")
    await connection.execute_query(
        sql(connection, "UPDATE change_counter SET epoch = $1 WHERE id = 1"), [epoch]
    )
    return epoch
