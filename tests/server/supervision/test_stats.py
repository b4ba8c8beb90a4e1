"""The pledge figures, checked against figures worked by hand."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from harness.phone import Phone, new_id
from server.advice.catalogue import load_default_catalogue
from server.auth.principal import Principal
from server.clock import FixedClock
from server.org.models import Role, SupervisionScope, Team
from server.settings import Settings
from server.supervision.schemas import VisitFilters
from server.supervision.stats import figure_rows
from server.visits.enums import VisitStatus
from server.visits.models import KitIssue
from tests.server.supervision.phone_visits import T0, Enrolled, complete_fields
from tests.support.people import Person


@dataclass
class HandWorked:
    """The hand-worked fixture: who pushed the visits, and the two supervisors who read them."""

    a1: Person
    a2: Person
    sergeant: Person
    inspector: Person


async def hand_worked(enrolled: Enrolled) -> HandWorked:
    """Five visits in team A with report-to-arrival of 1, 2, 3, 4 and 30 hours, one in team B.

    Worked by hand (percentile_cont, linear between ranks):
      median: position 1 + 0.5 x 4 = 3 -> 3 h = 10800 s
      p90:    position 1 + 0.9 x 4 = 4.6 -> 4 h + 0.6 x (30 h - 4 h) = 19.6 h = 70560 s
      within 24 h: 4 of 5 = 0.8; kits: 2 on visit 1 + 1 on visit 2 = 3
      advice given on visits 1 and 3 = 0.4; CSI on visit 5; repeat victim on visit 2;
      vulnerable on visits 2 and 4; awaiting review: 3 completed (4 and 5 are approved).
    Team B's one visit (100 h) is another team: a team-A supervisor never sees it. A draft in
    team A (1 h) is not a visit: it is in no figure.
    """
    a1 = await enrolled(team="Team A", area="Area X")
    a2 = await enrolled(team="Team A", area="Area X")
    b1 = await enrolled(team="Team B", area="Area X")
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    inspector = await enrolled(role="supervisor", team="Team C", area="Area X", scope="area")
    await load_default_catalogue()  # ticks must name catalogue items
    hours = [1, 2, 3, 4, 30]
    extras: list[dict[str, Any]] = [
        {"advice.items": [{"id": "wide-double-locks", "version": 1}]},
        {"victim.vulnerabilities": ["repeat_victim", "elderly"]},
        {"advice.extra": "Fit a door chain"},
        {"victim.vulnerabilities": ["lives_alone"]},
        {"enquiry.csi_requested": True},
    ]
    visit_ids = []
    for n, (h, extra) in enumerate(zip(hours, extras, strict=True)):
        owner = a1 if n < 3 else a2
        reported = T0 + timedelta(days=n)
        fields = complete_fields(
            **{
                "reference.reported_at": reported.isoformat(),
                "attendance.arrived_at": (reported + timedelta(hours=h)).isoformat(),
                **extra,
            }
        )
        fields["status"] = "completed"
        phone = Phone(owner.client)
        visit_id = new_id()
        visit_ids.append(visit_id)
        response = await phone.push(phone.mutation("visits", visit_id, fields))
        assert response.json()["results"][0]["status"] == "applied", response.text
    for visit_id, kits in zip(visit_ids[:2], [2, 1], strict=True):
        for k in range(kits):
            await KitIssue.create(
                id=uuid.uuid4(), visit_id=visit_id, kit_code=f"SW-{visit_id[:4]}{k}"
            )
    for visit_id in visit_ids[3:]:
        review = await sergeant.client.post(
            f"/api/visits/{visit_id}/review", json={"decision": "approve"}
        )
        assert review.status_code == 200, review.text
    draft = Phone(a1.client)
    at = complete_fields(**{"reference.reported_at": T0.isoformat()})
    at["attendance.arrived_at"] = (T0 + timedelta(hours=1)).isoformat()
    assert (await draft.push(draft.mutation("visits", new_id(), at))).status_code == 200
    phone_b = Phone(b1.client)
    await phone_b.push(
        phone_b.mutation(
            "visits",
            new_id(),
            complete_fields(
                **{
                    "reference.reported_at": T0.isoformat(),
                    "attendance.arrived_at": (T0 + timedelta(hours=100)).isoformat(),
                    "status": "completed",
                }
            ),
        )
    )

    return HandWorked(a1, a2, sergeant, inspector)


async def principal_of(person: Person) -> Principal:
    """The principal the guard would build for this person's session."""
    officer = person.officer
    team = await Team.get(id=officer.team_id)  # type: ignore[attr-defined]
    return Principal(
        officer_id=officer.id,
        collar_number=officer.collar_number,
        display_name=officer.display_name,
        role=Role(officer.role),
        team_id=team.id,
        area_id=team.area_id,  # type: ignore[attr-defined]
        supervision_scope=SupervisionScope(officer.supervision_scope),
        device_id=uuid.UUID(person.device_id),
        session_key="",
    )


async def test_stats_match_hand_worked_figures(enrolled: Enrolled) -> None:
    """The figures of ``hand_worked``, as worked by hand there, on either database."""
    people = await hand_worked(enrolled)
    a1, a2, sergeant, inspector = people.a1, people.a2, people.sergeant, people.inspector
    stats = (await sergeant.client.get("/api/stats")).json()
    total = stats["total"]
    assert total["visits"] == 5
    assert total["median_to_arrival_seconds"] == 10800.0
    assert total["p90_to_arrival_seconds"] == 70560.0
    assert total["within_target_share"] == 0.8
    assert total["kits_issued"] == 3
    assert total["advice_given_share"] == 0.4
    assert total["csi_requested"] == 1
    assert total["repeat_victims"] == 1
    assert total["vulnerable_victims"] == 2
    assert total["awaiting_review"] == 3
    by_officer = {g["key"]: g for g in stats["by_officer"]}
    assert by_officer[str(a1.officer.id)]["visits"] == 3
    assert by_officer[str(a1.officer.id)]["median_to_arrival_seconds"] == 7200.0
    assert by_officer[str(a2.officer.id)]["p90_to_arrival_seconds"] == 98640.0  # 4 h + 0.9 x 26 h
    assert [g["name"] for g in stats["by_team"]] == ["Team A"]

    # The area inspector sees both teams: 6 visits, team B's 100 h is the new maximum.
    area = (await inspector.client.get("/api/stats")).json()
    assert area["total"]["visits"] == 6
    assert sorted(g["name"] for g in area["by_team"]) == ["Team A", "Team B"]
    # Filters narrow the figures: the first two days only.
    ranged = await sergeant.client.get(
        "/api/stats",
        params={"date_from": T0.isoformat(), "date_to": (T0 + timedelta(days=2)).isoformat()},
    )
    assert ranged.json()["total"]["visits"] == 2
    assert ranged.json()["total"]["median_to_arrival_seconds"] == 5400.0


def _numbers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows without ``dim``, counts and seconds as floats whatever numeric type SQL gave."""
    numeric = (int, float, Decimal)
    return [
        {k: float(v) if isinstance(v, numeric) else v for k, v in row.items() if k != "dim"}
        for row in rows
    ]


async def test_grouping_sets_give_the_per_dimension_figures(
    enrolled: Enrolled, backend: str, settings: Settings, clock: FixedClock
) -> None:
    """On PostgreSQL the one GROUPING SETS statement answers exactly what the four statements,
    one per dimension (SQLite's path), answer: every dimension, key and figure, for both
    scopes, a date range, a status and a filter that matches nothing."""
    if backend != "postgres":
        pytest.skip("grouping sets are PostgreSQL's; SQLite runs the per-dimension statements")
    people = await hand_worked(enrolled)
    filters = [
        VisitFilters(),
        VisitFilters(date_from=T0, date_to=T0 + timedelta(days=2)),
        VisitFilters(status=VisitStatus.COMPLETED),
        VisitFilters(postcode="ZZ9"),
    ]
    for person in (people.sergeant, people.inspector):
        principal = await principal_of(person)
        for f in filters:
            one = await figure_rows(principal, settings, f, grouping_sets=True)
            four = await figure_rows(principal, settings, f, grouping_sets=False)
            assert list(one) == list(four) == ["total", "area", "team", "officer"]
            if f.postcode:  # nothing matches: no rows at all, or only a total of none
                assert four == {dim: [] for dim in four}
                assert [r["visits"] for r in one["total"]] in ([], [0])
                assert one["area"] == one["team"] == one["officer"] == []
                continue
            for dim in one:
                assert _numbers(one[dim]) == _numbers(four[dim]), (person, f, dim)
    stats = (await people.inspector.client.get("/api/stats")).json()
    assert stats["total"]["visits"] == 6


async def test_nothing_in_scope_gives_an_empty_total(enrolled: Enrolled) -> None:
    """No visit matches: a total of none (no shares, no percentiles) and no groups, on either
    database (grouping sets answer a total row of 0; the per-dimension statements no row)."""
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    stats = (await sergeant.client.get("/api/stats", params={"postcode": "ZZ9"})).json()
    assert stats["total"] == {
        "key": "all",
        "name": "All visits in scope",
        "visits": 0,
        "median_to_arrival_seconds": None,
        "p90_to_arrival_seconds": None,
        "within_target_share": None,
        "kits_issued": 0,
        "advice_given_share": None,
        "csi_requested": 0,
        "repeat_victims": 0,
        "vulnerable_victims": 0,
        "awaiting_review": 0,
    }
    assert stats["by_area"] == stats["by_team"] == stats["by_officer"] == []
