"""The sync benchmark's fair floor: plain asyncpg writing every row the guarantees need.

The bare baseline (``sync_bench.baseline``) writes only the visit rows. Doorstep's push also
keeps, in the same transaction, what makes sync exactly-once, gap-free and audited: the
client's acknowledged seq, every received mutation, a revision per change, the visit rows
with their foreign keys and their change versions (from the transaction id, as Doorstep takes
them on PostgreSQL, with no lock), and an audit row per
change chained from one head row. The floor writes exactly those rows, copied from what
Doorstep stored in the run, into tables made ``LIKE`` Doorstep's (indexes, unique keys and
defaults included, foreign keys added), in the same batches, from as many connections, with
plain ``executemany`` and the one global row (the audit head) taken in Doorstep's order. It
computes nothing: no parsing, merging, validation or hashing (the audit
hashes are copied), so it is a floor, not a rival implementation.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Sequence
from typing import Any, Protocol

import asyncpg

SETUP = """
DROP TABLE IF EXISTS floor_visit, floor_revision, floor_received, floor_audit, floor_client,
    floor_counter, floor_audit_head;
CREATE TABLE floor_client (LIKE sync_client INCLUDING ALL);
ALTER TABLE floor_client ADD FOREIGN KEY (officer_id) REFERENCES officer (id);
INSERT INTO floor_client SELECT * FROM sync_client;
CREATE TABLE floor_visit (LIKE visit INCLUDING ALL);
ALTER TABLE floor_visit ADD FOREIGN KEY (officer_id) REFERENCES officer (id),
    ADD FOREIGN KEY (team_id) REFERENCES team (id), ADD FOREIGN KEY (area_id) REFERENCES area (id);
CREATE TABLE floor_revision (LIKE revision INCLUDING ALL);
ALTER TABLE floor_revision ADD FOREIGN KEY (actor_id) REFERENCES officer (id);
CREATE TABLE floor_received (LIKE received_mutation INCLUDING ALL);
ALTER TABLE floor_received ADD FOREIGN KEY (client_id) REFERENCES floor_client (id);
CREATE TABLE floor_audit (LIKE audit_event INCLUDING ALL);
CREATE TABLE floor_counter (id int PRIMARY KEY, value bigint NOT NULL);
INSERT INTO floor_counter VALUES (1, 0);
CREATE TABLE floor_audit_head (id int PRIMARY KEY, last_id bigint NOT NULL, last_hash text);
INSERT INTO floor_audit_head VALUES (1, 0, '');
"""
EDIT_COLUMNS = [
    "attendance_left_at",
    "victim_victims_code_given",
    "offence_rooms_entered",
    "advice_items",
    "loss_damage",
]
SEQ_IN_REASON = re.compile(r"sync seq (\d+)")


class PhoneLike(Protocol):
    """What the floor needs of a benchmark phone: its client, officer and batches."""

    @property
    def batches(self) -> list[list[tuple[str, str]]]: ...  # [(op, visit id)] per push


def _insert(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(f"${i + 1}" for i in range(len(columns)))
    return f"INSERT INTO {table} ({names}) VALUES ({marks})"


def _id(value: Any) -> uuid.UUID:
    return uuid.UUID(str(value))


async def _rows(conn: asyncpg.Connection, query: str) -> tuple[list[str], list[asyncpg.Record]]:
    rows = await conn.fetch(query)
    return (list(rows[0].keys()) if rows else []), rows


async def fair_floor(
    db_dsn: str, phones: Sequence[PhoneLike], client_ids: Sequence[str]
) -> tuple[float, int]:
    """Replay every push's rows; return (seconds, mutations written)."""
    conn = await asyncpg.connect(db_dsn)
    try:
        await conn.execute(SETUP)
        visit_cols, visits = await _rows(conn, "SELECT * FROM visit")
        rev_cols, revisions = await _rows(conn, "SELECT * FROM revision WHERE seq IS NOT NULL")
        rec_cols, received = await _rows(conn, "SELECT * FROM received_mutation")
        audit_cols, audits = await _rows(
            conn, "SELECT * FROM audit_event WHERE reason LIKE 'sync seq %'"
        )
        officers = {
            r["id"]: r["officer_id"] for r in await conn.fetch("SELECT * FROM floor_client")
        }
    finally:
        await conn.close()
    visit_by_id = {str(r["id"]): r for r in visits}
    rev_cols = [c for c in rev_cols if c != "id"]
    rec_cols = [c for c in rec_cols if c != "id"]
    by_seq: dict[tuple[Any, int], list[Any]] = {}
    for r in revisions:
        by_seq.setdefault((_id(r["client_id"]), r["seq"]), []).append(("rev", r))
    for r in received:
        by_seq.setdefault((_id(r["client_id"]), r["seq"]), []).append(("rec", r))
    client_of_officer = {_id(officer): _id(client) for client, officer in officers.items()}
    for r in audits:
        seq = int(SEQ_IN_REASON.match(r["reason"]).group(1))  # type: ignore[union-attr]
        key = (client_of_officer[_id(r["actor_id"])], seq)
        by_seq.setdefault(key, []).append(("audit", r))

    edit_cols = EDIT_COLUMNS
    insert_visit = _insert("floor_visit", visit_cols)
    version_at = visit_cols.index("version")
    update_visit = (
        "UPDATE floor_visit SET "
        + ", ".join(f'"{c}" = ${i + 3}' for i, c in enumerate(edit_cols))
        + ", rev = rev + 1, version = $2, updated_at = now() WHERE id = $1"
    )
    insert_rev = _insert("floor_revision", rev_cols)
    insert_rec = _insert("floor_received", rec_cols)
    insert_audit = _insert("floor_audit", audit_cols)
    audit_id_at, hash_at = audit_cols.index("id"), audit_cols.index("row_hash")

    async def replay(conn: asyncpg.Connection, phone: PhoneLike, client_id: uuid.UUID) -> int:
        seq = written = 0
        for ops in phone.batches:
            seqs = list(range(seq + 1, seq + len(ops) + 1))
            seq += len(ops)
            rows = [row for s in seqs for row in by_seq.get((client_id, s), [])]
            async with conn.transaction():
                await conn.execute(
                    "UPDATE floor_client SET last_seq = $1, last_seen_at = now() WHERE id = $2",
                    seq,
                    client_id,
                )
                await conn.executemany(
                    insert_rec, [tuple(r[c] for c in rec_cols) for k, r in rows if k == "rec"]
                )
                await conn.executemany(
                    insert_rev, [tuple(r[c] for c in rev_cols) for k, r in rows if k == "rev"]
                )
                # Versions as Doorstep takes them on PostgreSQL: from the transaction id, no
                # lock (server/feed/versions.py); the counter row stays for the offset.
                first = await conn.fetchval(
                    "SELECT value + pg_current_xact_id()::text::bigint * 1048576"
                    " FROM floor_counter WHERE id = 1"
                )
                versions = iter(range(first, first + len(ops)))
                creates, edits = [], []
                for op, visit_id in ops:
                    row = list(visit_by_id[visit_id].values())
                    if op == "create":
                        row[version_at] = next(versions)
                        creates.append(tuple(row))
                    else:
                        values = [visit_by_id[visit_id][c] for c in edit_cols]
                        edits.append((uuid.UUID(visit_id), next(versions), *values))
                await conn.executemany(insert_visit, creates)
                await conn.executemany(update_visit, edits)
                audit_rows = [list(r.values()) for k, r in rows if k == "audit"]
                head = await conn.fetchrow(
                    "UPDATE floor_audit_head SET last_id = last_id + $1 WHERE id = 1 "
                    "RETURNING last_id, last_hash",
                    len(audit_rows),
                )
                next_id = head["last_id"] - len(audit_rows)
                for row in audit_rows:
                    next_id += 1
                    row[audit_id_at] = next_id
                await conn.executemany(insert_audit, [tuple(r) for r in audit_rows])
                if audit_rows:
                    await conn.execute(
                        "UPDATE floor_audit_head SET last_hash = $1 WHERE id = 1",
                        audit_rows[-1][hash_at],
                    )
            written += len(ops)
        return written

    connections = [await asyncpg.connect(db_dsn) for _ in phones]
    try:
        started = time.perf_counter()
        counts = await asyncio.gather(
            *(
                replay(c, p, uuid.UUID(cid))
                for c, p, cid in zip(connections, phones, client_ids, strict=True)
            )
        )
        seconds = time.perf_counter() - started
    finally:
        for c in connections:
            await c.close()
    return seconds, sum(counts)
