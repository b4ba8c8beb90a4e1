"""Set-based writes (``server/rows.py``): every column of every table written that way comes
back from PostgreSQL exactly as given, through the JSON that carries new rows."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from tortoise import Tortoise, connections, fields
from tortoise.fields.data import CharEnumFieldInstance
from tortoise.models import Model

from server.audit.models import AuditEvent
from server.feed import SyncedRecord
from server.feed.models import Revision
from server.rows import _defaults, encode_rows, insert_sql
from server.syncing.models import ReceivedMutation

TEXT = 'quote " backslash \\ newline\n tab\t é \u2028 \U0001f600 </script>'
JSON = {"a": [TEXT, 1.5, True, None, {"n": -(2**53)}], "": "empty key", "b": []}
EAST = timezone(timedelta(hours=5, minutes=30))


def _tricky(field: fields.Field[Any], n: int) -> Any:
    """A value of the field's kind that a careless encoding would change."""
    if isinstance(field, fields.BooleanField):
        return n % 2 == 0
    if isinstance(field, fields.SmallIntField):
        return -(2**15) + n
    if isinstance(field, fields.BigIntField):
        return 2**62 + n
    if isinstance(field, fields.IntField):
        return -(2**31) + n
    if isinstance(field, fields.FloatField):
        return [0.1, 52.123456789012345, -1e-300, 1.7976931348623157e308][n % 4]
    if isinstance(field, fields.DatetimeField):
        return datetime(2026, 12, 5, 23, 59, 59, 999999, tzinfo=EAST) + timedelta(days=n)
    if isinstance(field, fields.DateField):
        return date(2026, 2, 28) + timedelta(days=n)
    if isinstance(field, fields.UUIDField):
        return uuid.uuid4()
    if isinstance(field, fields.JSONField):
        return JSON
    if isinstance(field, CharEnumFieldInstance):
        return list(field.enum_type)[n % len(field.enum_type)]
    if isinstance(field, fields.CharField | fields.TextField):
        max_length = getattr(field, "max_length", None) or 200
        return TEXT[: max(1, max_length - 1)]
    raise AssertionError(f"no tricky value for {type(field).__name__}")


def _written_by_rows() -> list[type[Model]]:
    synced = [
        model
        for app in Tortoise.apps.values()
        for model in app.values()
        if issubclass(model, SyncedRecord)
    ]
    assert len(synced) >= 4
    return [*synced, Revision, ReceivedMutation, AuditEvent]


async def test_every_column_written_as_json_comes_back_exactly(backend: str, db: str) -> None:
    if backend != "postgres":
        pytest.skip("set-based writes are PostgreSQL's")
    client = connections.get("default")
    for model in _written_by_rows():
        meta = model._meta
        rows = [
            {
                meta.fields_db_projection[name]: _tricky(meta.fields_map[name], n)
                for name, _, _, _ in _defaults(model)
            }
            for n in range(3)
        ]
        rows[1] = {column: None if i % 2 else v for i, (column, v) in enumerate(rows[1].items())}
        # The rows as the INSERT would take them, without inserting (no foreign keys needed).
        select = insert_sql(model).split(" SELECT ", 1)[1]
        async with client.acquire_connection() as conn:
            back = [dict(r) for r in await conn.fetch(f"SELECT {select}", encode_rows(rows))]
        for sent, got in zip(rows, back, strict=True):
            for column, value in sent.items():
                stored = got[column]
                if isinstance(meta.fields_map[_field_of(model, column)], fields.JSONField):
                    stored = None if stored is None else orjson.loads(stored)
                if isinstance(value, datetime) and stored is not None:
                    assert stored == value, column
                    assert stored.utcoffset() is not None, column
                elif hasattr(value, "value") and not isinstance(value, bool | int):
                    assert stored == value.value, (model.__name__, column)
                else:
                    assert stored == value, (model.__name__, column)


def _field_of(model: type[Model], column: str) -> str:
    return next(n for n, c in model._meta.fields_db_projection.items() if c == column)


def test_naive_datetimes_are_sent_as_utc() -> None:
    naive = datetime(2026, 12, 5, 9, 30)
    assert orjson.loads(encode_rows([{"at": naive, "gone": None}])) == [
        {"at": naive.replace(tzinfo=UTC).isoformat()}
    ]
