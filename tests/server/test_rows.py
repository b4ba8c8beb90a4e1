"""Set-based writes (``server/rows.py``) know an array type for every column of every
synchronised record, so no collection fails its first push on PostgreSQL."""

from __future__ import annotations

from tortoise import Tortoise

from server.feed import SyncedRecord
from server.rows import _array_type, columns_of


async def test_every_synced_column_has_an_array_type(db: str) -> None:
    models = [
        model
        for app in Tortoise.apps.values()
        for model in app.values()
        if issubclass(model, SyncedRecord)
    ]
    assert len(models) >= 4
    for model in models:
        for column in columns_of(model):
            assert _array_type(model, column)
