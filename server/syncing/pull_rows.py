"""The pull's reads on PostgreSQL: rows straight to wire records, in one read-only snapshot.

Why: a 1,000-record page spent most of its CPU in tortoise building a model object per row
and converting every column to Python before the wire form converted it again. Here each
collection is one SELECT of the columns the wire form needs, on a plain asyncpg connection
in a transaction begun as ``REPEATABLE READ READ ONLY`` (one statement), and each value goes
to its wire form by its column's kind. The answers equal the tortoise path's
(``server.syncing.pull``, kept for SQLite; ``tests/server/syncing/test_write_paths.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
from pydantic_core import to_jsonable_python
from tortoise import fields

from server.auth.scope import ScopeRule
from server.feed import SyncedRecord, column_for
from server.syncing.collections import COLLECTIONS, Collection

Convert = Callable[[Any], Any]
# The collections read here, with the read-only server facts each carries to the phone:
# (path, column), as ``server.syncing.collections`` gives them from model objects (a test
# holds the two equal). Every other collection is read by tortoise in the same snapshot.
READS: dict[str, tuple[tuple[str, str], ...]] = {
    "visits": (
        ("review.note", "review_note"),
        ("meta.officer_id", "officer_id"),
        ("meta.completed_at", "completed_at"),
        ("meta.repeat_victim", "repeat_computed"),
    ),
    "property_items": (),
    "kit_issues": (),
    "photos": (("upload.status", "status"), ("upload.message", "status_message")),
    "addenda": (("meta.author_id", "author_id"), ("meta.recorded_at", "created_at")),
    "victim_updates": (("meta.author_id", "author_id"), ("meta.recorded_at", "created_at")),
    "survey_responses": (
        ("meta.author_id", "author_id"),
        ("meta.recorded_at", "created_at"),
        ("meta.channel", "channel"),
    ),
}


def _same(value: Any) -> Any:
    return value


def _json(value: Any) -> Any:
    return None if value is None else orjson.loads(value)


def _text(value: Any) -> Any:
    return None if value is None else str(value)


def _converter(model: type[SyncedRecord], column: str) -> Convert:
    """How a column's value becomes its wire form (what tortoise, then pydantic, would give)."""
    field = model._meta.fields_map[column]
    if isinstance(field, fields.JSONField):
        return _json
    if isinstance(field, fields.DatetimeField):
        return to_jsonable_python
    if isinstance(field, fields.UUIDField):
        return _text
    return _same


@dataclass(frozen=True)
class _Reading:
    """One collection's SELECT and how its rows become wire changes."""

    collection: Collection
    columns: tuple[str, ...]
    paths: dict[str, tuple[int, Convert]]  # path -> (index in the row, converter)
    extras: tuple[tuple[str, int, Convert], ...]
    order: dict[str, int]  # each path's place in the schema, the tortoise path's key order
    # The written fields' readings by the field_revs keys they came from (``_written``).
    written: dict[tuple[str, ...], list[tuple[str, int, Convert]]]


@cache
def _reading(name: str) -> _Reading:
    collection = COLLECTIONS[name]
    model = collection.model
    columns = ["id", "rev", "deleted", "version", "conflicts", "field_revs"]

    def at(column: str) -> int:
        if column not in columns:
            columns.append(column)
        return columns.index(column)

    paths = {
        path: (at(column_for(path)), _converter(model, column_for(path)))
        for path in collection.paths
    }
    extras = tuple((path, at(column), _converter(model, column)) for path, column in READS[name])
    order = {path: i for i, path in enumerate(collection.paths)}
    return _Reading(collection, tuple(columns), paths, extras, order, {})


def scope_sql(rule: ScopeRule, alias: str, params: list[Any]) -> str:
    """The scope rule on ``alias``'s officer_id, team_id, area_id (values appended as $n).

    Columns compared natively (not as text, as ``ScopeRule.sql`` does for SQLite too), so
    PostgreSQL uses their indexes.
    """
    clauses = []
    for column, value in rule.terms:
        params.append(value)
        clauses.append(f"{alias}.{column} = ${len(params)}")
    if not clauses:
        return "FALSE"
    return "(" + " OR ".join(clauses) + ")"


def select_sql(name: str, rule: ScopeRule, params: list[Any], live_only: bool) -> str:
    """One collection's changes in scope after $after, by version, up to $limit + 1."""
    reading = _reading(name)
    # The id as text: the wire form, without a UUID object per row on the way.
    chosen = ", ".join('t."id"::text' if c == "id" else f't."{c}"' for c in reading.columns)
    table = reading.collection.model._meta.db_table
    if reading.collection.is_child:
        source = f'"{table}" AS t JOIN visit AS v ON v.id = t.visit_id'
        scope = scope_sql(rule, "v", params)
    else:
        source = f'"{table}" AS t'
        scope = scope_sql(rule, "t", params)
    n = len(params)
    live = " AND NOT t.deleted" if live_only else ""
    return (
        f"SELECT {chosen} FROM {source} WHERE {scope} AND t.version > ${n + 1}{live} "  # noqa: S608
        f"ORDER BY t.version LIMIT ${n + 2}"
    )


def _written(reading: _Reading, field_revs: dict[str, Any]) -> list[tuple[str, int, Convert]]:
    """The fields ever written (a dozen of a visit's seventy) in schema order, with where each
    is in the row and its converter; rows written by the same form share one answer."""
    names = tuple(field_revs)
    found = reading.written.get(names)
    if found is None:
        if len(reading.written) >= 1024:
            reading.written.clear()
        chosen = sorted((p for p in names if p in reading.paths), key=reading.order.__getitem__)
        found = reading.written[names] = [(p, *reading.paths[p]) for p in chosen]
    return found


def wire_changes(name: str, rows: Sequence[Any]) -> list[tuple[int, dict[str, Any]]]:
    """(version, change) for each row, exactly as the tortoise path writes it."""
    reading = _reading(name)
    loads, extras = orjson.loads, reading.extras
    out: list[tuple[int, dict[str, Any]]] = []
    for row in rows:
        conflicts = [] if row[4] == "[]" else loads(row[4])
        change: dict[str, Any] = {"collection": name, "id": row[0], "rev": row[1]}
        if row[2]:
            change |= {"deleted": True, "record": None, "conflicts": conflicts}
            change["reason"] = "deleted"
        else:
            record = {
                path: convert(row[i]) for path, i, convert in _written(reading, loads(row[5]))
            }
            for path, i, convert in extras:
                record[path] = convert(row[i])
            change |= {"deleted": False, "record": record, "conflicts": conflicts}
        out.append((row[3], change))
    return out


async def read_changes(
    conn: Any, rule: ScopeRule, after: int, limit: int
) -> list[tuple[int, dict[str, Any]]]:
    """Every collection's next changes in scope (up to ``limit + 1`` each), unsorted."""
    candidates: list[tuple[int, dict[str, Any]]] = []
    for name in READS:
        params: list[Any] = []
        statement = select_sql(name, rule, params, live_only=after == 0)
        rows = await conn.fetch(statement, *params, after, limit + 1)
        candidates += wire_changes(name, rows)
    return candidates


def still_visible_sql(rule: ScopeRule, params: list[Any]) -> str:
    """Which of the visits in $n (a uuid[]) the rule admits."""
    scope = scope_sql(rule, "v", params)
    n = len(params) + 1
    return f"SELECT v.id FROM visit AS v WHERE {scope} AND v.id = ANY(${n}::uuid[])"  # noqa: S608


def exit_tombstone(collection: str, record_id: uuid.UUID) -> dict[str, Any]:
    """The change a reader gets for a record that left its scope."""
    return {
        "collection": collection,
        "id": str(record_id),
        "rev": 0,
        "deleted": True,
        "record": None,
        "conflicts": [],
        "reason": "out_of_scope",
    }
