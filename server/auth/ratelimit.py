"""Fixed-window attempt counters kept in the database, so every worker shares them."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from server.auth.models import RateCounter
from server.errors import TooManyRequests


async def count_attempt(key: str, limit: int, window_seconds: int, now: datetime) -> None:
    """Count one attempt for ``key``; raise 429 with Retry-After once ``limit`` is passed."""
    async with in_transaction() as connection:
        counter = await RateCounter.filter(key=key).using_db(connection).select_for_update().first()
        if counter is None:
            await RateCounter.create(key=key, window_start=now, count=1, using_db=connection)
            return
        window_end = counter.window_start + timedelta(seconds=window_seconds)
        if now >= window_end:
            counter.window_start = now
            counter.count = 1
        else:
            counter.count += 1
        await counter.save(using_db=connection, update_fields=["window_start", "count"])
    if counter.count > limit:
        retry_after = max(1, int((window_end - now).total_seconds()) + 1)
        raise TooManyRequests(retry_after)


async def clear_attempts(key: str) -> None:
    """Forget a key's attempts (after a success)."""
    await RateCounter.filter(key=key).delete()
