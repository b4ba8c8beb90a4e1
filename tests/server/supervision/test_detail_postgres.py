"""One visit's detail on PostgreSQL (``detail_postgres``) against the ORM path it replaces
there: the same answer, the same audit rows, the same refusals."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from tortoise import connections

from harness.images import jpeg_bytes
from harness.phone import PhotoPhone, new_id
from harness.tus import TusClient
from server.advice.catalogue import load_default_catalogue
from server.audit.models import AuditEvent
from server.audit.service import verify_chain
from server.supervision import detail
from tests.server.supervision.phone_visits import Enrolled, complete_fields
from tests.support.people import Person


async def _open(person: Person, visit_id: str) -> tuple[int, Any, list[Any]]:
    """GET the detail: its status, body and the audit rows it wrote (without ids or hashes)."""
    before = await AuditEvent.all().count()
    response = await person.client.get(f"/api/visits/{visit_id}")
    rows = await AuditEvent.filter(id__gt=before).order_by("id")
    audit = [(r.action, r.record_type, r.record_id, r.actor_id, r.reason) for r in rows]
    return response.status_code, response.json(), audit


async def test_visit_detail_postgres_path_matches_orm_path(
    enrolled: Enrolled, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A visit with a photo, property, kits, advice ticked, a review and several revisions:
    the hand-written read answers what the ORM answers, byte for byte, and audits the same;
    so do a visit out of scope (404, denied) and one that is nowhere (404)."""
    if backend != "postgres":
        pytest.skip("the one-statement read is PostgreSQL's; SQLite runs the ORM path")
    await load_default_catalogue()
    officer = await enrolled(team="Team A")
    other = await enrolled(team="Team B")
    sergeant = await enrolled(role="supervisor", team="Team A")
    photos = PhotoPhone(officer.client)
    data = jpeg_bytes()
    visit_id, photo_id = await photos.record_photo(data)
    await TusClient(officer.client).upload(photo_id, visit_id, data)
    phone = photos.phone
    fields = complete_fields(**{"advice.items": [{"id": "wide-double-locks", "version": 1}]})
    pushed = await phone.push(
        phone.mutation("property_items", new_id(), {"visit_id": visit_id, "make_model": "TV"}),
        phone.mutation("property_items", new_id(), {"visit_id": visit_id, "make_model": "Tablet"}),
        phone.mutation("kit_issues", new_id(), {"visit_id": visit_id, "kit_code": "SW-0001"}),
        phone.mutation("visits", visit_id, {**fields, "status": "completed"}, base_rev=1),
    )
    assert [r["status"] for r in pushed.json()["results"]] == ["applied"] * 4, pushed.text
    body = {"decision": "return", "note": "Add the CSI reference please"}
    returned = await sergeant.client.post(f"/api/visits/{visit_id}/review", json=body)
    assert returned.status_code == 200, returned.text
    elsewhere = PhotoPhone(other.client).phone
    hidden = new_id()
    await elsewhere.push(elsewhere.mutation("visits", hidden, complete_fields()))

    for visit in (visit_id, hidden, str(uuid.uuid4())):
        fast = await _open(sergeant, visit)
        monkeypatch.setattr(detail, "is_postgres", lambda _connection: False)
        orm = await _open(sergeant, visit)
        monkeypatch.undo()
        assert fast == orm, visit
    status, shown, audit = fast_detail = await _open(sergeant, visit_id)
    assert status == 200
    assert len(shown["property_items"]) == 2
    assert len(shown["kit_issues"]) == 1
    assert [p["id"] for p in shown["photos"]] == [photo_id]
    assert shown["advice"][0]["title"]
    assert shown["reviews"][0]["reviewer"]["collar_number"]
    assert shown["officer"]["id"] == str(officer.officer.id)
    assert len(shown["revisions"]) >= 5
    assert [a[2] for a in audit] == [visit_id], fast_detail
    assert (await verify_chain()).first_broken_id is None


async def test_visit_detail_survives_a_column_added_under_a_running_server(
    enrolled: Enrolled, backend: str
) -> None:
    """asyncpg keeps each table row's shape per connection: after a migration adds a column,
    the next detail read on a connection that knew the old shape fails once, and is read again
    (200, one consult row), not answered 500."""
    if backend != "postgres":
        pytest.skip("the one-statement read is PostgreSQL's; SQLite runs the ORM path")
    officer = await enrolled(team="Team A")
    sergeant = await enrolled(role="supervisor", team="Team A")
    phone = PhotoPhone(officer.client).phone
    visit_id = new_id()
    pushed = await phone.push(
        phone.mutation("visits", visit_id, complete_fields()),
        phone.mutation("kit_issues", new_id(), {"visit_id": visit_id, "kit_code": "SW-0002"}),
    )
    assert [r["status"] for r in pushed.json()["results"]] == ["applied"] * 2, pushed.text
    assert (await _open(sergeant, visit_id))[0] == 200
    owner = connections.get("default")
    await owner.execute_script("ALTER TABLE kit_issue ADD COLUMN added_later INTEGER")
    try:
        status, shown, audit = await _open(sergeant, visit_id)
    finally:
        await owner.execute_script("ALTER TABLE kit_issue DROP COLUMN added_later")
    assert status == 200, shown
    assert len(shown["kit_issues"]) == 1
    assert [a[2] for a in audit] == [visit_id]
    assert (await _open(sergeant, visit_id))[0] == 200
