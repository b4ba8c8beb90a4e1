"""Cursors are only valid for one feed epoch and one caller scope: otherwise start again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from tortoise import connections

from harness.phone import Phone, new_id
from server.feed import start_new_feed_epoch
from server.org.models import Officer, Team
from server.visits.models import Visit
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]


async def _pull(phone: Phone) -> dict[str, object]:
    response = await phone.client.post(
        "/api/sync/pull", json={"client_id": phone.client_id, "cursor": phone.cursor, "limit": 100}
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    phone.cursor = str(body["cursor"])
    return body


async def test_pull_after_restore_fence_resets_and_delivers_everything_again(
    enrolled: Enrolled,
) -> None:
    officer = await enrolled()
    phone = Phone(officer.client)
    ids = [new_id(), new_id()]
    for visit_id in ids:
        await phone.push(phone.mutation("visits", visit_id, {"victim.name": "A"}))
    first = await _pull(phone)
    assert len(first["changes"]) == 2  # type: ignore[arg-type]
    assert (await _pull(phone))["changes"] == []

    await start_new_feed_epoch()
    after_restore = await _pull(phone)
    assert after_restore["reset"] is True
    assert sorted(c["id"] for c in after_restore["changes"]) == sorted(ids)  # type: ignore[union-attr]
    again = await _pull(phone)
    assert again["changes"] == []
    assert "reset" not in again


async def test_pull_after_officer_moves_team_resets_to_new_scope(enrolled: Enrolled) -> None:
    officer = await enrolled(team="Team A", area="Area X")
    await enrolled(team="Team B", area="Area X")
    phone = Phone(officer.client)
    await phone.push(phone.mutation("visits", new_id(), {"victim.name": "A"}))
    assert len((await _pull(phone))["changes"]) == 1  # type: ignore[arg-type]
    assert (await _pull(phone))["changes"] == []
    team_b = await Team.get(name="Team B")
    await Officer.filter(id=officer.officer.id).update(team_id=team_b.id)
    moved = await _pull(phone)
    assert moved["reset"] is True
    assert len(moved["changes"]) == 1  # type: ignore[arg-type]


async def test_pull_by_supervisor_is_always_empty(enrolled: Enrolled) -> None:
    officer = await enrolled(team="Team A", area="Area X")
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    p = Phone(officer.client)
    await p.push(p.mutation("visits", new_id(), {"victim.name": "A"}))
    assert (await _pull(Phone(sergeant.client)))["changes"] == []


async def test_restore_fence_lifts_new_versions_above_every_stored_one(
    backend: str, enrolled: Enrolled
) -> None:
    # A logical restore into a new PostgreSQL cluster starts transaction ids again, and
    # versions are made from them: without the fence, new changes would sort below old ones.
    if backend != "postgres":
        pytest.skip("versions from transaction ids are PostgreSQL's")
    officer = await enrolled()
    phone = Phone(officer.client)
    before, after = new_id(), new_id()
    await phone.push(phone.mutation("visits", before, {"victim.name": "A"}))
    stored = (await Visit.get(id=before)).version
    restored = connections.get("default")
    await restored.execute_query(
        "UPDATE change_counter SET version_offset = version_offset - $1 WHERE id = 1", [2 * stored]
    )
    await start_new_feed_epoch()
    await phone.push(phone.mutation("visits", after, {"victim.name": "B"}))
    assert (await Visit.get(id=after)).version > stored
