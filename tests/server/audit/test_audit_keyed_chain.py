"""Issue 14.2: the chain is keyed, so someone holding the database but not the key cannot rehash.

Before the fix a row edited and rehashed with the app's own (unkeyed) hash function verified as
intact. Every attack here rewrites the chain consistently, links and head included; only the
HMAC key tells.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from server.audit.chain import keyed_row_hash
from server.audit.keys import AuditKeys, use_audit_keys
from server.audit.models import AuditAction, AuditEvent
from server.audit.service import AuditEntry, seal_chain, verify_chain, write_audit
from server.clock import FixedClock
from tests.server.audit.conftest import new_key
from tests.server.audit.tamper import (
    keyed_with,
    rewrite_chain_from,
    run_bypassing_triggers,
    unkeyed,
    unkeyed_keeping_label,
)


async def _write(clock: FixedClock, n: int) -> None:
    for i in range(n):
        clock.advance(seconds=1)
        entry = AuditEntry(
            action=AuditAction.CONSULT,
            actor_id=uuid.uuid4(),
            record_type="visit",
            record_id=str(uuid.uuid4()),
            reason=f"r{i}",
        )
        await write_audit([entry], clock.now())


async def test_new_rows_are_keyed_with_the_configured_key(
    db: str, clock: FixedClock, audit_keys: AuditKeys
) -> None:
    await _write(clock, 3)
    rows = await AuditEvent.all().order_by("id")
    assert {r.key_id for r in rows} == {audit_keys.current.key_id}
    assert all(
        r.row_hash
        == keyed_row_hash(audit_keys.current, r.prev_hash, r.id, r.at, AuditEntry.of_row(r))
        for r in rows
    )
    assert (await verify_chain()).intact


async def test_row_edited_and_rehashed_with_unkeyed_hash_fails_verify(
    db: str, clock: FixedClock, audit_keys: AuditKeys
) -> None:
    await _write(clock, 5)
    await run_bypassing_triggers(db, "UPDATE audit_event SET reason = 'nothing' WHERE id = 3")
    await rewrite_chain_from(db, 3, unkeyed_keeping_label)
    report = await verify_chain()
    assert report.first_broken_id == 3
    assert "does not match its hash" in report.problem
    assert report.rows_checked == 2


async def test_rows_downgraded_to_the_unkeyed_scheme_fail_verify(
    db: str, clock: FixedClock, audit_keys: AuditKeys
) -> None:
    await _write(clock, 5)
    await run_bypassing_triggers(db, "UPDATE audit_event SET reason = 'nothing' WHERE id = 3")
    await rewrite_chain_from(db, 3, unkeyed)
    report = await verify_chain()
    assert report.first_broken_id == 3
    assert "unkeyed row after keyed rows" in report.problem


async def test_whole_chain_downgraded_to_unkeyed_fails_verify(
    db: str, clock: FixedClock, audit_keys: AuditKeys
) -> None:
    await _write(clock, 4)
    await run_bypassing_triggers(db, "UPDATE audit_event SET reason = 'nothing' WHERE id = 2")
    await rewrite_chain_from(db, 1, unkeyed)
    report = await verify_chain()
    assert not report.intact
    assert report.first_broken_id == 4
    assert "no keyed row follows" in report.problem


async def test_row_rehashed_with_another_key_fails_verify(
    db: str, clock: FixedClock, audit_keys: AuditKeys
) -> None:
    await _write(clock, 5)
    wrong = new_key()
    await run_bypassing_triggers(db, "UPDATE audit_event SET reason = 'nothing' WHERE id = 3")

    # Under the real key's id: the HMAC does not match.
    await rewrite_chain_from(
        db,
        3,
        keyed_with(wrong, label=audit_keys.current.key_id),
    )
    report = await verify_chain()
    assert report.first_broken_id == 3
    assert "does not match its hash" in report.problem

    # Under its own id: a key this server does not have.
    await rewrite_chain_from(
        db,
        3,
        keyed_with(wrong),
    )
    report = await verify_chain()
    assert report.first_broken_id == 3
    assert "not configured" in report.problem


async def test_verify_with_a_wrong_key_fails(
    db: str, clock: FixedClock, audit_keys: AuditKeys
) -> None:
    await _write(clock, 2)
    report = await verify_chain(AuditKeys(new_key()))
    assert report.first_broken_id == 1
    assert "not configured" in report.problem


async def test_pre_upgrade_unkeyed_rows_verify_once_sealed_and_stay_protected(
    db: str, clock: FixedClock, audit_keys: AuditKeys
) -> None:
    # A deployment from before keyed hashing: every row unkeyed.
    await _write(clock, 4)
    await rewrite_chain_from(db, 1, unkeyed)
    unsealed = await verify_chain()
    assert unsealed.first_broken_id == 4
    assert "no keyed row follows" in unsealed.problem

    # The first keyed writer seals them: its HMAC covers the last unkeyed hash.
    assert await seal_chain(clock.now()) == 1
    assert await seal_chain(clock.now()) == 0
    sealed = await verify_chain()
    assert sealed.intact
    assert sealed.rows_checked == 5
    seal = await AuditEvent.get(id=5)
    assert (seal.action, seal.record_type, seal.key_id) == (
        AuditAction.ALTER,
        "audit_log",
        audit_keys.current.key_id,
    )

    # Editing an old unkeyed row and rehashing the unkeyed rows breaks the seal's HMAC.
    await run_bypassing_triggers(db, "UPDATE audit_event SET reason = 'nothing' WHERE id = 2")
    await rewrite_chain_from(
        db,
        2,
        lambda prev, row: unkeyed(prev, row) if row.key_id == "" else (row.key_id, row.row_hash),
    )
    report = await verify_chain()
    assert report.first_broken_id == 5
    assert "does not match its hash" in report.problem


async def test_rotated_key_verifies_old_rows_and_refuses_a_return_to_the_old_key(
    db: str, clock: FixedClock, audit_keys: AuditKeys
) -> None:
    old = audit_keys.current
    await _write(clock, 2)
    rotated = AuditKeys(new_key(), retired=(old,))
    use_audit_keys(rotated)
    await _write(clock, 2)
    rows = await AuditEvent.all().order_by("id")
    assert [r.key_id for r in rows] == [old.key_id] * 2 + [rotated.current.key_id] * 2
    assert (await verify_chain(rotated)).intact

    without_old = await verify_chain(AuditKeys(rotated.current))
    assert without_old.first_broken_id == 1
    assert "not configured" in without_old.problem

    # Someone holding the retired key rewrites the newest rows under it: refused.
    await run_bypassing_triggers(db, "UPDATE audit_event SET reason = 'nothing' WHERE id = 4")
    await rewrite_chain_from(
        db,
        4,
        keyed_with(old),
    )
    report = await verify_chain(rotated)
    assert report.first_broken_id == 4
    assert "older key" in report.problem


async def test_seal_after_rotation_moves_the_chain_to_the_new_key(
    db: str, clock: FixedClock, audit_keys: AuditKeys
) -> None:
    await _write(clock, 1)
    rotated = AuditKeys(new_key(), retired=(audit_keys.current,))
    use_audit_keys(rotated)
    clock.advance(minutes=1)
    assert await seal_chain(clock.now()) == 1
    last = await AuditEvent.get(id=2)
    assert last.key_id == rotated.current.key_id
    assert last.at - (await AuditEvent.get(id=1)).at == timedelta(minutes=1)
    assert (await verify_chain(rotated)).intact


@pytest.mark.parametrize("n", [0, 1])
async def test_empty_or_single_row_log_verifies(
    db: str, clock: FixedClock, audit_keys: AuditKeys, n: int
) -> None:
    await _write(clock, n)
    report = await verify_chain()
    assert report.intact
    assert report.rows_checked == n
