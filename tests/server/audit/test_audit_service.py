"""The audit log is append-only in the database and hash-chained; tampering is found."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest
from tortoise import connections

from server.audit.models import AuditAction, AuditEvent
from server.audit.service import AuditEntry, verify_chain, write_audit
from server.clock import FixedClock
from server.org.models import Team
from tests.server.audit.tamper import run_bypassing_triggers
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]


async def _write(clock: FixedClock, n: int) -> None:
    for i in range(n):
        await write_audit(
            [
                AuditEntry(
                    action=AuditAction.CONSULT,
                    actor_id=uuid.uuid4(),
                    record_type="visit",
                    record_id=str(uuid.uuid4()),
                    reason=f"r{i}",
                )
            ],
            clock.now(),
        )


async def test_write_audit_chains_rows_and_verify_passes(db: str, clock: FixedClock) -> None:
    await _write(clock, 5)
    rows = await AuditEvent.all().order_by("id")
    assert [r.id for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == ""
    assert all(rows[i].prev_hash == rows[i - 1].row_hash for i in range(1, 5))
    report = await verify_chain()
    assert report.first_broken_id is None
    assert report.rows_checked == 5


async def test_audit_update_is_refused_by_the_database(db: str, clock: FixedClock) -> None:
    await _write(clock, 1)
    with pytest.raises(Exception, match="append-only"):
        await connections.get("default").execute_query(
            "UPDATE audit_event SET reason = 'edited' WHERE id = 1"
        )
    with pytest.raises(Exception, match="append-only"):
        await AuditEvent.filter(id=1).update(reason="edited")
    assert (await AuditEvent.get(id=1)).reason == "r0"


async def test_audit_delete_is_refused_by_the_database(db: str, clock: FixedClock) -> None:
    await _write(clock, 1)
    with pytest.raises(Exception, match="append-only"):
        await connections.get("default").execute_query("DELETE FROM audit_event WHERE id = 1")
    assert await AuditEvent.all().count() == 1


async def test_verify_chain_names_first_edited_row(db: str, clock: FixedClock) -> None:
    await _write(clock, 6)
    await run_bypassing_triggers(db, "UPDATE audit_event SET reason = 'nothing' WHERE id = 4")
    report = await verify_chain()
    assert report.first_broken_id == 4
    assert "content" in report.problem
    assert report.rows_checked == 3


async def test_verify_chain_finds_removed_rows(db: str, clock: FixedClock) -> None:
    await _write(clock, 6)
    await run_bypassing_triggers(db, "DELETE FROM audit_event WHERE id = 3")
    assert (await verify_chain()).first_broken_id == 4
    await run_bypassing_triggers(db, "DELETE FROM audit_event WHERE id >= 3")
    report = await verify_chain()
    assert report.first_broken_id == 3
    assert "removed" in report.problem


async def test_audit_rows_for_admin_actions_one_per_record(enrolled: Enrolled) -> None:
    admin = await enrolled(role="admin")
    officer = await enrolled()
    before = await AuditEvent.all().count()

    created = await admin.client.post(
        "/api/admin/officers",
        json={"collar_number": "5555", "display_name": "PC Five", "role": "officer", "team": "T"},
    )
    assert created.status_code == 201
    rows = await AuditEvent.filter(id__gt=before)
    # Team T is new, and so is its (default) area: each is a record collected too.
    team = await Team.get(name="T").select_related("area")
    assert [(r.action, r.record_type, r.record_id) for r in rows] == [
        (AuditAction.COLLECT, "area", str(team.area.id)),
        (AuditAction.COLLECT, "team", str(team.id)),
        (AuditAction.COLLECT, "officer", created.json()["id"]),
    ]
    assert {r.actor_id for r in rows} == {admin.officer.id}

    before = await AuditEvent.all().count()
    revoke = await admin.client.post(
        f"/api/admin/devices/{officer.device_id}/revoke", json={"reason": "lost"}
    )
    assert revoke.status_code == 200
    rows = await AuditEvent.filter(id__gt=before)
    assert [(r.action, r.record_id, r.reason) for r in rows] == [
        (AuditAction.REVOKE, officer.device_id, "lost")
    ]

    before = await AuditEvent.all().count()
    denied = await officer.client.get("/api/admin/officers")
    assert denied.status_code == 401  # revoked
    other = await enrolled()
    before = await AuditEvent.all().count()
    assert (await other.client.get("/api/admin/officers")).status_code == 403
    rows = await AuditEvent.filter(id__gt=before)
    assert [(r.action, r.actor_id) for r in rows] == [(AuditAction.DENIED, other.officer.id)]
    assert (await verify_chain()).first_broken_id is None
