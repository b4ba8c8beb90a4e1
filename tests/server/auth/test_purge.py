"""Issue 14 item 5 (purge): expired sessions, challenges and rate counters are deleted by the
server itself, on an injected clock, without touching anything still in use."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path

from tortoise import Tortoise

from harness.passkeys import login
from server.app import create_app
from server.auth.models import Challenge, RateCounter, Session
from server.auth.purge import purge_expired
from server.auth.sessions import token_key
from server.clock import FixedClock
from server.db import close_orm, tortoise_config
from server.settings import Settings
from tests.server.audit.pg_roles import restricted_role
from tests.support.database import reset_postgres
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]


async def _stale_rows(clock: FixedClock) -> tuple[uuid.UUID, str]:
    """An expired challenge and a counter whose window ended long ago."""
    now = clock.now()
    challenge = await Challenge.create(
        id=uuid.uuid4(),
        purpose="login",
        challenge=uuid.uuid4().hex,
        created_at=now - timedelta(minutes=10),
        expires_at=now - timedelta(minutes=5),
    )
    counter = await RateCounter.create(
        key=f"signin:{uuid.uuid4()}", window_start=now - timedelta(hours=2), count=7
    )
    return challenge.id, counter.key


def test_the_server_purges_expired_rows_by_itself(
    backend: str, database_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    if backend == "postgres":  # emptied as the owner: the server's role may not truncate
        asyncio.run(_emptied(database_url))
    with server_connection(backend, database_url) as connection:
        settings = Settings(photo_dir=tmp_path, purge_interval_seconds=1, **connection)
        asyncio.run(_purged_by_the_running_server(settings, clock))


async def _emptied(database_url: str) -> None:
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        await reset_postgres()
    finally:
        await close_orm()


async def _purged_by_the_running_server(settings: Settings, clock: FixedClock) -> None:
    app = create_app(settings, clock=clock)  # the real lifespan: it opens the database
    try:
        async with app.router.lifespan_context(app):
            challenge_id, counter_key = await _stale_rows(clock)
            for _ in range(100):
                left = await Challenge.filter(id=challenge_id).exists()
                left |= await RateCounter.filter(key=counter_key).exists()
                if not left:
                    break
                await asyncio.sleep(0.05)
            assert not left, "nothing purged the expired challenge and counter"
    finally:
        await close_orm()  # tortoise caches statements per connection name, not per backend


@contextlib.contextmanager
def server_connection(backend: str, database_url: str) -> Iterator[dict[str, str]]:
    """The server's database settings: on PostgreSQL a restricted role and an audit key (the
    real lifespan refuses a role that could rewrite the audit log)."""
    if backend != "postgres":
        yield {"database_url": database_url}
        return
    key = secrets.token_hex(32)
    with restricted_role(database_url, key) as app_url:
        yield {"database_url": app_url, "audit_key": key}


async def test_expired_sessions_challenges_and_counters_go_and_live_ones_stay(
    enrolled: Enrolled, settings: Settings, clock: FixedClock
) -> None:
    stays = await enrolled()  # signs in again just before the purge
    logged_out = await enrolled()
    idle = await enrolled()
    assert (await logged_out.client.post("/api/auth/logout", json={})).status_code == 200
    await logged_out.client.post("/api/auth/login/options", json={})  # a challenge left behind
    await _stale_rows(clock)
    clock.advance(seconds=settings.session_idle_seconds + 1)
    assert (await login(stays.client, stays.authenticator)).status_code == 200
    fresh = await Challenge.create(
        id=uuid.uuid4(),
        purpose="login",
        challenge=uuid.uuid4().hex,
        created_at=clock.now(),
        expires_at=clock.now() + timedelta(minutes=5),
    )
    live_counter = await RateCounter.create(key="signin:live", window_start=clock.now(), count=1)

    report = await purge_expired(settings, clock.now())

    # stays: its first session went idle, its new one is live; the other two have none left.
    assert report.sessions == 3
    assert report.challenges >= 2  # the ceremonies' own, and the stale one
    assert report.counters == 1
    assert (await stays.client.get("/api/me")).status_code == 200
    assert await Session.filter(officer_id=idle.officer.id).count() == 0
    assert await Session.filter(officer_id=logged_out.officer.id).count() == 0
    assert await Challenge.filter(id=fresh.id).exists()
    assert await RateCounter.filter(key=live_counter.key).exists()
    assert await Challenge.filter(expires_at__lte=clock.now()).count() == 0


async def test_a_revoked_phone_is_still_told_to_wipe_after_a_purge(
    enrolled: Enrolled, settings: Settings, clock: FixedClock
) -> None:
    admin = await enrolled(role="admin")
    officer = await enrolled()
    revoke = await admin.client.post(
        f"/api/admin/devices/{officer.device_id}/revoke", json={"reason": "phone stolen"}
    )
    assert revoke.status_code == 200
    clock.advance(seconds=settings.session_absolute_seconds * 30)  # back online a month on

    await purge_expired(settings, clock.now())

    response = await officer.client.get("/api/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "device_revoked"
    cookie = officer.client.cookies.get("doorstep_session") or ""
    assert await Session.filter(token_hash=token_key(cookie)).exists()


async def test_workers_purging_at_once_all_finish(
    enrolled: Enrolled, settings: Settings, clock: FixedClock
) -> None:
    for _ in range(3):
        await _stale_rows(clock)

    reports = await asyncio.gather(*(purge_expired(settings, clock.now()) for _ in range(4)))

    assert sum(r.challenges for r in reports) == 3
    assert sum(r.counters for r in reports) == 3
    assert await Challenge.all().count() == 0
