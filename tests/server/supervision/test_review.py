"""The supervisor's review: approve or return a completed visit, never one's own."""

from __future__ import annotations

from harness.phone import Phone, new_id
from server.visits.models import Visit
from server.visits.schemas import VisitRecord
from server.visits.service import create_visit
from tests.server.supervision.phone_visits import Enrolled, completed_visit
from tests.support.context import SystemContext


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


async def test_review_own_visit_is_403(enrolled: Enrolled, system_ctx: SystemContext) -> None:
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
    visit = await create_visit(sergeant.officer, record, ctx=system_ctx())
    response = await sergeant.client.post(
        f"/api/visits/{visit.id}/review", json={"decision": "approve"}
    )
    assert response.status_code == 403
    assert (await Visit.get(id=visit.id)).status == "completed"
