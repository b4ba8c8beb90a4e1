"""Deleting what can never be used again: sessions, WebAuthn challenges and rate counters.

Why (issue 14 item 5, SECURITY.md item 34): nothing deleted them, so the tables only grew -
and anyone can add a challenge with one anonymous request. The server purges them itself:
every worker runs ``purging`` from the app's lifespan, every ``DOORSTEP_PURGE_INTERVAL_SECONDS``
(first run at a random point of the first interval, so workers started together spread out).

Safe with several workers: on PostgreSQL the purge holds a transaction-scoped advisory lock,
so one worker purges at a time and the others skip that round; on SQLite there is one writer.
Every delete is idempotent anyway. A failed round is logged and the next one tries again.

What goes, and why nothing in use does:
- sessions that ``check_session`` would refuse for good: ended, past their absolute
  lifetime, or idle beyond the idle timeout. Except those of revoked devices: they are kept,
  so a revoked phone, whenever it next calls, is still answered ``device_revoked`` and wipes
  itself (there are few of them).
- challenges past their five minutes, used or not: an expired challenge is refused whether
  its row exists or not, so a replay fails all the same.
- rate counters whose window has ended: they would count from zero anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from server.auth.models import Challenge, Device, RateCounter, Session
from server.auth.ratelimit import MAX_WINDOW_SECONDS
from server.clock import Clock
from server.settings import Settings

log = logging.getLogger("doorstep.purge")
# pg_try_advisory_xact_lock's key: one purge at a time across every worker ("dsp").
_LOCK_KEY = 0x647370


@dataclass(frozen=True)
class PurgeReport:
    """How many rows one purge deleted (``skipped``: another worker was purging)."""

    sessions: int = 0
    challenges: int = 0
    counters: int = 0
    skipped: bool = False


async def purge_expired(settings: Settings, now: datetime) -> PurgeReport:
    """Delete expired sessions, challenges and counters as of ``now`` (see the module's note)."""
    async with in_transaction() as connection:
        if connection.capabilities.dialect == "postgres":
            rows = await connection.execute_query_dict(
                "SELECT pg_try_advisory_xact_lock($1) AS locked", [_LOCK_KEY]
            )
            if not rows[0]["locked"]:
                return PurgeReport(skipped=True)
        idle_since = now - timedelta(seconds=settings.session_idle_seconds)
        unusable = (
            Q(ended_at__isnull=False) | Q(expires_at__lte=now) | Q(last_seen_at__lte=idle_since)
        )
        live_devices = Subquery(Device.filter(revoked_at__isnull=True).values("id"))
        sessions = (
            await Session.filter(unusable, device_id__in=live_devices).using_db(connection).delete()
        )
        challenges = await Challenge.filter(expires_at__lte=now).using_db(connection).delete()
        window_ended = now - timedelta(seconds=MAX_WINDOW_SECONDS)
        counters = (
            await RateCounter.filter(window_start__lte=window_ended).using_db(connection).delete()
        )
    return PurgeReport(sessions=sessions, challenges=challenges, counters=counters)


async def purge_periodically(settings: Settings, clock: Clock, stop: asyncio.Event) -> None:
    """Purge every ``purge_interval_seconds`` (jittered) until ``stop`` is set; never raise.

    Stopping waits for a round under way rather than cancelling it mid-query, so shutting
    down never leaves a transaction half done or a driver thread answering a closed loop.
    """
    interval = settings.purge_interval_seconds
    wait = random.uniform(0, interval)  # noqa: S311 - spreading workers, not security
    while not await _stopped(stop, wait):
        try:
            report = await purge_expired(settings, clock.now())
        except Exception:  # a database hiccup must not end the loop: next round retries
            log.exception("purge failed")
        else:
            if not report.skipped:
                log.info(
                    "purged",
                    extra={
                        "sessions": report.sessions,
                        "challenges": report.challenges,
                        "rate_counters": report.counters,
                    },
                )
        wait = interval * random.uniform(0.9, 1.1)  # noqa: S311


async def _stopped(stop: asyncio.Event, seconds: float) -> bool:
    """Wait up to ``seconds``; whether ``stop`` was set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True


@contextlib.asynccontextmanager
async def purging(settings: Settings, clock: Clock) -> AsyncIterator[None]:
    """Run the periodic purge for as long as the app lives (the lifespan's hook)."""
    stop = asyncio.Event()
    task = asyncio.create_task(purge_periodically(settings, clock, stop), name="doorstep-purge")
    try:
        yield
    finally:
        stop.set()
        await task
