"""Issue 14.2: the chain head is anchored outside the database, so truncation is found.

Before the fix, deleting the newest rows and moving the chain head back verified as intact.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest

from server.audit.anchors import (
    ANCHOR_PREFIX,
    Anchor,
    FileAnchorStore,
    S3AnchorStore,
    anchor_periodically,
    anchor_store,
    read_anchors,
    write_anchor,
)
from server.audit.keys import AuditKeys
from server.audit.models import AuditAction, AuditEvent
from server.audit.service import AuditEntry, verify_chain, write_audit
from server.audit.verify import verify_audit
from server.clock import FixedClock
from server.settings import Settings
from tests.server.audit.conftest import new_key
from tests.server.audit.tamper import (
    keyed_with,
    rewrite_chain_from,
    run_bypassing_triggers,
    truncate_to,
    unkeyed,
)


async def _write(clock: FixedClock, n: int) -> None:
    for i in range(n):
        clock.advance(seconds=1)
        await write_audit(
            [AuditEntry(action=AuditAction.CONSULT, record_type="visit", record_id=f"v{i}")],
            clock.now(),
        )


async def test_truncation_with_rewritten_head_fails_verify_via_anchor(
    db: str, clock: FixedClock, audit_keys: AuditKeys, anchors: FileAnchorStore
) -> None:
    await _write(clock, 6)
    anchor = await write_anchor(anchors, audit_keys, clock.now())
    assert anchor is not None
    assert anchor.last_id == 6
    assert (await verify_audit(audit_keys, anchors)).intact

    await truncate_to(db, 4)
    # The chain alone cannot tell: the head was moved back with the rows.
    assert (await verify_chain()).intact
    report = await verify_audit(audit_keys, anchors)
    assert not report.intact
    assert report.first_broken_id == 5
    assert "rows 5 to 6 are missing" in report.problem
    assert "anchor" in report.problem


async def test_truncation_then_new_rows_fails_verify_at_the_anchored_row(
    db: str, clock: FixedClock, audit_keys: AuditKeys, anchors: FileAnchorStore
) -> None:
    await _write(clock, 6)
    await write_anchor(anchors, audit_keys, clock.now())
    await truncate_to(db, 3)
    await _write(clock, 5)  # the server carries on from the rewritten head
    report = await verify_audit(audit_keys, anchors)
    assert report.first_broken_id == 6
    assert "differs from the anchor" in report.problem


async def test_rows_rewritten_with_the_key_before_an_anchor_fail_verify(
    db: str, clock: FixedClock, audit_keys: AuditKeys, anchors: FileAnchorStore
) -> None:
    await _write(clock, 5)
    await write_anchor(anchors, audit_keys, clock.now())
    await run_bypassing_triggers(db, "UPDATE audit_event SET reason = 'nothing' WHERE id = 2")
    await rewrite_chain_from(
        db,
        2,
        keyed_with(audit_keys.current),
    )
    assert (await verify_chain()).intact  # whoever holds the key can rehash...
    report = await verify_audit(audit_keys, anchors)  # ...but not the anchors
    assert report.first_broken_id == 5
    assert "differs from the anchor" in report.problem


async def test_forged_or_edited_anchor_fails_verify(
    db: str, clock: FixedClock, audit_keys: AuditKeys, anchors: FileAnchorStore
) -> None:
    await _write(clock, 3)
    anchor = await write_anchor(anchors, audit_keys, clock.now())
    assert anchor is not None
    name = anchor.store_key
    doc = json.loads(await anchors.get_bytes(name))
    doc["last_id"] = 2
    await anchors.put_bytes(name, json.dumps(doc).encode())
    report = await verify_audit(audit_keys, anchors)
    assert not report.intact
    assert "not validly signed" in report.problem

    await anchors.put_bytes(name, b"not json")
    assert "not validly signed" in (await verify_audit(audit_keys, anchors)).problem


async def test_anchor_signed_with_an_unconfigured_key_fails_verify(
    db: str, clock: FixedClock, audit_keys: AuditKeys, anchors: FileAnchorStore
) -> None:
    await _write(clock, 2)
    last = await AuditEvent.get(id=2)
    forger = new_key()
    forged = Anchor(9, last.row_hash, last.at.isoformat(), clock.now().isoformat(), forger.key_id)
    await anchors.put_bytes(forged.store_key, forged.signed(forger))
    report = await verify_audit(audit_keys, anchors)
    assert "not validly signed" in report.problem
    assert "not configured" in report.problem


async def test_anchor_is_written_once_per_head_and_not_for_an_empty_log(
    db: str, clock: FixedClock, audit_keys: AuditKeys, anchors: FileAnchorStore
) -> None:
    assert await write_anchor(anchors, audit_keys, clock.now()) is None
    await _write(clock, 2)
    first = await write_anchor(anchors, audit_keys, clock.now())
    assert first is not None
    assert await write_anchor(anchors, audit_keys, clock.now()) is None
    await _write(clock, 1)
    second = await write_anchor(anchors, audit_keys, clock.now())
    assert second is not None
    assert second.last_id == 3
    assert anchors.keys(ANCHOR_PREFIX) == [first.store_key, second.store_key]
    found, problems = await read_anchors(anchors, audit_keys)
    assert [a.last_id for a in found] == [2, 3]
    assert problems == []
    report = await verify_audit(audit_keys, anchors)
    assert report.intact
    assert report.anchors_checked == 2


async def test_anchoring_seals_an_unkeyed_tail_first(
    db: str, clock: FixedClock, audit_keys: AuditKeys, anchors: FileAnchorStore
) -> None:
    await _write(clock, 2)
    await rewrite_chain_from(db, 1, unkeyed)
    anchor = await write_anchor(anchors, audit_keys, clock.now())
    assert anchor is not None
    assert anchor.last_id == 3
    assert (await AuditEvent.get(id=3)).key_id == audit_keys.current.key_id
    assert (await verify_audit(audit_keys, anchors)).intact


async def test_server_anchors_periodically(
    db: str, clock: FixedClock, audit_keys: AuditKeys, anchors: FileAnchorStore
) -> None:
    await _write(clock, 2)
    task = asyncio.create_task(anchor_periodically(anchors, 0.05, clock, first_delay=0))
    try:
        for _ in range(100):
            if anchors.keys(ANCHOR_PREFIX):
                break
            await asyncio.sleep(0.02)
        await _write(clock, 1)
        for _ in range(100):
            if len(anchors.keys(ANCHOR_PREFIX)) == 2:
                break
            await asyncio.sleep(0.02)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert [a.last_id for a in (await read_anchors(anchors, audit_keys))[0]] == [2, 3]


def test_anchor_store_follows_the_settings(tmp_path: Path) -> None:
    fs = anchor_store(Settings(photo_dir=tmp_path / "photos"))
    assert isinstance(fs, FileAnchorStore)
    assert fs.root == tmp_path / "photos"
    own = anchor_store(
        Settings(photo_dir=tmp_path / "photos", audit_anchor_dir=str(tmp_path / "worm"))
    )
    assert isinstance(own, FileAnchorStore)
    assert own.root == tmp_path / "worm"


async def test_anchors_in_s3(
    db: str,
    clock: FixedClock,
    audit_keys: AuditKeys,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto.server import ThreadedMotoServer

    from tests.server.test_cli import free_port

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        settings = Settings(
            photo_dir=tmp_path / "photos",
            photo_store="s3",
            s3_endpoint_url=f"http://127.0.0.1:{port}",
            s3_bucket=f"doorstep-audit-{uuid.uuid4().hex[:8]}",
            s3_region="us-east-1",
            s3_prefix="doorstep/",
        )
        store = anchor_store(settings)
        assert isinstance(store, S3AnchorStore)
        await asyncio.to_thread(store.client.create_bucket, Bucket=settings.s3_bucket)
        await _write(clock, 3)
        anchor = await write_anchor(store, audit_keys, clock.now())
        assert anchor is not None
        assert store.keys(ANCHOR_PREFIX) == [anchor.store_key]
        listed = store.client.list_objects_v2(Bucket=settings.s3_bucket)["Contents"]
        assert [o["Key"] for o in listed] == ["doorstep/" + anchor.store_key]
        await truncate_to(db, 2)
        report = await verify_audit(audit_keys, store)
        assert report.first_broken_id == 3
    finally:
        server.stop()


async def test_verify_while_the_server_writes_is_not_a_false_alarm(
    db: str, clock: FixedClock, audit_keys: AuditKeys
) -> None:
    if db != "postgres":
        pytest.skip("SQLite is read as it goes: a long read transaction would block writers")
    await _write(clock, 50)
    stop = asyncio.Event()

    async def server_writes() -> None:
        while not stop.is_set():
            await _write(clock, 1)

    writer = asyncio.create_task(server_writes())
    try:
        reports = [await verify_chain(batch=7) for _ in range(10)]
    finally:
        stop.set()
        await writer
    assert [r.problem for r in reports if not r.intact] == []
