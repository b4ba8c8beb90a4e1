"""The pledge figures, checked against figures worked by hand."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from harness.phone import Phone, new_id
from server.visits.models import KitIssue
from tests.server.supervision.phone_visits import T0, Enrolled, complete_fields


async def test_stats_match_hand_worked_figures(enrolled: Enrolled) -> None:
    """Five visits in team A with report-to-arrival of 1, 2, 3, 4 and 30 hours.

    Worked by hand (percentile_cont, linear between ranks):
      median: position 1 + 0.5 x 4 = 3 -> 3 h = 10800 s
      p90:    position 1 + 0.9 x 4 = 4.6 -> 4 h + 0.6 x (30 h - 4 h) = 19.6 h = 70560 s
      within 24 h: 4 of 5 = 0.8; kits: 2 on visit 1 + 1 on visit 2 = 3
      advice given on visits 1 and 3 = 0.4; CSI on visit 5; repeat victim on visit 2;
      vulnerable on visits 2 and 4; awaiting review: 3 completed.
    Team B's one visit (100 h) is another team: a team-A supervisor never sees it.
    """
    a1 = await enrolled(team="Team A", area="Area X")
    a2 = await enrolled(team="Team A", area="Area X")
    b1 = await enrolled(team="Team B", area="Area X")
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    inspector = await enrolled(role="supervisor", team="Team C", area="Area X", scope="area")
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
        if n < 3:
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
    phone_b = Phone(b1.client)
    await phone_b.push(
        phone_b.mutation(
            "visits",
            new_id(),
            complete_fields(
                **{
                    "reference.reported_at": T0.isoformat(),
                    "attendance.arrived_at": (T0 + timedelta(hours=100)).isoformat(),
                }
            ),
        )
    )

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
