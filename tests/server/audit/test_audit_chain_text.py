"""The keyed rows' text written key by key (``chain.keyed_text``) is the canonical JSON every
stored hash came from (``chain._canonical``), and a write's rows are stored as recorded, both
when they share who and which request (sent once) and when they do not."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from server.audit.chain import AuditEntry, _canonical, chain_hashes, keyed_row_hash, keyed_text
from server.audit.keys import AuditKey
from server.audit.models import AuditAction, AuditEvent
from server.audit.service import verify_chain, write_audit
from server.clock import FixedClock

_ids = st.none() | st.uuids()
_texts = st.text(max_size=40)
entries = st.builds(
    AuditEntry,
    action=st.sampled_from(list(AuditAction)),
    actor_id=_ids,
    device_id=_ids,
    record_type=_texts,
    record_id=_texts,
    reason=_texts,
    recipient=_texts,
    request_id=_texts,
)
moments = st.datetimes(
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))])
)


@settings(max_examples=400, deadline=None)
@given(entry=entries, row_id=st.integers(min_value=1, max_value=2**63 - 1), at=moments, key=_texts)
def test_keyed_text_is_the_canonical_json_of_the_row(
    entry: AuditEntry, row_id: int, at: datetime, key: str
) -> None:
    assert keyed_text(row_id, at.isoformat(), entry, key) == _canonical(
        row_id, at, entry, {"key_id": key}
    )


@settings(max_examples=50, deadline=None)
@given(batch=st.lists(entries, min_size=1, max_size=8), first_id=st.integers(1, 10**12))
def test_chain_hashes_equal_keyed_row_hash_of_each_row(
    batch: list[AuditEntry], first_id: int
) -> None:
    key = AuditKey("k" * 64)
    at = datetime(2026, 12, 5, 9, 0, 0, 123456, tzinfo=UTC)
    expected, prev = [], "f" * 64
    for row_id, entry in enumerate(batch, first_id):
        prev = keyed_row_hash(key, prev, row_id, at, entry)
        expected.append(prev)
    assert chain_hashes(key, "f" * 64, first_id, at, batch) == expected


def _recorded(row: AuditEvent) -> AuditEntry:
    return AuditEntry.of_row(row)


async def test_write_audit_stores_rows_as_recorded_whether_or_not_they_share_the_caller(
    db: str, clock: FixedClock
) -> None:
    officer, device = uuid.uuid4(), uuid.uuid4()
    shared = [
        AuditEntry(
            AuditAction.CONSULT if i % 2 else AuditAction.ALTER,
            officer,
            device,
            "visits" if i < 2 else "photos",
            str(uuid.uuid4()),
            f"sync seq {i} (was draft) \u2018é\u2019",
            "",
            "req-1",
        )
        for i in range(4)
    ]
    mixed = [
        AuditEntry(AuditAction.CONSULT, officer, None, "visits", "v1", "", "", "req-2"),
        AuditEntry(AuditAction.DISCLOSE, None, device, "exports", "e1", 'a "quote"', "CPS", "r"),
        AuditEntry(AuditAction.ERASE, officer, device, "visits", "v2", "x" * 600, "y" * 300, "r"),
    ]
    await write_audit(shared, clock.now())
    clock.advance(seconds=1)
    await write_audit(mixed, clock.now())
    rows = await AuditEvent.all().order_by("id")
    cut = AuditEntry(AuditAction.ERASE, officer, device, "visits", "v2", "x" * 500, "y" * 200, "r")
    assert [_recorded(r) for r in rows] == [*shared, *mixed[:2], cut]
    assert [r.id for r in rows] == list(range(1, 8))
    assert (await verify_chain()).intact
