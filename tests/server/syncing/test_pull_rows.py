"""The row pull (PostgreSQL) reads some collections itself: the server facts it adds to their
records must be the ones the ORM pull adds (``server/syncing/collections.py``)."""

from __future__ import annotations

import pytest

from server.syncing.collections import COLLECTIONS
from server.syncing.pull_rows import READS


@pytest.mark.parametrize("name", sorted(READS))
async def test_row_pull_carries_the_same_server_facts_as_the_orm_pull(db: str, name: str) -> None:
    collection = COLLECTIONS[name]
    row = collection.model()
    assert {path for path, _ in READS[name]} == set(collection.extras(row))
