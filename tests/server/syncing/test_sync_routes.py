"""Push and pull through the real endpoints."""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Awaitable, Callable

from harness.phone import Phone, new_id
from server.audit.models import AuditAction, AuditEvent
from server.feed.models import Revision
from server.syncing.models import ReceivedMutation
from server.visits.models import Visit
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]

COMPLETE = {
    "reference.crime_reference": "22/41871/26",
    "reference.reported_at": "2026-11-23T07:00:00Z",
    "attendance.arrived_at": "2026-11-23T08:30:00Z",
    "address.line1": "14 Lansdowne Crescent",
    "address.postcode": "wr3 8je",
    "victim.name": "Margaret Ellis",
    "victim.victims_code_given": True,
    "offence.type": "dwelling",
}


async def test_push_creates_visit_and_pull_returns_it(enrolled: Enrolled) -> None:
    officer = await enrolled()
    phone = Phone(officer.client)
    visit_id = new_id()
    response = await phone.push(phone.mutation("visits", visit_id, {"victim.name": "Ann Smith"}))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "last_seq": 1,
        "results": [{"seq": 1, "status": "applied", "rev": 1, "error": None}],
    }
    changes = await phone.pull_all()
    assert [c["id"] for c in changes] == [visit_id]
    assert changes[0]["record"]["victim.name"] == "Ann Smith"
    assert changes[0]["rev"] == 1
    visit = await Visit.get(id=visit_id)
    assert visit.officer_id == officer.officer.id  # type: ignore[attr-defined]
    assert await Revision.filter(record_id=visit_id).count() == 1
    assert await AuditEvent.filter(action=AuditAction.COLLECT, record_id=visit_id).count() == 1


async def test_push_same_batch_twice_applies_once_and_returns_same_results(
    enrolled: Enrolled,
) -> None:
    officer = await enrolled()
    phone = Phone(officer.client)
    visit_id = new_id()
    batch = [
        phone.mutation("visits", visit_id, {"victim.name": "Ann"}),
        phone.mutation("kit_issues", new_id(), {"visit_id": visit_id, "kit_code": "SW-0001"}),
    ]
    first = await phone.push(*batch)
    second = await phone.push(*batch)
    assert first.json() == second.json()
    assert await Revision.all().count() == 2
    assert await ReceivedMutation.all().count() == 2


async def test_push_seq_gap_is_409_with_expected(enrolled: Enrolled) -> None:
    officer = await enrolled()
    phone = Phone(officer.client)
    phone.seq = 4
    response = await phone.push(phone.mutation("visits", new_id(), {"victim.name": "A"}))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "seq_gap"
    assert response.json()["error"]["details"]["expected"] == 1


async def test_push_reused_seq_with_other_content_is_409(enrolled: Enrolled) -> None:
    officer = await enrolled()
    phone = Phone(officer.client)
    visit_id = new_id()
    await phone.push(phone.mutation("visits", visit_id, {"victim.name": "A"}))
    phone.seq = 0
    response = await phone.push(phone.mutation("visits", visit_id, {"victim.name": "B"}))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "seq_reused"
    assert (await Visit.get(id=visit_id)).victim_name == "A"


async def test_push_bad_postcode_is_rejected_kept_and_queue_goes_on(enrolled: Enrolled) -> None:
    officer = await enrolled()
    phone = Phone(officer.client)
    visit_id = new_id()
    response = await phone.push(
        phone.mutation("visits", visit_id, {"victim.name": "A"}),
        phone.mutation("visits", visit_id, {"address.postcode": "NOPE"}, base_rev=1),
        phone.mutation("visits", visit_id, {"address.postcode": "wr3 8je"}, base_rev=1),
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["error"]["code"] == "validation_failed"
    assert results[1]["error"]["details"]["field"] == "address.postcode"
    assert response.json()["last_seq"] == 3
    kept = await ReceivedMutation.get(seq=2)
    assert kept.status == "rejected"
    assert kept.fields_json == {"address.postcode": "NOPE"}
    assert (await Visit.get(id=visit_id)).address_postcode == "WR3 8JE"


async def test_push_complete_visit_missing_fields_is_rejected_with_list(
    enrolled: Enrolled,
) -> None:
    officer = await enrolled()
    phone = Phone(officer.client)
    visit_id = new_id()
    response = await phone.push(
        phone.mutation("visits", visit_id, {"victim.name": "A", "status": "completed"})
    )
    result = response.json()["results"][0]
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "incomplete"
    assert "address.postcode" in result["error"]["details"]["missing"]


async def test_push_complete_visit_locks_it_for_the_officer(enrolled: Enrolled) -> None:
    officer = await enrolled()
    phone = Phone(officer.client)
    visit_id = new_id()
    done = await phone.push(phone.mutation("visits", visit_id, {**COMPLETE, "status": "completed"}))
    assert done.json()["results"][0]["status"] == "applied", done.text
    visit = await Visit.get(id=visit_id)
    assert visit.status == "completed"
    assert visit.completed_at is not None
    edit = await phone.push(phone.mutation("visits", visit_id, {"victim.name": "B"}, base_rev=1))
    assert edit.json()["results"][0]["error"]["code"] == "visit_locked"
    kit = await phone.push(
        phone.mutation("kit_issues", new_id(), {"visit_id": visit_id, "kit_code": "SW-1"})
    )
    assert kit.json()["results"][0]["error"]["code"] == "visit_locked"


async def test_push_conflict_keeps_the_overwritten_value(enrolled: Enrolled) -> None:
    officer = await enrolled()
    phone_a, phone_b = Phone(officer.client), Phone(officer.client)
    visit_id = new_id()
    await phone_a.push(phone_a.mutation("visits", visit_id, {"victim.name": "Ann Smith"}))
    b = await phone_b.push(
        phone_b.mutation("visits", visit_id, {"victim.name": "Anne Smith"}, base_rev=1)
    )
    assert b.json()["results"][0]["status"] == "applied"
    a = await phone_a.push(
        phone_a.mutation("visits", visit_id, {"victim.name": "Ann Smyth"}, base_rev=1)
    )
    assert a.json()["results"][0]["status"] == "conflict"
    changes = await phone_a.pull_all()
    assert changes[0]["record"]["victim.name"] == "Ann Smyth"
    assert changes[0]["conflicts"][0]["value"] == "Anne Smith"


async def test_push_gzip_body_is_accepted(enrolled: Enrolled) -> None:
    officer = await enrolled()
    phone = Phone(officer.client)
    body = json.dumps(
        {
            "client_id": phone.client_id,
            "mutations": [phone.mutation("visits", new_id(), {"victim.name": "Zoë"})],
        }
    ).encode()
    response = await officer.client.post(
        "/api/sync/push",
        content=gzip.compress(body),
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] == "applied"


async def test_pull_other_officers_visit_is_not_delivered(enrolled: Enrolled) -> None:
    a, b = await enrolled(), await enrolled()
    phone_a, phone_b = Phone(a.client), Phone(b.client)
    visit_id = new_id()
    await phone_a.push(phone_a.mutation("visits", visit_id, {"victim.name": "A"}))
    assert await phone_b.pull_all() == []
    steal = await phone_b.push(
        phone_b.mutation("visits", visit_id, {"victim.name": "B"}, base_rev=1)
    )
    assert steal.json()["results"][0]["error"]["code"] == "not_found"
    assert (await Visit.get(id=visit_id)).victim_name == "A"


async def test_pull_writes_one_consult_row_per_record_delivered(enrolled: Enrolled) -> None:
    officer = await enrolled()
    phone = Phone(officer.client)
    visit_id, kit_id = new_id(), new_id()
    await phone.push(
        phone.mutation("visits", visit_id, {"victim.name": "A"}),
        phone.mutation("kit_issues", kit_id, {"visit_id": visit_id, "kit_code": "SW-0042"}),
    )
    before = await AuditEvent.all().count()
    await phone.pull_all()
    rows = await AuditEvent.filter(id__gt=before).order_by("id")
    assert sorted((r.action, r.record_type, r.record_id) for r in rows) == sorted(
        [
            (AuditAction.CONSULT, "visits", visit_id),
            (AuditAction.CONSULT, "kit_issues", kit_id),
        ]
    )
    assert {r.device_id for r in rows} == {uuid.UUID(officer.device_id)}
    before = await AuditEvent.all().count()
    await phone.pull_all()  # nothing new delivered: nothing consulted
    assert await AuditEvent.filter(id__gt=before).count() == 0
