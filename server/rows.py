"""Set-based row writes on PostgreSQL: any number of rows in one statement.

Why: tortoise builds a model object per row, converts every value in Python and writes an
update as one statement per row; a sync push spent a third of its CPU there and held the
feed's global lock through a dozen round trips. Here the statement text depends only on the
table, never on the rows, so asyncpg prepares it once per connection:

- new rows go as one JSON array of objects, expanded by ``jsonb_populate_recordset`` (every
  value through its column's own input function): orjson writes a batch of wide rows in a
  fraction of the time asyncpg took to encode them as one typed array per column (a visit has
  seventy columns, most of them empty, which are simply not sent);
- changed rows go as their changed columns in one JSON object each (a ``jsonb[]``), laid
  over the stored row by ``jsonb_populate_record``, so rows changing different columns share
  one UPDATE.

JSON values are encoded by orjson (datetimes as RFC 3339 with their offset, UUIDs and enums
as their text). The rows written are the rows tortoise would write: ``model_row`` fills every
column the caller leaves out with the field's default, as ``Model(...)`` does. SQLite keeps
tortoise (``tests/server/syncing/test_write_paths.py`` shows both store the same rows).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import orjson
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.models import Model


def is_postgres(connection: BaseDBAsyncClient) -> bool:
    """Whether set-based statements apply (PostgreSQL through asyncpg)."""
    return bool(connection.capabilities.dialect == "postgres")


def _raw(connection: BaseDBAsyncClient) -> Any:
    conn = getattr(connection, "_connection", None)
    if conn is None:
        raise RuntimeError("set-based writes need a connection inside a transaction")
    return conn


async def execute(connection: BaseDBAsyncClient, statement: str, *args: Any) -> Any:
    """Run a statement on the asyncpg connection under a tortoise transaction (so it joins
    that transaction); return its first column's first value. Driver errors become tortoise's
    (``IntegrityError``, ``OperationalError``), as callers and the push's retry expect."""
    try:
        return await _raw(connection).fetchval(statement, *args)
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise IntegrityError(exc) from exc
    except (asyncpg.SyntaxOrAccessError, asyncpg.exceptions.DataError) as exc:
        raise OperationalError(exc) from exc


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


@cache
def columns_of(model: type[Model], *, with_pk: bool = True) -> tuple[str, ...]:
    """The table's columns in model order (a generated primary key left to the database)."""
    meta = model._meta
    return tuple(
        column
        for name, column in meta.fields_db_projection.items()
        if with_pk or not (name == meta.pk_attr and meta.fields_map[name].generated)
    )


@cache
def _defaults(model: type[Model]) -> tuple[tuple[str, str, Any, bool], ...]:
    """(field, column, default, stamped) for every column, as ``Model(...)`` fills them."""
    meta = model._meta
    found = []
    for name, column in meta.fields_db_projection.items():
        field = meta.fields_map[name]
        if name == meta.pk_attr and field.generated:
            continue
        stamped = bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
        found.append((name, column, field.default, stamped))
    return tuple(found)


def model_row(model: type[Model], values: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A whole new row: ``values`` by field name, defaults for the rest, timestamps ``now``."""
    row: dict[str, Any] = {}
    for name, column, default, stamped in _defaults(model):
        if name in values:
            row[column] = values[name]
        elif stamped:
            row[column] = now
        else:
            row[column] = default() if callable(default) else default
    return row


def _default(value: Any) -> Any:
    # asyncpg hands UUIDs back as its own subclass, which orjson does not take as one.
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a column value")


def encode(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Rows as JSON texts for a ``jsonb[]`` parameter."""
    dumps, option = orjson.dumps, orjson.OPT_NAIVE_UTC
    return [dumps(row, default=_default, option=option).decode() for row in rows]


@cache
def update_sql(table: str, columns: tuple[str, ...], first: int = 1) -> str:
    """UPDATE by id ($first uuid[]), each row's changed columns as JSON ($first+1 jsonb[]) and
    its version ($first+2 bigint[]); columns a row does not name keep their value."""
    ids, patches, versions = (f"${first + i}" for i in range(3))
    settings = ", ".join(f'"{c}" = p."{c}"' for c in columns if c not in ("id", "version"))
    return (
        f'UPDATE "{table}" AS t SET {settings}, "version" = u.v '  # noqa: S608
        f"FROM unnest({ids}::uuid[], {patches}::jsonb[], {versions}::bigint[]) AS u(id, r, v) "
        f'JOIN "{table}" AS cur ON cur.id = u.id '
        "CROSS JOIN LATERAL jsonb_populate_record(cur, u.r) AS p "
        "WHERE t.id = u.id"
    )


@cache
def insert_sql(model: type[Model], first: int = 1) -> str:
    """INSERT of whole rows (``model_row``) given as one JSON array of objects ($first,
    ``encode_rows``), each value through its column's own input function."""
    meta = model._meta
    table = meta.db_table
    columns = _quoted(meta.fields_db_projection[name] for name, _, _, _ in _defaults(model))
    return (
        f'INSERT INTO "{table}" ({columns}) SELECT {columns} '  # noqa: S608
        f'FROM jsonb_populate_recordset(NULL::"{table}", ${first}::jsonb)'
    )


def encode_rows(rows: Iterable[Mapping[str, Any]]) -> str:
    """Whole rows as the JSON array ``insert_sql`` takes; a column left out is NULL, so
    None values are not sent."""
    return orjson.dumps(
        [{column: v for column, v in row.items() if v is not None} for row in rows],
        default=_default,
        option=orjson.OPT_NAIVE_UTC,
    ).decode()


async def insert_rows(
    connection: BaseDBAsyncClient, model: type[Model], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert whole rows (``model_row``) of ``model`` in one statement of one JSON parameter."""
    if rows:
        await execute(connection, insert_sql(model), encode_rows(rows))
