"""The queue: scope on both databases, oldest first, age against the target, paging, audit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from server.audit.models import AuditAction, AuditEvent
from tests.server.reports.rows import report_row, take_in
from tests.support.context import SystemContext
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]


async def _three_teams(enrolled: Enrolled) -> dict[str, Person]:
    return {
        "a": await enrolled(role="supervisor", team="Team A", area="Area X"),
        "b": await enrolled(role="officer", team="Team B", area="Area X"),
        "c": await enrolled(role="officer", team="Team C", area="Area Y"),
        "x": await enrolled(role="supervisor", team="Team B", area="Area X", scope="area"),
        "y": await enrolled(role="supervisor", team="Team C", area="Area Y", scope="area"),
    }


async def _refs(client: httpx.AsyncClient, **params: object) -> list[str]:
    response = await client.get("/api/reports", params=params)
    assert response.status_code == 200, response.text
    return [r["crime_reference"] for r in response.json()["reports"]]


async def test_each_supervisor_sees_their_team_or_area_oldest_first(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    people = await _three_teams(enrolled)
    await take_in(
        system_ctx(),
        report_row("22/A/2", team="Team A", **{"reference.reported_at": "2026-11-22T10:00:00Z"}),
        report_row("22/A/1", team="Team A", **{"reference.reported_at": "2026-11-22T08:00:00Z"}),
        report_row("22/B/1", team="Team B"),
        report_row(
            "22/X/1", team=None, area="Area X", **{"reference.reported_at": "2026-11-22T19:00:00Z"}
        ),
        report_row("22/C/1", team="Team C"),
    )
    assert await _refs(people["a"].client) == ["22/A/1", "22/A/2"]
    assert await _refs(people["x"].client) == ["22/A/1", "22/A/2", "22/B/1", "22/X/1"]
    assert await _refs(people["y"].client) == ["22/C/1"]
    officer = await people["b"].client.get("/api/reports")
    assert officer.status_code == 403


async def test_age_against_the_target_and_overdue_from_the_reported_time(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    supervisor = await enrolled(role="supervisor", team="Team A", area="Area X")
    # The test clock is 2026-11-23 09:00 UTC; the target 24 h.
    await take_in(
        system_ctx(),
        report_row("22/OLD/1", team="Team A", **{"reference.reported_at": "2026-11-22T08:00:00Z"}),
        report_row("22/NEW/1", team="Team A", **{"reference.reported_at": "2026-11-23T07:00:00Z"}),
    )
    body = (await supervisor.client.get("/api/reports")).json()
    assert body["target_seconds"] == 86400
    old, new = body["reports"]
    assert (old["crime_reference"], old["overdue"], old["age_seconds"]) == ("22/OLD/1", True, 90000)
    assert (new["overdue"], new["age_seconds"]) == (False, 7200)
    assert old["due_at"].startswith("2026-11-23T08:00:00")
    assert old["victim"]["name"] == "Ann Smith"
    assert old["team"]["name"] == "Team A"
    assert await _refs(supervisor.client, overdue="true") == ["22/OLD/1"]
    assert await _refs(supervisor.client, overdue="false") == ["22/NEW/1"]


async def test_keyset_paging_and_every_listed_report_audited(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    supervisor = await enrolled(role="supervisor", team="Team A", area="Area X")
    ids = await take_in(system_ctx(), *[report_row(f"22/P/{n}", team="Team A") for n in range(3)])
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await supervisor.client.get("/api/reports", params=params)).json()
        seen += [r["id"] for r in page["reports"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)
    consulted = await AuditEvent.filter(action=AuditAction.CONSULT, record_type="reports")
    assert sorted(e.record_id for e in consulted) == sorted(ids)
    bad = await supervisor.client.get("/api/reports", params={"cursor": "nope"})
    assert bad.status_code == 400
