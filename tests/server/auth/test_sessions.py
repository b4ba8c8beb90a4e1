"""The session check the guard runs on every request: one statement, and its limits exact.

Each limit is checked on both sides of its boundary, against the session row as written, so a
faster check cannot quietly stretch a session: the absolute lifetime ends at ``expires_at``,
idle expiry at ``last_seen_at`` + the idle limit, revocation and sign-out at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from server.auth.models import Device, Session
from server.auth.sessions import check_session, token_key
from server.clock import FixedClock
from server.org.models import Officer, Role, SupervisionScope, Team
from server.settings import Settings
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
TICK = timedelta(microseconds=1)


async def _signed_in(enrolled: Enrolled) -> tuple[Person, str, Session]:
    person = await enrolled(role="supervisor", scope="area")
    token = person.client.cookies.get("doorstep_session")
    assert token
    return person, token, await Session.get(token_hash=token_key(token))


async def test_a_live_session_resolves_to_its_officer_device_team_and_area(
    enrolled: Enrolled, settings: Settings, clock: FixedClock
) -> None:
    person, token, _ = await _signed_in(enrolled)
    state = await check_session(token, settings, clock.now())
    assert state.reason == "ok"
    assert state.session is not None
    live = state.session
    team = await Team.get(id=person.officer.team_id)  # type: ignore[attr-defined]
    assert (live.officer_id, live.collar_number, live.display_name) == (
        person.officer.id,
        person.officer.collar_number,
        person.officer.display_name,
    )
    assert (live.role, live.supervision_scope) == (Role.SUPERVISOR, SupervisionScope.AREA)
    assert (live.team_id, live.area_id) == (team.id, team.area_id)  # type: ignore[attr-defined]
    assert str(live.device_id) == person.device_id
    assert live.token_hash == token_key(token)


async def test_absolute_lifetime_ends_exactly_at_expires_at(
    enrolled: Enrolled, settings: Settings
) -> None:
    _, token, row = await _signed_in(enrolled)
    # Keep it from going idle: the last use is just before each look.
    await Session.filter(token_hash=row.token_hash).update(last_seen_at=row.expires_at - TICK)
    assert (await check_session(token, settings, row.expires_at - TICK)).reason == "ok"
    assert (await check_session(token, settings, row.expires_at)).reason == "expired"


async def test_idle_expiry_is_exact_and_a_late_look_does_not_revive_it(
    enrolled: Enrolled, settings: Settings
) -> None:
    _, token, row = await _signed_in(enrolled)
    idle = timedelta(seconds=settings.session_idle_seconds)
    assert (await check_session(token, settings, row.last_seen_at + idle - TICK)).reason == "ok"
    # That look moved last_seen_at on; read the row again for the next boundary.
    seen = (await Session.get(token_hash=row.token_hash)).last_seen_at
    assert seen == row.last_seen_at + idle - TICK
    assert (await check_session(token, settings, seen + idle)).reason == "idle"
    assert (await Session.get(token_hash=row.token_hash)).last_seen_at == seen
    assert (await check_session(token, settings, seen + idle - TICK)).reason == "ok"


async def test_last_seen_is_written_only_when_it_moved_by_thirty_seconds(
    enrolled: Enrolled, settings: Settings
) -> None:
    _, token, row = await _signed_in(enrolled)
    start = row.last_seen_at

    async def seen() -> datetime:
        return (await Session.get(token_hash=row.token_hash)).last_seen_at

    await check_session(token, settings, start + timedelta(seconds=29))
    assert await seen() == start
    await check_session(token, settings, start + timedelta(seconds=30))
    assert await seen() == start + timedelta(seconds=30)


async def test_revoked_device_ended_session_and_inactive_officer_are_refused(
    enrolled: Enrolled, settings: Settings, clock: FixedClock
) -> None:
    person, token, row = await _signed_in(enrolled)
    now = clock.now()
    await Officer.filter(id=person.officer.id).update(active=False)
    assert (await check_session(token, settings, now)).reason == "inactive"
    await Officer.filter(id=person.officer.id).update(active=True)
    await Session.filter(token_hash=row.token_hash).update(ended_at=now)
    assert (await check_session(token, settings, now)).reason == "ended"
    # Revocation wins over everything: the device must still be told to wipe itself.
    await Device.filter(id=person.device_id).update(revoked_at=now)
    state = await check_session(token, settings, now)
    assert state.reason == "device_revoked"
    assert state.session is not None
    assert (await check_session("not-a-token", settings, now)).reason == "missing"
    assert (await check_session(None, settings, now)).reason == "missing"
    # None of these refusals touched the session.
    assert (await Session.get(token_hash=row.token_hash)).last_seen_at == row.last_seen_at
