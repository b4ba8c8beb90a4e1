"""Storing chained audit rows: one statement on PostgreSQL, tortoise on SQLite.

Why a module of its own: the rows are written while the chain head is locked - the last lock
of every writing transaction, held to COMMIT - so this is on the critical path of every push
and pull. On PostgreSQL the rows (as JSON, ``server.rows``) and the head's new hash go in one
statement instead of a model object per row, a batched INSERT and a second UPDATE.

``append_per_record`` is the visit list's: one entry about each of many records, on a raw
asyncpg connection whose statement already took the head (``head_lock_cte``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import cache
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.audit.chain import AuditEntry, _canonical, keyed_row_hash
from server.audit.keys import CHAIN, AuditKey, audit_keys
from server.audit.models import AuditEvent
from server.db import sql
from server.rows import execute, is_postgres, model_row, typed_arrays, typed_insert_sql


@cache
def _append_sql() -> str:
    insert = typed_insert_sql(AuditEvent)[0]
    last = len(typed_insert_sql(AuditEvent)[1]) + 1
    return (
        f"WITH w AS ({insert}) "  # noqa: S608
        f"UPDATE audit_chain_head SET last_hash = ${last} WHERE id = 1"
    )


async def store_rows(
    connection: BaseDBAsyncClient,
    rows: Sequence[Mapping[str, Any]],
    last_hash: str,
    at: datetime,
) -> None:
    """Insert audit rows (their fields by name) and set the chain head's hash to ``last_hash``.

    The caller holds the head row (``UPDATE audit_chain_head ... RETURNING``) in this
    transaction and has chained the rows to it.
    """
    if is_postgres(connection):
        whole = [model_row(AuditEvent, row, at) for row in rows]
        await execute(connection, _append_sql(), *typed_arrays(AuditEvent, whole), last_hash)
        return
    await AuditEvent.bulk_create([AuditEvent(**row) for row in rows], using_db=connection)
    await connection.execute_query(
        sql(connection, "UPDATE audit_chain_head SET last_hash = $1 WHERE id = 1"), [last_hash]
    )


# --- one entry per record, on a raw asyncpg connection (the visit list) ------------------------

log = logging.getLogger("doorstep.audit.store")


def head_lock_cte(count_sql: str, when_sql: str = "TRUE") -> str:
    """``head AS (...)``: a data-modifying CTE that takes the chain head for ``count_sql`` new
    rows (only when ``when_sql`` holds) and returns the head's new ``last_id`` and its
    ``last_hash``.

    For a statement that reads what it is about to audit and takes the head in the same round
    trip. The head row stays locked until the transaction ends, and under READ COMMITTED the
    UPDATE waits for a concurrent writer and then works on the head as that writer left it, so
    rows chained to it are linear and gap-free, as ``write_audit``'s are.
    """
    # The fragments are the caller's constant SQL; values travel as parameters.
    return (
        f"head AS (UPDATE audit_chain_head SET last_id = last_id + ({count_sql}) "  # noqa: S608
        f"WHERE id = 1 AND ({when_sql}) RETURNING last_id, last_hash)"
    )


# Stand-ins for the row id and record id in a canonical text cut into a template; a template
# is used only where each occurs exactly once.
_ROW_ID = 987_654_321_987_654_321
_RECORD = "\ufdd0record\ufdd1"
# Record ids JSON writes as they are, between quotes (UUIDs, numbers): only rows whose record
# ids are all such are hashed from the template, so the one row checked stands for them all.
_PLAIN = re.compile(r"[0-9A-Za-z_.:-]*")


def _template(key: AuditKey, at: datetime, entry: AuditEntry) -> tuple[str, str, str] | None:
    """``chain._canonical`` of ``entry`` cut around its row id and record id: the text before
    the id, between the two, and after the record id (None if the cut is ambiguous)."""
    text = _canonical(_ROW_ID, at, replace(entry, record_id=_RECORD), {"key_id": key.key_id})
    if text.count(str(_ROW_ID)) != 1 or text.count(_RECORD) != 1:
        return None
    before, found_id, rest = text.partition(f'"id":{_ROW_ID}')
    between, found_record, after = rest.partition(f'"record_id":"{_RECORD}"')
    if not (found_id and found_record):
        return None
    return before, between, after


def _hashed_one_by_one(
    key: AuditKey,
    prev_hash: str,
    first_id: int,
    at: datetime,
    entry: AuditEntry,
    record_ids: Sequence[str],
) -> list[str]:
    hashes = []
    for offset, record_id in enumerate(record_ids):
        prev_hash = keyed_row_hash(
            key, prev_hash, first_id + offset, at, replace(entry, record_id=record_id)
        )
        hashes.append(prev_hash)
    return hashes


def per_record_hashes(
    key: AuditKey,
    prev_hash: str,
    first_id: int,
    at: datetime,
    entry: AuditEntry,
    record_ids: Sequence[str],
) -> list[str]:
    """The keyed hashes of rows ``first_id``, ``first_id + 1``..., each ``entry`` about one of
    ``record_ids`` in turn, chained from ``prev_hash``: exactly ``keyed_row_hash`` of each.

    The canonical text is made once and only the row id and record id are put in per row (a
    list page hashes 50 rows that differ in nothing else), where every record id is plain
    (``_PLAIN``). The first row is also hashed the long way: should the two ever disagree,
    every row is hashed the long way.
    """
    parts = _template(key, at, entry)
    if parts is None or not all(_PLAIN.fullmatch(r) for r in record_ids):
        return _hashed_one_by_one(key, prev_hash, first_id, at, entry, record_ids)
    before, between, after = parts
    hashes = []
    chained = prev_hash
    for offset, record_id in enumerate(record_ids):
        canonical = f'{before}"id":{first_id + offset}{between}"record_id":"{record_id}"{after}'
        chained = key.mac(CHAIN, (chained + canonical).encode())
        hashes.append(chained)
    first = replace(entry, record_id=record_ids[0])
    if hashes[0] != keyed_row_hash(key, prev_hash, first_id, at, first):
        log.error("audit row template disagrees with the canonical text; hashing row by row")
        return _hashed_one_by_one(key, prev_hash, first_id, at, entry, record_ids)
    return hashes


@cache
def _per_record_sql() -> str:
    columns = (
        "id, at, action, actor_id, device_id, record_type, record_id, reason, recipient, "
        "request_id, prev_hash, row_hash, key_id"
    )
    return (
        f"WITH w AS (INSERT INTO audit_event ({columns}) "  # noqa: S608
        "SELECT u.id, $5::timestamptz, $6::text, $7::uuid, $8::uuid, $9::text, u.record_id, "
        "$10::text, $11::text, $12::text, u.prev_hash, u.row_hash, $13::text "
        "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) "
        "AS u(id, record_id, prev_hash, row_hash)) "
        "UPDATE audit_chain_head SET last_hash = $14 WHERE id = 1"
    )


async def append_per_record(
    connection: Any,
    entry: AuditEntry,
    record_ids: Sequence[str],
    last_id: int,
    last_hash: str,
    at: datetime,
) -> None:
    """Store one row of ``entry`` per record, chained, on the asyncpg ``connection`` whose
    transaction holds the head (``head_lock_cte``), taken for ``len(record_ids)`` rows: the
    head now says ``last_id`` and the hash of the row before the first, ``last_hash``.

    One statement inserts them all (the columns they share sent once) and sets the head's hash.
    """
    if not record_ids:
        return
    key = audit_keys().current
    # Hash what is stored: the columns hold 500 and 200 characters.
    entry = replace(entry, reason=entry.reason[:500], recipient=entry.recipient[:200])
    first_id = last_id - len(record_ids) + 1
    hashes = per_record_hashes(key, last_hash, first_id, at, entry, record_ids)
    await connection.execute(
        _per_record_sql(),
        list(range(first_id, last_id + 1)),
        list(record_ids),
        [last_hash, *hashes[:-1]],
        hashes,
        at,
        entry.action.value,
        entry.actor_id,
        entry.device_id,
        entry.record_type,
        entry.reason,
        entry.recipient,
        entry.request_id,
        key.key_id,
        hashes[-1],
    )
