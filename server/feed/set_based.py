"""The feed's writes on PostgreSQL as a few set-based statements, versions last.

``plan`` does the Python work (each new record's whole row, each changed record's new columns
as JSON, each revision's row); new rows are encoded once their versions are known (on
PostgreSQL versions are taken without a lock, ``server.feed.versions``).
Revision rows need no version, so ``write_revisions`` writes them before versions are taken;
then ``write_records`` writes every record with its version in one statement (an INSERT and
an UPDATE per table, as data-modifying CTEs).

Every record written here is new or already locked by this transaction (``lock_records``).
The rows equal tortoise's (``server.feed.writer._record_with_orm``), which
``tests/server/syncing/test_write_paths.py`` checks on generated pushes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.feed.models import Revision
from server.feed.records import SyncedRecord
from server.rows import (
    columns_of,
    encode,
    encode_rows,
    execute,
    insert_rows,
    insert_sql,
    model_row,
    update_sql,
)

if TYPE_CHECKING:
    from server.feed.writer import Change


@dataclass
class _Table:
    """One record table's rows in this batch: new ones and changed ones, in change order."""

    model: type[SyncedRecord]
    new_rows: list[dict[str, Any]] = field(default_factory=list)
    insert_at: list[int] = field(default_factory=list)  # index of each one's change
    update_ids: list[Any] = field(default_factory=list)
    patches: list[dict[str, Any]] = field(default_factory=list)
    update_at: list[int] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)  # patches as JSON


@dataclass
class Plan:
    """What one ``record_changes`` writes, ready to send."""

    tables: list[_Table]
    revisions: list[dict[str, Any]]


def plan(changes: Sequence[Change], now: datetime) -> Plan:
    """Rows and revisions of the changes, as the statements take them (pure Python)."""
    tables: dict[type[SyncedRecord], _Table] = {}
    revisions: list[dict[str, Any]] = []
    for index, change in enumerate(changes):
        model = change.model
        table = tables.get(model)
        if table is None:
            table = tables[model] = _Table(model)
        if change.create:
            table.new_rows.append(model_row(model, {"id": change.record_id, **change.columns}, now))
            table.insert_at.append(index)
        else:
            table.update_ids.append(change.record_id)
            table.patches.append({**change.columns, "updated_at": now})
            table.update_at.append(index)
        for note in change.revisions:
            values = {
                "collection": model.feed_collection,
                "record_id": change.record_id,
                "visit_id": change.visit_id,
                "rev": note.rev,
                "op": note.op,
                "changes": note.changes,
                "previous": note.previous,
                "conflicts_added": note.conflicts_added,
                "conflicts_cleared": note.conflicts_cleared,
                "author": note.author,
                "actor_id": note.actor_id,
                "client_id": note.client_id,
                "seq": note.seq,
                "device_at": note.device_at,
            }
            revisions.append(model_row(Revision, values, now))
    ordered = sorted(tables.values(), key=lambda t: (t.model.lock_rank, t.model._meta.db_table))
    for table in ordered:
        table.updates = encode(table.patches)
    return Plan(ordered, revisions)


async def write_revisions(connection: BaseDBAsyncClient, plan: Plan) -> None:
    """Every revision row, in one statement (they carry no version)."""
    await insert_rows(connection, Revision, plan.revisions)


@cache
def _records_sql(shape: tuple[tuple[str, bool, bool], ...], models: tuple[Any, ...]) -> str:
    """One statement writing each (table, has inserts, has updates) of ``shape``."""
    parts: list[str] = []
    n = 1
    for (table, inserts, updates), model in zip(shape, models, strict=True):
        if inserts:
            parts.append(insert_sql(model, n))
            n += 1
        if updates:
            parts.append(update_sql(table, columns_of(model), first=n))
            n += 3
    if len(parts) == 1:
        return parts[0]
    ctes = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(parts[:-1]))
    return f"WITH {ctes} {parts[-1]}"


async def write_records(connection: BaseDBAsyncClient, plan: Plan, versions: list[int]) -> None:
    """Every new and changed record with its change version, in one statement.

    Parents come before children in the statement, though a child's foreign key is checked
    at its end, when its visit's row (new or not) is there either way.
    """
    shape = tuple((t.model._meta.db_table, bool(t.new_rows), bool(t.updates)) for t in plan.tables)
    if not any(inserts or updates for _, inserts, updates in shape):
        return
    args: list[Any] = []
    for table in plan.tables:
        if table.new_rows:
            for row, i in zip(table.new_rows, table.insert_at, strict=True):
                row["version"] = versions[i]
            args.append(encode_rows(table.new_rows))
        if table.updates:
            args += [table.update_ids, table.updates, [versions[i] for i in table.update_at]]
    models = tuple(t.model for t in plan.tables)
    await execute(connection, _records_sql(shape, models), *args)
