"""``doorstep retention``: each state's period, counted from its own moment on an injected clock,
on both databases and both photo stores; a dry run erases nothing and reports counts only."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

import pytest

from harness.images import jpeg_bytes, sha256_hex
from harness.passkeys import login
from harness.phone import PhotoPhone, new_id
from harness.tus import TusClient
from server.audit.models import AuditAction, AuditEvent
from server.clock import FixedClock
from server.context import RequestContext
from server.retention.runner import run_retention
from server.settings import Settings
from server.visits.models import Visit
from tests.server.retention.scan import stored_objects, traces
from tests.server.supervision.phone_visits import complete_fields
from tests.support.people import Person
from tests.support.photos import store_for

Enrolled = Callable[..., Awaitable[Person]]
POLICY = {
    "retention_deleted_days": 5,
    "retention_draft_days": 10,
    "retention_submitted_days": 100,
    "retention_approved_days": 200,
}


@pytest.mark.parametrize("store_kind", ["fs", "s3"])
async def test_each_state_is_erased_when_its_period_ends(
    enrolled: Enrolled, settings: Settings, clock: FixedClock, store_kind: str
) -> None:
    officer = await enrolled()
    supervisor = (await enrolled(role="supervisor")).client
    photos = PhotoPhone(officer.client)
    phone = photos.phone
    draft, deleted, submitted, approved = new_id(), new_id(), new_id(), new_id()
    await phone.push(
        phone.mutation("visits", draft, {"victim.name": "Dora Draft"}),
        phone.mutation("visits", deleted, {"victim.name": "Derek Deleted"}),
        phone.mutation("visits", submitted, {**complete_fields(), "status": "completed"}),
        phone.mutation("visits", approved, {**complete_fields(), "status": "completed"}),
    )
    # A record's first write is stamped by the database's own clock (tortoise's auto_now), its
    # later changes by the request's: change the draft and delete the other on the test clock.
    await phone.push(
        phone.mutation("visits", draft, {"victim.phone": "07700 900123"}, base_rev=1),
        phone.mutation("visits", deleted, op="delete", base_rev=1),
    )
    data = jpeg_bytes((320, 240), noise=True)
    _, photo_id = await photos.record_photo(data, visit_id=draft)
    await TusClient(officer.client).upload(photo_id, draft, data)
    approval = await supervisor.post(f"/api/visits/{approved}/review", json={"decision": "approve"})
    assert approval.status_code == 200, approval.text
    await phone.pull_all()  # the phone holds them all
    policy = dataclasses.replace(settings, **POLICY)
    store = store_for(settings)

    async def run(apply: bool) -> dict[str, int]:
        ctx = RequestContext.system(policy, clock.now())
        report = await run_retention(ctx=ctx, store=store, apply=apply)
        return dict(report.erased if apply else report.due)

    assert await run(apply=False) == {"draft": 0, "deleted": 0, "submitted": 0, "approved": 0}
    clock.advance(days=6)
    assert (await run(apply=False))["deleted"] == 1
    assert await Visit.filter(erased_at__isnull=False).count() == 0  # a dry run erases nothing
    assert await run(apply=True) == {"draft": 0, "deleted": 1, "submitted": 0, "approved": 0}
    assert await traces(policy, ["Derek Deleted"], b"\0no photo\0") == []

    clock.advance(days=5)  # day 11: the draft, and its photo
    assert (await run(apply=True))["draft"] == 1
    assert await traces(policy, ["Dora Draft", sha256_hex(data)], data) == []
    assert stored_objects(policy) == {}
    clock.advance(days=90)  # day 101
    assert await run(apply=True) == {"draft": 0, "deleted": 0, "submitted": 1, "approved": 0}
    assert (await Visit.get(id=approved)).victim_name == "Margaret Ellis"
    clock.advance(days=100)  # day 201
    assert (await run(apply=True))["approved"] == 1
    assert await traces(policy, ["Margaret Ellis", "WR3 8JE"], data) == []
    assert await run(apply=False) == {"draft": 0, "deleted": 0, "submitted": 0, "approved": 0}

    rows = await AuditEvent.filter(
        action=AuditAction.ERASE, record_type="visits", reason__startswith="retention:"
    )
    assert {r.record_id for r in rows} == {draft, deleted, submitted, approved}
    assert {r.actor_id for r in rows} == {None}  # the system, by rule
    assert any(r.reason == "retention: draft kept 10 days from last change" for r in rows)
    assert (await login(officer.client, officer.authenticator)).status_code == 200
    erased_ids = {c["id"] for c in await phone.pull_all() if c["deleted"]}
    assert {draft, submitted, approved, photo_id} <= erased_ids


async def test_a_period_of_zero_days_keeps_that_state(
    enrolled: Enrolled, settings: Settings, clock: FixedClock
) -> None:
    phone = PhotoPhone((await enrolled()).client).phone
    await phone.push(phone.mutation("visits", new_id(), {"victim.name": "Kept Forever"}))
    policy = dataclasses.replace(settings, retention_draft_days=0)
    clock.advance(days=10_000)
    ctx = RequestContext.system(policy, clock.now())
    report = await run_retention(ctx=ctx, store=store_for(settings), apply=True)
    assert report.erased["draft"] == 0
    assert await Visit.filter(victim_name="Kept Forever").exists()


async def test_the_administrator_reads_the_policy_and_what_is_due(
    enrolled: Enrolled, clock: FixedClock
) -> None:
    admin = await enrolled(role="admin")
    phone = PhotoPhone((await enrolled()).client).phone
    visit_id = new_id()
    await phone.push(phone.mutation("visits", visit_id, {"victim.name": "Dora Draft"}))
    await phone.push(phone.mutation("visits", visit_id, {"victim.phone": "01905 1"}, base_rev=1))
    clock.advance(days=181)
    assert (await login(admin.client, admin.authenticator)).status_code == 200
    policy = (await admin.client.get("/api/admin/retention")).json()
    draft = next(p for p in policy["periods"] if p["state"] == "draft")
    assert draft == {
        "state": "draft",
        "days": 180,
        "measured_from": "last change",
        "setting": "DOORSTEP_RETENTION_DRAFT_DAYS",
        "due_now": 1,
    }
    assert policy["objects_pending"] == 0
