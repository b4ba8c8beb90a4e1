"""Set-based row writes on PostgreSQL: any number of rows in one statement.

Why: tortoise builds a model object per row, converts every value in Python and writes an
update as one statement per row; a sync push spent a third of its CPU there and held the
feed's global lock through a dozen round trips. Here the statement text depends only on the
table, never on the rows, so asyncpg prepares it once per connection:

- new rows go as one typed array per column (``unnest``), which asyncpg encodes in binary;
- changed rows go as their changed columns in one JSON object each (a ``jsonb[]``), laid
  over the stored row by ``jsonb_populate_record`` (every value through its column's own
  input function), so rows changing different columns share one UPDATE.

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
from tortoise import fields
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


# Array element types for ``unnest`` by tortoise field class (the first that matches).
_ARRAY_TYPES: tuple[tuple[type[fields.Field[Any]], str], ...] = (
    (fields.BigIntField, "bigint"),
    (fields.SmallIntField, "smallint"),
    (fields.IntField, "integer"),
    (fields.BooleanField, "boolean"),
    (fields.FloatField, "double precision"),
    (fields.DatetimeField, "timestamptz"),
    (fields.DateField, "date"),
    (fields.TimeField, "time"),
    (fields.DecimalField, "numeric"),
    (fields.UUIDField, "uuid"),
    (fields.JSONField, "jsonb"),
    (fields.CharField, "text"),
    (fields.TextField, "text"),
)


def _array_type(model: type[Model], name: str) -> str:
    field = model._meta.fields_map[name]
    for kind, sql_type in _ARRAY_TYPES:
        if isinstance(field, kind):
            return sql_type
    raise TypeError(f"{model.__name__}.{name}: no array type for {type(field).__name__}")


@cache
def typed_insert_sql(
    model: type[Model], first: int = 1
) -> tuple[str, tuple[str, ...], tuple[bool, ...]]:
    """INSERT of rows given as one typed array per column ($first.., by ``unnest``): the
    statement, its columns in order and which of them are JSON (sent as text)."""
    meta = model._meta
    names = tuple(name for name, _, _, _ in _defaults(model))
    columns = tuple(meta.fields_db_projection[n] for n in names)
    arrays = ", ".join(f"${first + i}::{_array_type(model, n)}[]" for i, n in enumerate(names))
    is_json = tuple(isinstance(meta.fields_map[n], fields.JSONField) for n in names)
    statement = (
        f'INSERT INTO "{meta.db_table}" ({_quoted(columns)}) '  # noqa: S608
        f"SELECT * FROM unnest({arrays})"
    )
    return statement, columns, is_json


def typed_arrays(model: type[Model], rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    """The arguments of ``typed_insert_sql`` for whole rows (``model_row``)."""
    _, columns, is_json = typed_insert_sql(model)
    arrays: list[list[Any]] = []
    for column, json_column in zip(columns, is_json, strict=True):
        if json_column:
            arrays.append([None if r[column] is None else _json_text(r[column]) for r in rows])
        else:
            arrays.append([r[column] for r in rows])
    return arrays


async def insert_typed(
    connection: BaseDBAsyncClient, model: type[Model], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert whole rows (``model_row``) of ``model`` in one statement of typed arrays: no
    per-row JSON, asyncpg encodes each column in binary. For the widest, hottest inserts."""
    if rows:
        await execute(connection, typed_insert_sql(model)[0], *typed_arrays(model, rows))


def _json_text(value: Any) -> str:
    return orjson.dumps(value, default=_default, option=orjson.OPT_NAIVE_UTC).decode()
