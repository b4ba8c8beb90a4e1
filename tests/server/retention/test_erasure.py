"""An administrator erases one visit: nothing of it can be found afterwards in any table, file or
object, on both databases and both photo stores; phones drop it by pull; the audit stays."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from harness.images import jpeg_bytes, sha256_hex
from harness.phone import Phone, PhotoPhone, new_id
from harness.tus import TusClient
from server.audit.models import AuditAction, AuditEvent
from server.settings import Settings
from server.visits.models import Visit
from tests.server.retention.scan import stored_objects, traces
from tests.server.supervision.phone_visits import complete_fields
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
VICTIM = "Margaret Ellis"
POSTCODE = "WR3 8JE"
STREET = "Lansdowne Crescent"
NEIGHBOUR_POSTCODE = "WR1 2NP"
REASON = {"basis": "recorded_in_error", "reason": "visit recorded against the wrong crime"}


async def _visit_with_everything(officer: Person, data: bytes) -> tuple[Phone, str, list[str]]:
    """A completed visit with a property item, a kit to a neighbour and a verified photo whose
    derivatives exist, returned once by a supervisor with a note; returns the child ids."""
    photos = PhotoPhone(officer.client)
    phone = photos.phone
    visit_id = new_id()
    item_id, kit_id = new_id(), new_id()
    pushed = await phone.push(
        phone.mutation("visits", visit_id, complete_fields(**{"victim.phone": "07700 900123"})),
        phone.mutation(
            "property_items",
            item_id,
            {"visit_id": visit_id, "description": f"{VICTIM}'s laptop", "marks_or_serial": "SN-1"},
        ),
        phone.mutation(
            "kit_issues",
            kit_id,
            {
                "visit_id": visit_id,
                "kit_code": "SW-12345",
                "recipient": "neighbour",
                "recipient_name": "Neil Bower",
                "address.postcode": NEIGHBOUR_POSTCODE,
            },
        ),
    )
    assert [r["status"] for r in pushed.json()["results"]] == ["applied"] * 3, pushed.text
    _, photo_id = await photos.record_photo(
        data, visit_id=visit_id, declare={"caption": f"{STREET} back door"}
    )
    await TusClient(officer.client).upload(photo_id, visit_id, data)
    assert (await officer.client.get(f"/api/photos/{photo_id}/display")).status_code == 200
    completed = await phone.push(
        phone.mutation("visits", visit_id, {"status": "completed"}, base_rev=1)
    )
    assert completed.json()["results"][0]["status"] == "applied", completed.text
    await phone.pull_all()
    return phone, visit_id, [item_id, kit_id, photo_id]


@pytest.mark.parametrize("store_kind", ["fs", "s3"])
async def test_an_erased_visit_leaves_nothing_in_any_table_file_or_object(
    enrolled: Enrolled, settings: Settings, store_kind: str
) -> None:
    officer = await enrolled()
    supervisor = (await enrolled(role="supervisor")).client
    admin = (await enrolled(role="admin")).client
    data = jpeg_bytes((320, 240), noise=True)
    sha = sha256_hex(data)
    phone, visit_id, children = await _visit_with_everything(officer, data)
    returned = await supervisor.post(
        f"/api/visits/{visit_id}/review",
        json={"decision": "return", "note": f"Ask {VICTIM} for the serial number"},
    )
    assert returned.status_code == 200, returned.text
    assert (await supervisor.get(f"/api/visits/{visit_id}")).status_code == 200
    secrets = [VICTIM, POSTCODE, STREET, NEIGHBOUR_POSTCODE, "07700 900123", "Neil Bower", sha]
    assert await traces(settings, secrets, data)  # the scan does find a live visit

    erased = await admin.post(f"/api/admin/visits/{visit_id}/erase", json=REASON)
    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert body["records"] == {"visits": 1, "property_items": 1, "kit_issues": 1, "photos": 1}
    assert body["objects_removed"] >= 3  # the original, its display copy and thumbnail
    assert body["objects_pending"] == 0

    assert await traces(settings, secrets, data) == []
    assert stored_objects(settings) == {}

    # The phone drops the visit and its records: a tombstone for each, by pull.
    dropped = {c["id"]: c for c in await phone.pull_all()}
    for record_id in [visit_id, *children]:
        assert dropped[record_id]["deleted"] is True
        assert dropped[record_id]["record"] is None
    # Nobody sees it any more; the audit log keeps what happened, and says it was erased.
    assert (await supervisor.get(f"/api/visits/{visit_id}")).status_code == 404
    assert (await officer.client.get(f"/api/photos/{children[2]}/original")).status_code == 404
    erase_rows = await AuditEvent.filter(action=AuditAction.ERASE).order_by("id")
    assert {(r.record_type, r.record_id) for r in erase_rows} == {
        ("visits", visit_id),
        ("property_items", children[0]),
        ("kit_issues", children[1]),
        ("photos", children[2]),
    }
    assert {r.reason for r in erase_rows} == {f"recorded_in_error: {REASON['reason']}"}
    assert await AuditEvent.filter(record_id=visit_id, action=AuditAction.COLLECT).exists()
    tombstone = await Visit.get(id=visit_id)
    assert (tombstone.deleted, tombstone.erased_at is not None) == (True, True)

    again = await admin.post(f"/api/admin/visits/{visit_id}/erase", json=REASON)
    assert again.status_code == 409
    pushed = await phone.push(
        phone.mutation("visits", visit_id, {"victim.name": VICTIM}, base_rev=3)
    )
    assert pushed.json()["results"][0]["error"]["code"] == "deleted"


@pytest.mark.parametrize("store_kind", ["fs", "s3"])
async def test_an_original_another_visit_names_is_kept(
    enrolled: Enrolled, settings: Settings, store_kind: str
) -> None:
    first, second = await enrolled(), await enrolled()
    admin = (await enrolled(role="admin")).client
    data = jpeg_bytes((320, 240), noise=True)
    _, erased_visit, _ = await _visit_with_everything(first, data)
    _, kept_visit, kept_children = await _visit_with_everything(second, data)
    response = await admin.post(f"/api/admin/visits/{erased_visit}/erase", json=REASON)
    assert response.status_code == 200, response.text
    assert response.json()["objects_removed"] == 0
    original = await second.client.get(f"/api/photos/{kept_children[2]}/original")
    assert original.status_code == 200
    assert original.content == data
    assert (await Visit.get(id=kept_visit)).victim_name == VICTIM


async def test_erasing_asks_for_a_reason_and_an_existing_visit(enrolled: Enrolled) -> None:
    admin = (await enrolled(role="admin")).client
    missing = await admin.post(f"/api/admin/visits/{new_id()}/erase", json=REASON)
    assert missing.status_code == 404
    short = await admin.post(
        f"/api/admin/visits/{new_id()}/erase", json={"basis": "other", "reason": "x"}
    )
    assert short.status_code == 422
