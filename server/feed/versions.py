"""The change-feed position: versions every writer may take at once, and the bound readers stop at.

PostgreSQL: no lock. A transaction's versions are ``offset + xid * 2**20 + i`` - its own
transaction id (``pg_current_xact_id()``, the top-level one, which every later transaction's
exceeds) and a running count ``i`` kept in a transaction-local setting, so concurrent pushes
take versions without waiting for each other. A reader, in its one snapshot, returns only
versions below ``offset + oldest * 2**20``, where ``oldest`` is the oldest transaction still
in progress for that snapshot (``pg_current_snapshot()``), leaving out those of other
databases on the same server: every transaction of this database below it has committed (and
is in the snapshot) or rolled back, and every version a later commit can bring is above the
bound, so a cursor never passes a change that is yet to appear. A long writing transaction
delays what readers see until it ends; it never makes them skip.

The offset (``change_counter.version_offset``) keeps versions above every earlier one: above
the counter's versions at the upgrade (migration 0020), and above everything stored after a
restore into a new cluster, whose transaction ids start again (``start_new_feed_epoch``).

SQLite: one writer at a time (``BEGIN IMMEDIATE``), so versions come from the counter row,
``UPDATE ... RETURNING``, and every committed version is visible to the next reader.
"""

from __future__ import annotations

import secrets

from tortoise.backends.base.client import BaseDBAsyncClient

from server.db import sql

# Versions one transaction may take (its ``i``), and so the room each transaction id gets.
PER_TRANSACTION = 1 << 20

_USED = "coalesce(nullif(current_setting('doorstep.feed_used', true), ''), '0')::bigint"
_TAKE = (
    f"SELECT c.version_offset + pg_current_xact_id()::text::bigint * {PER_TRANSACTION}"  # noqa: S608
    f" + {_USED} AS first,"
    f" set_config('doorstep.feed_used', ({_USED} + $1)::text, true)::bigint AS used"
    " FROM change_counter AS c WHERE c.id = 1"
)
# The oldest transaction in progress for the reader's snapshot that could have written here:
# every one in the snapshot's in-progress list except those still running in another database
# of the cluster (pg_stat_activity shows any role their database and transaction id); a
# transaction that has finished since the snapshot was taken is kept, so nothing is missed.
# With none, the snapshot's xmax: every later transaction id is at least that.
_OLDEST = (
    "coalesce((SELECT min(x::text::bigint) FROM pg_snapshot_xip(pg_current_snapshot()) AS x"
    " WHERE x::text::bigint % 4294967296 NOT IN (SELECT a.backend_xid::text::bigint"
    " FROM pg_stat_activity AS a WHERE a.backend_xid IS NOT NULL"
    " AND a.datname IS DISTINCT FROM current_database())),"
    " pg_snapshot_xmax(pg_current_snapshot())::text::bigint)"
)
BOUND_SQL = (
    f"SELECT version_offset + {_OLDEST} * {PER_TRANSACTION} AS bound, epoch"  # noqa: S608
    " FROM change_counter WHERE id = 1"
)


async def take_next_versions(connection: BaseDBAsyncClient, count: int) -> list[int]:
    """Allocate ``count`` consecutive change versions inside the caller's transaction."""
    if connection.capabilities.dialect == "postgres":
        rows = await connection.execute_query_dict(_TAKE, [count])
        if not rows:
            raise RuntimeError("change_counter row is missing: run `doorstep migrate`")
        if int(rows[0]["used"]) > PER_TRANSACTION:
            raise RuntimeError(f"one transaction may record at most {PER_TRANSACTION} changes")
        first = int(rows[0]["first"])
        return list(range(first, first + count))
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
    """Rotate the feed epoch (after a restore): every older cursor restarts from the beginning.

    On PostgreSQL the versions restart above everything stored, whatever the restored
    cluster's transaction ids are (a logical restore starts them again).
    """
    from tortoise.transactions import in_transaction

    from server.feed.records import feed_tables

    epoch = secrets.token_hex(8)
    async with in_transaction() as connection:
        await connection.execute_query(
            sql(connection, "UPDATE change_counter SET epoch = $1 WHERE id = 1"), [epoch]
        )
        if connection.capabilities.dialect == "postgres":
            highest = " UNION ALL ".join(
                f'SELECT max(version) AS v FROM "{table}"'  # noqa: S608
                for table in (*feed_tables(), "scope_exit")
            )
            await connection.execute_query(
                "UPDATE change_counter SET version_offset ="  # noqa: S608
                f" (SELECT coalesce(max(v), 0) FROM ({highest}) AS h) + 1"
                f" - pg_current_xact_id()::text::bigint * {PER_TRANSACTION} WHERE id = 1"
            )
    return epoch
