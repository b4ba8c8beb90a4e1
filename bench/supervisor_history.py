"""The history a supervisor's detail shows, for the visits the supervisor benchmark opens: the
revisions the phone would have written (the visit's creation with every field it holds, its
completion, each kit's creation), added by COPY after the bulk load, which writes none."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from bench.supervisor_data import KIT_COLUMNS, NOT_FIELDS, VISIT_COLUMNS, dotted

REVISION_COLUMNS = [
    "collection",
    "record_id",
    "rev",
    "visit_id",
    "op",
    "changes",
    "previous",
    "conflicts_added",
    "conflicts_cleared",
    "author",
    "actor_id",
    "client_id",
    "seq",
    "device_at",
    "created_at",
]


@dataclass(frozen=True)
class Change:
    """One revision to write: which record, its rev, what it changed and when."""

    collection: str
    record_id: uuid.UUID
    rev: int
    op: str
    changes: dict[str, Any]
    previous: dict[str, Any]
    at: datetime


def visit_changes(visit: dict[str, Any], kits: list[dict[str, Any]]) -> list[Change]:
    """A visit's creation with every field it holds, its completion, each kit's creation."""
    visit_id = uuid.UUID(visit["id"])
    fields = {
        dotted(c): v
        for c, v in visit.items()
        if c in VISIT_COLUMNS and c not in NOT_FIELDS and v not in (None, [])
    }
    at = datetime.fromisoformat(visit["created_at"])
    changes = [Change("visits", visit_id, 1, "create", fields, {}, at)]
    if visit["status"] != "draft":
        done = datetime.fromisoformat(visit["completed_at"])
        status = {"status": "completed"}
        changes.append(Change("visits", visit_id, 2, "update", status, {"status": "draft"}, done))
    for kit in kits:
        written = {k: str(v) for k, v in kit.items() if k in KIT_COLUMNS[9:] and v is not None}
        at = datetime.fromisoformat(kit["created_at"])
        changes.append(Change("kit_issues", uuid.UUID(kit["id"]), 1, "create", written, {}, at))
    return changes


async def add_history(conn: asyncpg.Connection, visit_ids: list[uuid.UUID]) -> int:
    """The revisions these visits and their kit issues would have from the phone: the history a
    supervisor's detail shows, for the visits the benchmark opens (once each). Returns the rows
    written."""
    rows: list[tuple[Any, ...]] = []
    have = await conn.fetch(
        "SELECT DISTINCT visit_id FROM revision WHERE visit_id = ANY($1::uuid[])", visit_ids
    )
    for visit_id in set(visit_ids) - {r["visit_id"] for r in have}:
        visit = json.loads(
            await conn.fetchval("SELECT to_jsonb(v) FROM visit v WHERE id = $1", visit_id)
        )
        kits = [
            json.loads(k)
            for k in await conn.fetchval(
                "SELECT coalesce(array_agg(to_jsonb(k)), '{}') FROM kit_issue k "
                "WHERE visit_id = $1",
                visit_id,
            )
        ]
        client = next(iter(visit["field_authors"].values()), "")
        for seq, c in enumerate(visit_changes(visit, kits), 1):
            rows.append(
                (
                    c.collection,
                    c.record_id,
                    c.rev,
                    visit_id,
                    c.op,
                    json.dumps(c.changes),
                    json.dumps(c.previous),
                    "[]",
                    "[]",
                    client,
                    uuid.UUID(visit["officer_id"]),
                    uuid.UUID(client),
                    seq,
                    c.at.isoformat(),
                    c.at,
                )
            )
    await conn.copy_records_to_table("revision", records=rows, columns=REVISION_COLUMNS)
    return len(rows)
