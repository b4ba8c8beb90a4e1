"""``GET /api/stats`` beside the reports: drafts are not visits, report-to-arrival runs from the
linked report's reported-at, and the week and offence type filters, on either database.

The test clock is Monday 2026-11-23 09:00 UTC; the target 24 h. An area supervisor of Area X
asks. Worked by hand:

    report  reported (UTC)  team  offence    what happened                    report -> arrival
    R1      Mon 16 10:00    A     dwelling   O1 visited (completed)           2 h
    R2      Tue 17 08:00    A     dwelling   O1 visited (completed)           30 h
    R3      Wed 18 09:00    B     attempted  O2 visited (typed "dwelling")    4 h
    R4      Fri 20 12:00    B     dwelling   assigned O2, no visit            overdue
    R5      Sun 22 20:00    A     car_key    O1's draft (not a visit)         awaiting
    R6      Mon 23 07:00    A     dwelling   nobody assigned                  awaiting
    R7      Fri 20 09:00    C     dwelling   Area Y: out of scope
    --      (typed) Mon 23 07:00, O1, dwelling, no report, completed      1 h (typed time)
    --      O2's draft with no report: not a visit

The linked visits' typed report times equal their arrival (0 h if they were used). Visits
1 h, 2 h, 4 h, 30 h: median at position 2.5 = 3 h = 10800 s; p90 at 3.7 = 4 h + 0.7 x 26 h =
22.2 h = 79920 s; within 24 h 3 of 4. The pledge: 6 reported, 3 visited, 3 awaiting, 1 overdue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from harness.phone import Phone, new_id
from server.org.models import Area, Team
from server.settings import Settings
from server.supervision.schemas import StatsQuery
from server.supervision.stats import figure_rows
from server.visits.enums import OffenceType
from tests.server.reports.rows import report_row, take_in
from tests.server.supervision.test_stats import _numbers, principal_of
from tests.support.context import SystemContext
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]


@dataclass
class Pledged:
    sergeant: Person
    o1: Person
    o2: Person


def _row(ref: str, at: str, team: str, offence: str = "dwelling", area: str = "Area X") -> Any:
    return report_row(
        ref,
        team=team,
        area=area,
        **{
            "reference.reported_at": at,
            "offence.type": offence,
            "address.line1": f"{ref.split('/')[1]} Stats Road",
        },
    )


def _door(arrived: str, ref: str, **more: Any) -> dict[str, Any]:
    """A completed visit's fields as typed at the door (report time = arrival: wrong on purpose)."""
    return {
        "reference.crime_reference": ref,
        "reference.reported_at": arrived,
        "attendance.arrived_at": arrived,
        "address.line1": "1 Anywhere",
        "address.postcode": "WR1 1AA",
        "victim.name": "Victim",
        "offence.type": "dwelling",
        "victim.victims_code_given": True,
        "status": "completed",
        **more,
    }


async def _push(phone: Phone, fields: dict[str, Any]) -> None:
    response = await phone.push(phone.mutation("visits", new_id(), fields))
    assert response.json()["results"][0]["status"] == "applied", response.text


@pytest.fixture
async def pledged(enrolled: Enrolled, system_ctx: SystemContext) -> Pledged:
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X", scope="area")
    o1 = await enrolled(team="Team A", area="Area X")
    o2 = await enrolled(team="Team B", area="Area X")
    await enrolled(team="Team C", area="Area Y")
    ids = await take_in(
        system_ctx(),
        _row("22/1/26", "2026-11-16T10:00:00Z", "Team A"),
        _row("22/2/26", "2026-11-17T08:00:00Z", "Team A"),
        _row("22/3/26", "2026-11-18T09:00:00Z", "Team B", "attempted"),
        _row("22/4/26", "2026-11-20T12:00:00Z", "Team B"),
        _row("22/5/26", "2026-11-22T20:00:00Z", "Team A", "car_key"),
        _row("22/6/26", "2026-11-23T07:00:00Z", "Team A"),
        _row("22/7/26", "2026-11-20T09:00:00Z", "Team C", area="Area Y"),
    )
    r = dict(zip(["R1", "R2", "R3", "R4", "R5", "R6", "R7"], ids, strict=True))
    for report, officer in (("R1", o1), ("R2", o1), ("R5", o1), ("R3", o2), ("R4", o2)):
        body = {"officer_id": str(officer.officer.id)}
        answer = await sergeant.client.post(f"/api/reports/{r[report]}/assign", json=body)
        assert answer.status_code == 200, answer.text
    p1, p2 = Phone(o1.client), Phone(o2.client)
    await _push(p1, _door("2026-11-16T12:00:00Z", "22/1/26", **{"reference.report_id": r["R1"]}))
    await _push(p1, _door("2026-11-18T14:00:00Z", "22/2/26", **{"reference.report_id": r["R2"]}))
    await _push(p1, {"reference.report_id": r["R5"], "attendance.arrived_at": "2026-11-23T08:00Z"})
    await _push(p2, _door("2026-11-18T13:00:00Z", "22/3/26", **{"reference.report_id": r["R3"]}))
    await _push(
        p1,
        _door(
            "2026-11-23T08:00:00Z", "22/99/26", **{"reference.reported_at": "2026-11-23T07:00:00Z"}
        ),
    )
    await _push(p2, {"victim.name": "A draft", "attendance.arrived_at": "2026-11-20T08:00:00Z"})
    return Pledged(sergeant, o1, o2)


async def _total(person: Person, **params: Any) -> dict[str, Any]:
    response = await person.client.get("/api/stats", params=params)
    assert response.status_code == 200, response.text
    total: dict[str, Any] = response.json()["total"]
    return total


async def test_count_completed_visits_from_linked_report_times(pledged: Pledged) -> None:
    stats = (await pledged.sergeant.client.get("/api/stats")).json()
    total = stats["total"]
    assert total["visits"] == 4
    assert total["median_to_arrival_seconds"] == 10800.0
    assert total["p90_to_arrival_seconds"] == 79920.0
    assert total["within_target_share"] == 0.75
    assert total["awaiting_review"] == 4
    officers = {g["key"]: g["visits"] for g in stats["by_officer"]}
    assert officers == {str(pledged.o1.officer.id): 3, str(pledged.o2.officer.id): 1}
    # The pledge's own figures over the same fixture: every reported burglary.
    pledge = (await pledged.sergeant.client.get("/api/pledge")).json()["total"]
    counts = ("reported", "visited", "awaiting", "overdue")
    assert tuple(pledge[k] for k in counts) == (6, 3, 3, 1)


async def test_filter_stats_by_date_at_linked_report_time_not_typed_time(
    pledged: Pledged,
) -> None:
    """R2 was reported on Tuesday 17 and its visit typed Wednesday 18 14:00: a day's window
    counts it on the Tuesday only (the index-friendly pre-test must not lose it there, nor
    let it through on the Wednesday)."""
    tuesday = await _total(
        pledged.sergeant, date_from="2026-11-17T00:00:00Z", date_to="2026-11-18T00:00:00Z"
    )
    assert (tuesday["visits"], tuesday["median_to_arrival_seconds"]) == (1, 108000.0)
    wednesday = await _total(
        pledged.sergeant, date_from="2026-11-18T00:00:00Z", date_to="2026-11-19T00:00:00Z"
    )
    assert (wednesday["visits"], wednesday["median_to_arrival_seconds"]) == (1, 14400.0)
    assert (await _total(pledged.sergeant, date_from="2026-11-17T00:00:00Z"))["visits"] == 3


async def test_filter_stats_by_week_offence_team_and_officer(pledged: Pledged) -> None:
    week = await _total(pledged.sergeant, week="2026-11-16")
    assert (week["visits"], week["median_to_arrival_seconds"]) == (3, 14400.0)
    assert (await _total(pledged.sergeant, week="2026-11-23"))["visits"] == 1
    assert (await _total(pledged.sergeant, week="2026-11-09"))["visits"] == 0
    # The report says attempted, the door said dwelling: the report's offence type counts.
    assert (await _total(pledged.sergeant, offence_type="attempted"))["visits"] == 1
    assert (await _total(pledged.sergeant, offence_type="dwelling"))["visits"] == 3
    team_b = await Team.get(name="Team B")
    assert (await _total(pledged.sergeant, team=team_b.id))["visits"] == 1
    o1 = await _total(pledged.sergeant, officer=str(pledged.o1.officer.id))
    assert (o1["visits"], o1["median_to_arrival_seconds"]) == (3, 7200.0)
    area_x = await Area.get(name="Area X")
    assert (await _total(pledged.sergeant, area=area_x.id, week="2026-11-16"))["visits"] == 3


async def test_refuse_week_not_named_by_its_monday(pledged: Pledged) -> None:
    response = await pledged.sergeant.client.get("/api/stats", params={"week": "2026-11-17"})
    assert response.status_code == 422
    fields = [f["field"] for f in response.json()["error"]["details"]["fields"]]
    assert fields == ["week"]
    bad_type = await pledged.sergeant.client.get("/api/stats", params={"offence_type": "robbery"})
    assert bad_type.status_code == 422


async def test_refuse_stats_to_an_officer(pledged: Pledged) -> None:
    assert (await pledged.o1.client.get("/api/stats")).status_code == 403


async def test_match_grouping_sets_to_per_dimension_path_with_new_filters(
    pledged: Pledged, backend: str, settings: Settings
) -> None:
    if backend != "postgres":
        pytest.skip("grouping sets are PostgreSQL's; SQLite runs the per-dimension statements")
    principal = await principal_of(pledged.sergeant)
    for f in (
        StatsQuery(),
        StatsQuery(week=date(2026, 11, 16)),
        StatsQuery(offence_type=OffenceType.ATTEMPTED),
        StatsQuery(week=date(2026, 11, 23), offence_type=OffenceType.DWELLING),
    ):
        one = await figure_rows(principal, settings, f, grouping_sets=True)
        four = await figure_rows(principal, settings, f, grouping_sets=False)
        for dim in one:
            assert _numbers(one[dim]) == _numbers(four[dim]), (f, dim)
        assert one["total"][0]["visits"] >= 1
