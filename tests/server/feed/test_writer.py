"""``record_changes``: versions in order, exits first, a revision per note, audit last."""

from __future__ import annotations

import uuid

from tortoise.transactions import in_transaction

from server.audit.models import AuditAction, AuditEvent
from server.feed import Change, RevisionNote, ScopeExitNote, record_changes
from server.feed.models import Revision, ScopeExit
from server.org.models import Role
from server.org.service import create_officer
from server.visits.models import Visit
from tests.support.context import SystemContext


async def test_record_changes_versions_exits_before_changes_with_revisions_and_audit(
    db: str, system_ctx: SystemContext
) -> None:
    officer = await create_officer(
        collar_number="4321", display_name="PC Feed", role=Role.OFFICER, team_name="Feed Team"
    )
    await officer.fetch_related("team")
    ctx = system_ctx()
    visit_id = uuid.uuid4()
    owner = {
        "officer_id": officer.id,
        "team_id": officer.team.id,
        "area_id": officer.team.area_id,  # type: ignore[attr-defined]
    }
    note = RevisionNote(rev=1, op="put", changes={"victim.name": "A"}, author="test")
    async with in_transaction() as connection:
        [created] = await record_changes(
            connection,
            [Change(Visit, visit_id, visit_id, {**owner, "rev": 1}, [note], create=True)],
            now=ctx.now,
        )
    exit_note = ScopeExitNote("visits", visit_id, visit_id, officer.id, 1, 1)
    async with in_transaction() as connection:
        [moved] = await record_changes(
            connection,
            [Change(Visit, visit_id, visit_id, {"victim_name": "B"})],
            exits=[exit_note],
            audit=[ctx.audit(AuditAction.ALTER, record_type="visits", record_id=visit_id)],
            now=ctx.now,
        )
    exit_row = await ScopeExit.get(record_id=visit_id)
    # Later transactions take higher versions; within one, exits come before the changes.
    assert created < exit_row.version
    assert moved == exit_row.version + 1
    visit = await Visit.get(id=visit_id)
    assert (visit.version, visit.victim_name, visit.created_at) == (moved, "B", ctx.now)
    assert [r.rev for r in await Revision.filter(record_id=visit_id)] == [1]
    assert await AuditEvent.filter(record_id=str(visit_id), action=AuditAction.ALTER).count() == 1
