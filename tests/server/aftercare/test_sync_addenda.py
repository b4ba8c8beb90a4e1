"""Addenda by sync: on a sealed visit only, append-only, the visit's own fields untouched."""

from __future__ import annotations

from harness.phone import Phone, new_id
from server.aftercare.models import Addendum
from server.audit.models import AuditEvent
from server.visits.models import Visit
from tests.server.aftercare.phone_aftercare import push_one
from tests.server.supervision.phone_visits import Enrolled, complete_fields, completed_visit


async def test_addendum_on_a_completed_visit_syncs_and_leaves_the_visit_sealed(
    enrolled: Enrolled,
) -> None:
    officer = await enrolled(team="Team A")
    phone, visit_id = await completed_visit(officer)
    before = await Visit.get(id=visit_id)

    result = await push_one(
        phone,
        "addenda",
        {
            "visit_id": visit_id,
            "kind": "evidence_collected",
            "evidence_kind": "cctv",
            "occurred_at": "2026-11-24T10:00:00Z",
            "text": "Footage from No. 16 collected on a USB stick",
            "exhibit_reference": "JS/1",
        },
    )
    assert result["status"] == "applied", result
    row = await Addendum.get(id=result["id"])
    assert row.author_id == officer.officer.id  # type: ignore[attr-defined]
    after = await Visit.get(id=visit_id)
    assert (after.rev, after.version > 0, after.status) == (before.rev, True, before.status)

    pulled = {c["id"]: c for c in await phone.pull_all()}
    record = pulled[result["id"]]
    assert record["collection"] == "addenda"
    assert record["record"]["evidence_kind"] == "cctv"
    assert record["record"]["meta.author_id"] == str(officer.officer.id)
    audit = await AuditEvent.filter(record_type="addenda", record_id=result["id"])
    assert [a.action for a in audit] == ["collect", "consult"]  # pushed, then pulled


async def test_addendum_on_a_draft_is_refused_edit_the_visit_instead(enrolled: Enrolled) -> None:
    officer = await enrolled()
    phone = Phone(officer.client)
    visit_id = new_id()
    await phone.push(phone.mutation("visits", visit_id, complete_fields()))
    result = await push_one(phone, "addenda", {"visit_id": visit_id, "kind": "note", "text": "x"})
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "visit_not_completed"
    assert "edit the visit instead" in result["error"]["message"]
    assert not await Addendum.exists()


async def test_addenda_are_append_only_a_correction_is_a_new_one(enrolled: Enrolled) -> None:
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer)
    first = await push_one(phone, "addenda", {"visit_id": visit_id, "kind": "note", "text": "A"})
    assert first["status"] == "applied"
    same = await push_one(
        phone, "addenda", {"kind": "note", "text": "A"}, record_id=first["id"], base_rev=1
    )
    assert same["status"] == "applied"  # an unchanged resend changes nothing
    changed = await push_one(phone, "addenda", {"text": "B"}, record_id=first["id"], base_rev=1)
    assert changed["error"]["code"] == "append_only"
    deleted = await push_one(phone, "addenda", {}, record_id=first["id"], op="delete", base_rev=1)
    assert deleted["error"]["code"] == "append_only"
    fix = await push_one(
        phone,
        "addenda",
        {"visit_id": visit_id, "kind": "note", "text": "B", "corrects_id": first["id"]},
    )
    assert fix["status"] == "applied"
    assert (await Addendum.get(id=first["id"])).text == "A"


async def test_addendum_refused_for_strangers_and_for_references_off_the_visit(
    enrolled: Enrolled,
) -> None:
    owner = await enrolled(team="Team A")
    _, visit_id = await completed_visit(owner)
    stranger = Phone((await enrolled(team="Team A")).client)
    result = await push_one(
        stranger, "addenda", {"visit_id": visit_id, "kind": "note", "text": "x"}
    )
    assert result["error"]["code"] == "not_found"

    phone, other_visit = await completed_visit(owner)
    wrong_kit = await push_one(
        phone,
        "addenda",
        {"visit_id": other_visit, "kind": "kit_registered", "kit_issue_id": new_id()},
    )
    assert wrong_kit["error"]["code"] == "validation_failed"
    assert wrong_kit["error"]["details"]["field"] == "kit_issue_id"
    no_kit = await push_one(phone, "addenda", {"visit_id": other_visit, "kind": "kit_registered"})
    assert no_kit["error"]["code"] == "validation_failed"
    assert "kit_issue_id is required" in no_kit["error"]["message"]
