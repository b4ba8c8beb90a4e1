"""``GET /api/pledge`` against a hand-worked fixture: unvisited, overdue, drafts, closures.

The test clock is Monday 2026-11-23 09:00 UTC; the target 24 h. An area supervisor of Area X
asks. Every report below (R8 is in Area Y, out of scope) and what the figures must say:

    report  reported (UTC)    team  offence    what happened            report -> arrival
    R1      Mon 16 10:00      A     dwelling   visited (O1), elderly    2 h      (in time)
    R2      Tue 17 08:00      A     dwelling   visited (O1)             30 h     (late)
    R3      Wed 18 09:00      B     attempted  visited (O2)             4 h      (in time)
    R4      Fri 20 12:00      B     dwelling   assigned O2, elderly     -        overdue (69 h)
    R5      Sun 22 20:00      A     car_key    O1's draft visit         -        in progress
    R6      Mon 23 07:00      A     dwelling   unassigned; R1's address -        repeat
    R7      Thu 19 09:00      B     dwelling   closed: duplicate        -
    R8      Fri 20 09:00      C     dwelling   (Area Y: not counted)

Visited durations 2 h, 4 h, 30 h: median 4 h = 14400 s; p90 at rank 0.9 x 2 = 1.8 between
4 h and 30 h: 14400 x 0.2 + 108000 x 0.8 = 89280 s. Visited share 3 / (7 - 1 closed) = 0.5;
within target 2 / 3. The visits' own typed report times are deliberately wrong (equal to
their arrival): the figures use the reports' times.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from harness.phone import Phone, new_id
from tests.server.reports.rows import report_row, take_in
from tests.support.context import SystemContext
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
X = {"area": "Area X"}


def _row(ref: str, at: str, team: str, offence: str = "dwelling", **more: Any) -> dict[str, Any]:
    return report_row(
        ref,
        team=team,
        **{
            "reference.reported_at": at,
            "offence.type": offence,
            "address.line1": f"{ref.split('/')[1]} Fixture Road",
            "victim.vulnerabilities": [],
            **more,
        },
    )


async def _visit(phone: Phone, report_id: str, arrived: str | None, ref: str) -> None:
    fields: dict[str, Any] = {"reference.report_id": report_id}
    if arrived:
        fields |= {
            "reference.crime_reference": ref,
            "reference.reported_at": arrived,  # typed at the door: the figures ignore it
            "attendance.arrived_at": arrived,
            "address.line1": "1 Anywhere",
            "address.postcode": "WR1 1AA",
            "victim.name": "Victim",
            "offence.type": "dwelling",
            "victim.victims_code_given": True,
            "status": "completed",
        }
    response = await phone.push(phone.mutation("visits", new_id(), fields))
    assert response.json()["results"][0]["status"] == "applied", response.text


@pytest.fixture
async def supervisor(enrolled: Enrolled, system_ctx: SystemContext) -> httpx.AsyncClient:
    sergeant = await enrolled(role="supervisor", team="Team A", scope="area", **X)
    o1, o2 = await enrolled(team="Team A", **X), await enrolled(team="Team B", **X)
    await enrolled(team="Team C", area="Area Y")
    ids = await take_in(
        system_ctx(),
        _row(
            "22/1/26", "2026-11-16T10:00:00Z", "Team A", **{"victim.vulnerabilities": ["elderly"]}
        ),
        _row("22/2/26", "2026-11-17T08:00:00Z", "Team A"),
        _row("22/3/26", "2026-11-18T09:00:00Z", "Team B", "attempted"),
        _row(
            "22/4/26", "2026-11-20T12:00:00Z", "Team B", **{"victim.vulnerabilities": ["elderly"]}
        ),
        _row("22/5/26", "2026-11-22T20:00:00Z", "Team A", "car_key"),
        _row("22/6/26", "2026-11-23T07:00:00Z", "Team A", **{"address.line1": "1 Fixture Road"}),
        _row("22/7/26", "2026-11-19T09:00:00Z", "Team B"),
        _row("22/8/26", "2026-11-20T09:00:00Z", "Team C"),
    )
    r = dict(zip(["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"], ids, strict=True))
    c = sergeant.client
    for report, officer in (("R1", o1), ("R2", o1), ("R5", o1), ("R3", o2), ("R4", o2)):
        body = {"officer_id": str(officer.officer.id)}
        assert (await c.post(f"/api/reports/{r[report]}/assign", json=body)).status_code == 200
    assert (await c.post(f"/api/reports/{r['R7']}/close", json={"reason": "duplicate"})).is_success
    p1, p2 = Phone(o1.client), Phone(o2.client)
    await _visit(p1, r["R1"], "2026-11-16T12:00:00Z", "22/1/26")
    await _visit(p1, r["R2"], "2026-11-18T14:00:00Z", "22/2/26")
    await _visit(p1, r["R5"], None, "22/5/26")
    await _visit(p2, r["R3"], "2026-11-18T13:00:00Z", "22/3/26")
    # A visit with no report is no part of the pledge's denominator.
    loose = await p1.push(p1.mutation("visits", new_id(), {"victim.name": "No report"}))
    assert loose.status_code == 200
    return c


def _counts(group: dict[str, Any]) -> tuple[int, ...]:
    keys = ("reported", "visited", "visited_within_target", "awaiting", "in_progress")
    return tuple(group[k] for k in (*keys, "overdue", "closed", "repeat_victims"))


async def test_the_figures_count_every_reported_burglary(supervisor: httpx.AsyncClient) -> None:
    response = await supervisor.get("/api/pledge")
    assert response.status_code == 200, response.text
    body = response.json()
    total = body["total"]
    assert _counts(total) == (7, 3, 2, 3, 1, 1, 1, 1)
    assert total["vulnerable_victims"] == 2
    assert total["visited_share"] == 0.5
    assert total["within_target_share"] == 0.6667
    assert total["median_to_arrival_seconds"] == 14400.0
    assert total["p90_to_arrival_seconds"] == 89280.0

    weeks = {g["key"]: _counts(g) for g in body["by_week"]}
    assert weeks == {
        "2026-11-16": (6, 3, 2, 2, 1, 1, 1, 0),
        "2026-11-23": (1, 0, 0, 1, 0, 0, 0, 1),
    }
    teams = {g["name"]: g for g in body["by_team"]}
    assert _counts(teams["Team A"]) == (4, 2, 1, 2, 1, 0, 0, 1)
    assert teams["Team A"]["median_to_arrival_seconds"] == 57600.0
    assert teams["Team A"]["p90_to_arrival_seconds"] == 97920.0
    assert _counts(teams["Team B"]) == (3, 1, 1, 1, 0, 1, 1, 0)
    assert "Team C" not in teams
    offences = {g["key"]: g["reported"] for g in body["by_offence_type"]}
    assert offences == {"attempted": 1, "car_key": 1, "dwelling": 5}
    officers = sorted((g["reported"], g["visited"]) for g in body["by_officer"])
    assert officers == [(2, 0), (2, 1), (3, 2)]  # nobody, O2, O1
    assert [g["name"] for g in body["by_area"]] == ["Area X"]


async def test_the_filters_narrow_the_figures(supervisor: httpx.AsyncClient) -> None:
    async def total(**params: Any) -> tuple[int, ...]:
        response = await supervisor.get("/api/pledge", params=params)
        assert response.status_code == 200, response.text
        return _counts(response.json()["total"])

    teams = (await supervisor.get("/api/pledge")).json()["by_team"]
    team_a = next(g["key"] for g in teams if g["name"] == "Team A")
    assert (await total(team=team_a))[0] == 4
    assert (await total(offence_type="dwelling"))[0] == 5
    assert await total(date_from="2026-11-20T00:00:00Z") == (3, 0, 0, 3, 1, 1, 0, 1)
    assert (await total(date_to="2026-11-17T00:00:00Z"))[:3] == (1, 1, 1)
    bad = await supervisor.get(
        "/api/pledge",
        params={"date_from": "2026-11-20T00:00:00Z", "date_to": "2026-11-19T00:00:00Z"},
    )
    assert bad.status_code == 422


async def test_a_team_supervisor_sees_only_their_team(
    supervisor: httpx.AsyncClient, enrolled: Enrolled
) -> None:
    team_b = await enrolled(role="supervisor", team="Team B", **X)
    body = (await team_b.client.get("/api/pledge")).json()
    assert _counts(body["total"]) == (3, 1, 1, 1, 0, 1, 1, 0)
