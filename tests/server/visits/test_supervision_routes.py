"""The supervisor's workspace: find, read, review, figures and export, always within scope."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from harness.phone import Phone, new_id
from server.audit.models import AuditAction, AuditEvent
from server.exports.service import escape_cell
from server.visits.models import KitIssue, Visit
from server.visits.schemas import VisitRecord
from server.visits.service import create_visit
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def complete_fields(**overrides: Any) -> dict[str, Any]:
    """The fields a visit needs before it can be completed."""
    fields = {
        "reference.crime_reference": "22/41871/26",
        "reference.reported_at": "2026-11-23T07:00:00Z",
        "attendance.arrived_at": "2026-11-23T08:30:00Z",
        "address.line1": "14 Lansdowne Crescent",
        "address.postcode": "WR3 8JE",
        "victim.name": "Margaret Ellis",
        "victim.victims_code_given": True,
        "offence.type": "dwelling",
    }
    fields.update(overrides)
    return fields


async def completed_visit(officer: Person, **overrides: Any) -> tuple[Phone, str]:
    """An officer's phone creates and completes a visit; returns the phone and visit id."""
    phone = Phone(officer.client)
    visit_id = new_id()
    response = await phone.push(
        phone.mutation("visits", visit_id, {**complete_fields(**overrides), "status": "completed"})
    )
    assert response.json()["results"][0]["status"] == "applied", response.text
    return phone, visit_id


async def test_review_loop_return_fix_complete_approve_reaches_the_phone(
    enrolled: Enrolled,
) -> None:
    officer = await enrolled(team="Team A", area="Area X")
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    phone, visit_id = await completed_visit(officer)

    returned = await sergeant.client.post(
        f"/api/visits/{visit_id}/review",
        json={"decision": "return", "note": "Add the CSI reference please"},
    )
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned"

    record = next(c for c in await phone.pull_all() if c["id"] == visit_id)
    assert record["record"]["status"] == "returned"
    assert record["record"]["review.note"] == "Add the CSI reference please"

    fixed = await phone.push(
        phone.mutation(
            "visits",
            visit_id,
            {"enquiry.csi_reference": "CSI-7781", "status": "completed"},
            base_rev=record["rev"],
        )
    )
    assert fixed.json()["results"][0]["status"] == "applied", fixed.text

    approved = await sergeant.client.post(
        f"/api/visits/{visit_id}/review", json={"decision": "approve"}
    )
    assert approved.status_code == 200
    final = next(c for c in await phone.pull_all() if c["id"] == visit_id)
    assert final["record"]["status"] == "approved"
    detail = (await sergeant.client.get(f"/api/visits/{visit_id}")).json()
    assert [r["decision"] for r in detail["reviews"]] == ["return", "approve"]
    assert [r["op"] for r in detail["revisions"]] == ["create", "review", "put", "review"]


async def test_review_draft_visit_is_409(enrolled: Enrolled) -> None:
    officer = await enrolled(team="Team A")
    sergeant = await enrolled(role="supervisor", team="Team A")
    phone = Phone(officer.client)
    visit_id = new_id()
    await phone.push(phone.mutation("visits", visit_id, {"victim.name": "A"}))
    response = await sergeant.client.post(
        f"/api/visits/{visit_id}/review", json={"decision": "approve"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_reviewable"


async def test_review_return_without_note_is_422(enrolled: Enrolled) -> None:
    officer = await enrolled(team="Team A")
    sergeant = await enrolled(role="supervisor", team="Team A")
    _, visit_id = await completed_visit(officer)
    response = await sergeant.client.post(
        f"/api/visits/{visit_id}/review", json={"decision": "return", "note": "  "}
    )
    assert response.status_code == 422


async def test_review_own_visit_is_403(enrolled: Enrolled) -> None:
    sergeant = await enrolled(role="supervisor", team="Team A")
    record = VisitRecord.model_validate(
        {
            "status": "completed",
            "reference": {"crime_reference": "22/1/26", "reported_at": "2026-11-23T07:00:00Z"},
            "attendance": {"arrived_at": "2026-11-23T08:00:00Z"},
            "address": {"line1": "1 High St", "postcode": "WR1 1AA"},
            "victim": {"name": "A", "victims_code_given": True},
            "offence": {"type": "dwelling"},
        }
    )
    visit = await create_visit(sergeant.officer, record)
    response = await sergeant.client.post(
        f"/api/visits/{visit.id}/review", json={"decision": "approve"}
    )
    assert response.status_code == 403
    assert (await Visit.get(id=visit.id)).status == "completed"


async def test_supervisor_of_team_a_gets_404_for_team_b_on_every_route(
    enrolled: Enrolled,
) -> None:
    officer_b = await enrolled(team="Team B", area="Area X")
    sergeant_a = await enrolled(role="supervisor", team="Team A", area="Area X")
    _, visit_id = await completed_visit(officer_b)
    assert (await sergeant_a.client.get(f"/api/visits/{visit_id}")).status_code == 404
    review = await sergeant_a.client.post(
        f"/api/visits/{visit_id}/review", json={"decision": "approve"}
    )
    assert review.status_code == 404
    listed = (await sergeant_a.client.get("/api/visits")).json()["visits"]
    assert visit_id not in [v["id"] for v in listed]
    export = await sergeant_a.client.get(
        "/api/exports/visits.csv", params={"reason": "monthly return"}
    )
    assert visit_id not in export.text
    stats = (await sergeant_a.client.get("/api/stats")).json()
    assert stats["total"]["visits"] == 0


async def test_list_visits_filters_and_pages_newest_first(enrolled: Enrolled) -> None:
    officer = await enrolled(team="Team A")
    sergeant = await enrolled(role="supervisor", team="Team A")
    phone = Phone(officer.client)
    ids = []
    for n in range(7):
        visit_id = new_id()
        ids.append(visit_id)
        postcode = "WR3 8JE" if n % 2 else "WR14 2AY"
        await phone.push(
            phone.mutation(
                "visits",
                visit_id,
                {
                    "reference.crime_reference": f"22/{1000 + n}/26",
                    "reference.reported_at": (T0 + timedelta(days=n)).isoformat(),
                    "address.postcode": postcode,
                },
            )
        )
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await sergeant.client.get("/api/visits", params=params)).json()
        seen += [v["id"] for v in page["visits"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen)) == 7

    by_postcode = (await sergeant.client.get("/api/visits", params={"postcode": "wr3"})).json()
    assert {v["postcode"] for v in by_postcode["visits"]} == {"WR3 8JE"}
    by_ref = await sergeant.client.get("/api/visits", params={"crime_reference": "22/1003"})
    assert [v["crime_reference"] for v in by_ref.json()["visits"]] == ["22/1003/26"]
    ranged = await sergeant.client.get(
        "/api/visits",
        params={
            "date_from": (T0 + timedelta(days=2)).isoformat(),
            "date_to": (T0 + timedelta(days=4)).isoformat(),
        },
    )
    assert len(ranged.json()["visits"]) == 2
    by_status = await sergeant.client.get("/api/visits", params={"status": "approved"})
    assert by_status.json()["visits"] == []
    bad = await sergeant.client.get("/api/visits", params={"status": "lost"})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["fields"][0]["field"] == "status"


async def test_visit_detail_writes_one_consult_audit_row(enrolled: Enrolled) -> None:
    officer = await enrolled(team="Team A")
    sergeant = await enrolled(role="supervisor", team="Team A")
    _, visit_id = await completed_visit(officer)
    before = await AuditEvent.all().count()
    response = await sergeant.client.get(f"/api/visits/{visit_id}")
    assert response.status_code == 200
    detail = response.json()
    assert detail["sections"]["victim"]["name"] == "Margaret Ellis"
    rows = await AuditEvent.filter(id__gt=before)
    assert [(r.action, r.record_id, r.actor_id) for r in rows] == [
        (AuditAction.CONSULT, visit_id, sergeant.officer.id)
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+44 7700", "'+44 7700"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Margaret", "Margaret"),
        (None, ""),
        (True, "yes"),
    ],
)
def test_escape_cell_neutralises_formulas(value: Any, expected: str) -> None:
    assert escape_cell(value) == expected


async def test_export_csv_requires_reason_streams_escaped_and_audits_each_visit(
    enrolled: Enrolled,
) -> None:
    officer = await enrolled(team="Team A")
    sergeant = await enrolled(role="supervisor", team="Team A")
    _, first = await completed_visit(officer, **{"victim.name": "=cmd|' /C calc'!A0"})
    _, second = await completed_visit(officer)
    missing = await sergeant.client.get("/api/exports/visits.csv")
    assert missing.status_code == 422
    assert missing.json()["error"]["details"]["fields"][0]["field"] == "reason"
    before = await AuditEvent.all().count()
    response = await sergeant.client.get(
        "/api/exports/visits.csv", params={"reason": "Monthly pledge return to the PCC"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["visit_id"] for r in rows} == {first, second}
    names = {r["victim_name"] for r in rows}
    assert "'=cmd|' /C calc'!A0" in names
    audit = await AuditEvent.filter(id__gt=before)
    assert sorted(a.record_id for a in audit) == sorted([first, second])
    assert {(a.action, a.reason, a.recipient) for a in audit} == {
        (AuditAction.DISCLOSE, "Monthly pledge return to the PCC", "CSV export")
    }


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
