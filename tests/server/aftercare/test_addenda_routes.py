"""Supervisors' addenda online, and the aftercare section of a visit (detail and history)."""

from __future__ import annotations

from harness.phone import Phone, new_id
from server.aftercare.models import Addendum
from server.audit.models import AuditEvent
from server.visits.models import KitIssue, Visit
from tests.server.aftercare.phone_aftercare import push_one
from tests.server.supervision.phone_visits import Enrolled, complete_fields, completed_visit


async def _visit_with_kit(officer_phone: Phone) -> tuple[str, str]:
    """A visit completed with a kit whose registration is still to do."""
    visit_id, kit_id = new_id(), new_id()
    await officer_phone.push(
        officer_phone.mutation("visits", visit_id, complete_fields()),
        officer_phone.mutation(
            "kit_issues",
            kit_id,
            {"visit_id": visit_id, "kit_code": "SW-12345", "registration": "to_do"},
        ),
        officer_phone.mutation("visits", visit_id, {"status": "completed"}, base_rev=1),
    )
    assert (await Visit.get(id=visit_id)).status == "completed"
    return visit_id, kit_id


async def test_supervisor_adds_an_addendum_the_phone_pulls_it_and_history_shows_it(
    enrolled: Enrolled,
) -> None:
    officer = await enrolled(team="Team A", area="Area X")
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    phone = Phone(officer.client)
    visit_id, kit_id = await _visit_with_kit(phone)
    addendum_id = new_id()
    body = {"id": addendum_id, "kind": "kit_registered", "kit_issue_id": kit_id, "text": "Online"}

    created = await sergeant.client.post(f"/api/visits/{visit_id}/addenda", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["author"]["id"] == str(sergeant.officer.id)
    assert created.json()["fields"]["kit_issue_id"] == kit_id
    retried = await sergeant.client.post(f"/api/visits/{visit_id}/addenda", json=body)
    assert retried.status_code == 200
    clash = await sergeant.client.post(
        f"/api/visits/{visit_id}/addenda", json={**body, "text": "Other"}
    )
    assert clash.status_code == 409
    assert await Addendum.filter(visit_id=visit_id).count() == 1
    # The kit's own record is sealed with the visit: the addendum says it is registered.
    assert (await KitIssue.get(id=kit_id)).registration == "to_do"

    detail = (await sergeant.client.get(f"/api/visits/{visit_id}")).json()
    assert detail["aftercare"]["kits_registered"] == [kit_id]
    assert [a["id"] for a in detail["aftercare"]["addenda"]] == [addendum_id]
    history = [(r["collection"], r["op"]) for r in detail["revisions"]]
    assert ("addenda", "create") in history
    author = next(r for r in detail["revisions"] if r["collection"] == "addenda")
    assert author["author"] == f"user:{sergeant.officer.id}"
    audit = await AuditEvent.filter(record_type="addenda", record_id=addendum_id)
    assert [a.action for a in audit] == ["collect", "consult"]

    pulled = {c["id"]: c for c in await phone.pull_all()}
    assert pulled[addendum_id]["record"]["visit_id"] == visit_id
    assert pulled[addendum_id]["record"]["kind"] == "kit_registered"
    own = await officer.client.get(f"/api/visits/{visit_id}/aftercare")
    assert own.status_code == 200
    assert own.json()["addenda"][0]["author"]["collar_number"] == sergeant.officer.collar_number


async def test_supervisor_addendum_refused_on_a_draft_and_out_of_scope(
    enrolled: Enrolled,
) -> None:
    officer = await enrolled(team="Team A", area="Area X")
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    elsewhere = await enrolled(role="supervisor", team="Team C", area="Area Y", scope="area")
    phone = Phone(officer.client)
    draft_id = new_id()
    await phone.push(phone.mutation("visits", draft_id, complete_fields()))
    note = {"kind": "note", "text": "CCTV collected from No. 16"}
    draft = await sergeant.client.post(f"/api/visits/{draft_id}/addenda", json=note)
    assert draft.status_code == 409
    assert draft.json()["error"]["code"] == "visit_not_completed"
    assert "edit the visit instead" in draft.json()["error"]["message"]

    _, visit_id = await completed_visit(officer)
    stranger = await elsewhere.client.post(f"/api/visits/{visit_id}/addenda", json=note)
    assert stranger.status_code == 404
    assert (await elsewhere.client.get(f"/api/visits/{visit_id}/aftercare")).status_code == 404
    bad = await sergeant.client.post(
        f"/api/visits/{visit_id}/addenda", json={"kind": "forensic_result", "forensic_type": "dna"}
    )
    assert bad.status_code == 422
    assert "forensic_outcome is required" in bad.json()["error"]["message"]
    wrong = await sergeant.client.post(
        f"/api/visits/{visit_id}/addenda",
        json={"kind": "property_recovered", "property_item_id": new_id()},
    )
    assert wrong.status_code == 422
    assert wrong.json()["error"]["details"]["fields"][0]["field"] == "property_item_id"
    approved = await sergeant.client.post(
        f"/api/visits/{visit_id}/review", json={"decision": "approve"}
    )
    assert approved.status_code == 200
    after = await sergeant.client.post(f"/api/visits/{visit_id}/addenda", json=note)
    assert after.status_code == 201
    assert (await Visit.get(id=visit_id)).status == "approved"


async def test_an_approved_visit_takes_addenda_from_its_phone_offline_queue(
    enrolled: Enrolled,
) -> None:
    """Queued offline (before the approval reached the phone), pushed after: still accepted."""
    officer = await enrolled(team="Team A")
    sergeant = await enrolled(role="supervisor", team="Team A")
    phone, visit_id = await completed_visit(officer)
    queued = phone.mutation(
        "addenda",
        new_id(),
        {"visit_id": visit_id, "kind": "evidence_collected", "evidence_kind": "doorbell"},
    )
    await sergeant.client.post(f"/api/visits/{visit_id}/review", json={"decision": "approve"})
    response = await phone.push(queued)
    assert response.json()["results"][0]["status"] == "applied"
    retried = await phone.push(queued)  # a lost answer: the same seq again, replayed
    assert retried.json()["results"][0]["status"] == "applied"
    assert await Addendum.filter(visit_id=visit_id).count() == 1
    other = await push_one(phone, "addenda", {"visit_id": visit_id, "kind": "note", "text": "ok"})
    assert other["status"] == "applied"
