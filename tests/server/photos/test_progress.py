"""Upload bookkeeping statements: each commits on its own, never inside a transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from server.photos.progress import mark_purged, take_lock


async def test_take_lock_inside_a_transaction_is_refused(db: str) -> None:
    """On PostgreSQL the statement turns synchronous_commit off for its transaction: inside
    a caller's transaction that would make the caller's commit (a verification, say) lose
    its durability, so it is refused outright, on both databases."""
    now = datetime.now(UTC)
    async with in_transaction():
        with pytest.raises(RuntimeError, match="outside any transaction"):
            await take_lock(uuid.uuid4(), 0, "ab" * 16, now=now, until=now + timedelta(seconds=60))


async def test_bookkeeping_on_no_such_upload_changes_nothing(db: str) -> None:
    now = datetime.now(UTC)
    assert not await take_lock(
        uuid.uuid4(), 0, "ab" * 16, now=now, until=now + timedelta(seconds=60)
    )
    assert not await mark_purged(uuid.uuid4())
