"""Reading the audit: a visit's trail for supervisors in scope and for auditors, the whole log
for auditors, no victims' data for auditors anywhere, and every reading itself audited."""

from __future__ import annotations

from harness.phone import Phone, new_id
from server.audit.models import AuditAction, AuditEvent
from tests.server.supervision.phone_visits import Enrolled, completed_visit


async def test_a_visits_trail_says_who_collected_viewed_changed_exported_and_erased_it(
    enrolled: Enrolled,
) -> None:
    officer = await enrolled(team="Team A", area="Area X")
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    auditor = await enrolled(role="auditor", team="Team Z", area="Area Z")
    admin = (await enrolled(role="admin")).client
    phone, visit_id = await completed_visit(officer)
    item_id = new_id()
    await sergeant.client.post(
        f"/api/visits/{visit_id}/review", json={"decision": "return", "note": "Add the serial"}
    )
    await phone.pull_all()
    await phone.push(phone.mutation("property_items", item_id, {"visit_id": visit_id}))
    assert (await sergeant.client.get(f"/api/visits/{visit_id}")).status_code == 200
    exported = await sergeant.client.get(
        "/api/exports/visits.csv", params={"reason": "burglary review meeting"}
    )
    assert exported.status_code == 200
    await admin.post(
        f"/api/admin/visits/{visit_id}/erase",
        json={"basis": "recorded_in_error", "reason": "entered against the wrong report"},
    )

    for reader in (sergeant, auditor):
        response = await reader.client.get(f"/api/visits/{visit_id}/audit")
        assert response.status_code == 200, response.text
        rows = response.json()["rows"]
        actions = {(r["action"], r["record_type"]) for r in rows}
        assert {
            ("collect", "visits"),
            ("consult", "visits"),
            ("alter", "visits"),
            ("disclose", "visits"),
            ("erase", "visits"),
            ("collect", "property_items"),
            ("erase", "property_items"),
        } <= actions
        collected = next(r for r in rows if r["action"] == "collect")
        assert collected["actor"]["collar_number"] == officer.officer.collar_number
        exported_row = next(r for r in rows if r["action"] == "disclose")
        assert exported_row["reason"] == "burglary review meeting"
        assert "Margaret" not in response.text  # identifiers only
    readings = await AuditEvent.filter(action=AuditAction.CONSULT, record_type="audit")
    assert {(r.actor_id, r.record_id) for r in readings} == {
        (sergeant.officer.id, visit_id),
        (auditor.officer.id, visit_id),
    }


async def test_only_supervisors_in_scope_and_auditors_read_a_trail(enrolled: Enrolled) -> None:
    officer = await enrolled(team="Team A", area="Area X")
    _, visit_id = await completed_visit(officer)
    elsewhere = await enrolled(role="supervisor", team="Team B", area="Area Y")
    assert (await elsewhere.client.get(f"/api/visits/{visit_id}/audit")).status_code == 404
    assert (await officer.client.get(f"/api/visits/{visit_id}/audit")).status_code == 403
    admin = await enrolled(role="admin")
    assert (await admin.client.get(f"/api/visits/{visit_id}/audit")).status_code == 403
    auditor = await enrolled(role="auditor")
    assert (await auditor.client.get(f"/api/visits/{new_id()}/audit")).status_code == 404


async def test_auditors_search_the_log_but_never_see_victims_data(enrolled: Enrolled) -> None:
    officer = await enrolled()
    _, visit_id = await completed_visit(officer)
    auditor = (await enrolled(role="auditor")).client
    for path in ("/api/visits", f"/api/visits/{visit_id}", "/api/stats"):
        assert (await auditor.get(path)).status_code == 403
    phone = Phone(auditor)
    assert await phone.pull_all() == []
    pushed = await phone.push(phone.mutation("visits", visit_id, {"victim.name": "X"}))
    assert pushed.json()["results"][0]["error"]["code"] == "forbidden"

    mine = await auditor.get(
        "/api/audit", params={"actor_id": str(officer.officer.id), "action": "collect"}
    )
    assert mine.status_code == 200, mine.text
    assert [(r["record_type"], r["record_id"]) for r in mine.json()["rows"]] == [
        ("visits", visit_id)
    ]
    first = (await auditor.get("/api/audit", params={"limit": 2})).json()
    assert len(first["rows"]) == 2
    second = (
        await auditor.get("/api/audit", params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    assert second["rows"][0]["id"] > first["rows"][-1]["id"]
    bad = await auditor.get(
        "/api/audit",
        params={"date_from": "2026-02-01T00:00:00Z", "date_to": "2026-01-01T00:00:00Z"},
    )
    assert bad.status_code == 422
    searches = await AuditEvent.filter(record_type="audit", record_id="log").order_by("id")
    assert searches[0].reason == (
        f"audit log search: actor_id={officer.officer.id}, action=collect"
    )
    supervisor = (await enrolled(role="supervisor")).client
    assert (await supervisor.get("/api/audit")).status_code == 403
