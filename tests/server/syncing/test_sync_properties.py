"""Property test of push/pull through the real endpoints under delivery faults.

Hypothesis draws a script of steps for two phones of one officer (and optionally a phone of
another officer): queue edits on a shared handful of visits and kit issues, push with faults
(duplicated delivery, response lost after commit, an old batch retried after a newer one), and
pull. Every example uses fresh record ids and fresh client_ids, so examples sharing the test's
database never interfere; invariants are checked on that example's ids only.

Invariants (sync/PROTOCOL.md sections 1, 4, 8): every accepted mutation takes effect exactly
once; every seq is kept once with the result first given for it, which every retry repeats;
``last_seq`` ends equal to the number of mutations each phone queued; no kit issue doubles;
after a final push and pull every phone holds exactly what the server holds in its scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.phone import Phone, new_id
from server.feed.models import Revision
from server.syncing.models import ReceivedMutation, SyncClient
from server.visits.models import KitIssue, Visit
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]

VISITS = 3
KITS = 3
NAMES = ["Ann Smith", "Anne Smith", "Ann Smyth"]
LINES = ["1 High St", "2 High St"]
RECIPIENTS = ["Ann", "Next Door"]

STEP_KINDS = [
    "edit",
    "edit",
    "edit",
    "push",
    "push",
    "push_twice",
    "push_lost",
    "retry_old",
    "pull",
]
steps_strategy = st.lists(
    st.tuples(
        st.sampled_from(STEP_KINDS),
        st.integers(0, 2),  # phone
        st.integers(0, 9),  # what to edit / how many to send / which old batch
        st.integers(0, 5),  # which value
    ),
    min_size=12,
    max_size=60,
)


@dataclass
class Sim:
    """A phone as the PWA runs it, plus what the test knows about the server's answers."""

    phone: Phone
    officer: str
    queue: list[dict[str, Any]] = field(default_factory=list)
    acked: int = 0  # what the phone knows is acknowledged
    server_last: int = 0  # what the server has acknowledged (the test sees lost answers)
    results: dict[int, dict[str, Any]] = field(default_factory=dict)  # first answer per seq
    local: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    batches: list[list[dict[str, Any]]] = field(default_factory=list)  # answered with 200


@dataclass
class Example:
    """One example's ids: visits, and kit issues (id, visit id, kit code)."""

    visits: list[str]
    kits: list[tuple[str, str, str]]

    @property
    def ids(self) -> set[str]:
        return set(self.visits) | {k[0] for k in self.kits}


def _base(sim: Sim, collection: str, record_id: str) -> int | None:
    local = sim.local.get((collection, record_id))
    return int(local["rev"]) if local else None


def _edit(sim: Sim, ex: Example, target: int, value: int, step: int) -> None:
    """Queue one mutation, with base_rev from the phone's server copy (null if it has none).

    ``step`` varies the values written, so phones editing one field usually disagree.
    """
    if target < 4:  # a visit put
        visit_id = ex.visits[target % VISITS]
        fields: dict[str, Any] = {"victim.name": NAMES[(value + step) % len(NAMES)]}
        if value % 2:
            fields["address.line1"] = LINES[(value + step) % len(LINES)]
        base = _base(sim, "visits", visit_id)
        sim.queue.append(sim.phone.mutation("visits", visit_id, fields, base_rev=base))
    elif target < 8:  # a kit issue put (it always names its visit and its code, as the app does)
        kit_id, visit_id, code = ex.kits[target % KITS]
        fields = {"visit_id": visit_id, "kit_code": code}
        if value % 3:
            fields["recipient_name"] = RECIPIENTS[(value + step) % len(RECIPIENTS)]
        base = _base(sim, "kit_issues", kit_id)
        sim.queue.append(sim.phone.mutation("kit_issues", kit_id, fields, base_rev=base))
    else:  # a delete: a kit issue mostly, now and then the (draft, kit-less) last visit
        if target == 9 and value == 5:
            collection, record_id = "visits", ex.visits[VISITS - 1]
        else:
            collection, record_id = "kit_issues", ex.kits[value % KITS][0]
        base = _base(sim, collection, record_id)
        sim.queue.append(sim.phone.mutation(collection, record_id, op="delete", base_rev=base))


def _record(sim: Sim, body: dict[str, Any], batch: list[dict[str, Any]]) -> None:
    """Check an answer against every earlier answer for the same seqs, then remember it."""
    expected_last = max([sim.server_last] + [m["seq"] for m in batch])
    assert body["last_seq"] == expected_last, (body, sim.server_last)
    assert [r["seq"] for r in body["results"]] == [m["seq"] for m in batch]
    for result in body["results"]:
        seq = result["seq"]
        if seq in sim.results:
            assert result == sim.results[seq], f"seq {seq} answered differently on a retry"
        else:
            assert seq > sim.server_last, f"seq {seq} was acknowledged but never answered"
            sim.results[seq] = result
    sim.server_last = expected_last
    if batch:
        sim.batches.append(batch)


async def _push(sim: Sim, batch: list[dict[str, Any]]) -> dict[str, Any]:
    response = await sim.phone.push(*batch)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    _record(sim, body, batch)
    return body


async def _pull(sim: Sim) -> None:
    """Follow the cursor to the end and apply the changes to the phone's server copy."""
    while True:
        response = await sim.phone.client.post(
            "/api/sync/pull",
            json={"client_id": sim.phone.client_id, "cursor": sim.phone.cursor, "limit": 1000},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        # A sequential script: the server has acknowledged exactly what the test saw answered.
        assert body["last_seq"] == sim.server_last
        for change in body["changes"]:
            key = (change["collection"], change["id"])
            if change["deleted"]:
                sim.local.pop(key, None)
            else:
                sim.local[key] = change
        sim.phone.cursor = body["cursor"]
        sim.acked = max(sim.acked, body["last_seq"])  # a pull's last_seq acknowledges too
        if not body["has_more"]:
            return


async def _step(sim: Sim, ex: Example, kind: str, n: int, value: int, step: int) -> None:
    unsent = sim.queue[sim.acked :]
    batch = unsent[: 1 + n % max(len(unsent), 1)]
    if kind == "edit":
        _edit(sim, ex, n, value, step)
    elif kind == "push":
        body = await _push(sim, batch)
        sim.acked = body["last_seq"]
    elif kind == "push_twice":  # a duplicated delivery: both copies arrive
        first = await _push(sim, batch)
        second = await _push(sim, batch)
        assert first == second
        sim.acked = second["last_seq"]
    elif kind == "push_lost":  # committed, but the answer never reaches the phone
        await _push(sim, batch)
    elif kind == "retry_old" and sim.batches:  # an old batch, delayed, arrives after newer ones
        old = sim.batches[n % len(sim.batches)]
        body = await _push(sim, old)
        assert all(r["seq"] <= sim.server_last for r in body["results"])
    elif kind == "pull":
        await _pull(sim)


async def _server_view(officer: Person, ex: Example) -> dict[tuple[str, str], dict[str, Any]]:
    """What the database holds for this officer among the example's records (not deleted)."""
    view: dict[tuple[str, str], dict[str, Any]] = {}
    officer_id = officer.officer.id
    for visit in await Visit.filter(id__in=ex.visits, officer_id=officer_id, deleted=False):
        view[("visits", str(visit.id))] = {
            "rev": visit.rev,
            "victim.name": visit.victim_name,
            "address.line1": visit.address_line1,
            "conflicts": visit.conflicts,
        }
    kit_ids = [k[0] for k in ex.kits]
    for kit in await KitIssue.filter(id__in=kit_ids, visit__officer_id=officer_id, deleted=False):
        view[("kit_issues", str(kit.id))] = {
            "rev": kit.rev,
            "visit_id": str(kit.visit_id),  # type: ignore[attr-defined]
            "kit_code": kit.kit_code,
            "recipient_name": kit.recipient_name,
            "conflicts": kit.conflicts,
        }
    return view


def _as_view(change: dict[str, Any]) -> dict[str, Any]:
    record = change["record"]
    if change["collection"] == "visits":
        names = ["victim.name", "address.line1"]
    else:
        names = ["visit_id", "kit_code", "recipient_name"]
    return {
        "rev": change["rev"],
        **{name: record.get(name) for name in names},
        "conflicts": change["conflicts"],
    }


async def _check_exactly_once(sims: list[Sim], ex: Example) -> None:
    accepted: set[tuple[str, int]] = set()
    for sim in sims:
        cid = uuid.UUID(sim.phone.client_id)
        count = len(sim.queue)
        client = await SyncClient.filter(id=cid).first()
        assert (client.last_seq if client else 0) == count
        received = await ReceivedMutation.filter(client_id=cid).order_by("seq")
        assert [r.seq for r in received] == list(range(1, count + 1))
        revisions = await Revision.filter(client_id=cid)
        by_seq: dict[int, list[Revision]] = {}
        for revision in revisions:
            by_seq.setdefault(revision.seq or 0, []).append(revision)
        for row in received:
            stored = {"seq": row.seq, "status": row.status, "rev": row.rev, "error": row.error}
            assert stored == sim.results[row.seq]
            mutation = sim.queue[row.seq - 1]
            made = by_seq.get(row.seq, [])
            assert len(made) <= 1, f"seq {row.seq} took effect {len(made)} times"
            if row.status == "rejected":
                assert made == []
                continue
            accepted.add((sim.phone.client_id, row.seq))
            if made:
                assert str(made[0].record_id) == mutation["id"]
                assert made[0].rev == row.rev
            else:  # a no-op: it answered the record's rev, which someone else's revision made
                current = await Revision.filter(
                    collection=mutation["collection"], record_id=mutation["id"], rev=row.rev
                ).first()
                assert current is not None
                assert (str(current.client_id), current.seq) != (sim.phone.client_id, row.seq)
    # Every revision of the example's records came from exactly one accepted mutation, and a
    # record's revisions run 1..rev without a gap.
    for model, ids in ((Visit, ex.visits), (KitIssue, [k[0] for k in ex.kits])):
        for row in await model.filter(id__in=ids):
            revisions = await Revision.filter(record_id=row.id).order_by("rev")
            assert [r.rev for r in revisions] == list(range(1, row.rev + 1))
            for revision in revisions:
                assert (str(revision.client_id), revision.seq) in accepted
    # No kit doubles: one row per kit id, and no kit code on two rows.
    for kit_id, _, code in ex.kits:
        assert await KitIssue.filter(id=kit_id).count() <= 1
        assert await KitIssue.filter(kit_code=code).count() <= 1


@pytest.fixture
async def crew(enrolled: Enrolled) -> tuple[Person, Person]:
    """Two officers of different teams, enrolled once for all of a test's examples."""
    return await enrolled(), await enrolled(team="Worcester Response B")


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps_strategy, third_phone=st.booleans(), prelude=st.booleans())
async def test_push_pull_under_faults_applies_exactly_once_and_converges(
    crew: tuple[Person, Person],
    steps: list[tuple[str, int, int, int]],
    third_phone: bool,
    prelude: bool,
) -> None:
    a, b = crew
    token = uuid.uuid4().hex[:8].upper()
    visits = [new_id() for _ in range(VISITS)]
    ex = Example(
        visits,
        [(new_id(), visits[i % 2], f"SW-{token}-{i}") for i in range(KITS)],
    )
    sims = [Sim(Phone(a.client), "a"), Sim(Phone(a.client), "a")]
    if third_phone:
        sims.append(Sim(Phone(b.client), "b"))
    if prelude:  # the first phone has queued the two visits the kits belong to
        for i in (0, 1):
            _edit(sims[0], ex, i, i, i)
    for step, (kind, which, n, value) in enumerate(steps):
        await _step(sims[which % len(sims)], ex, kind, n, value, step)

    # The phones come back online: each pushes all it has not seen acknowledged, then pulls.
    for sim in sims:
        body = await _push(sim, sim.queue[sim.acked :])
        assert body["last_seq"] == len(sim.queue)
        sim.acked = body["last_seq"]
    for sim in sims:
        await _pull(sim)
        assert sim.server_last == len(sim.queue)

    await _check_exactly_once(sims, ex)
    officers = {"a": a, "b": b}
    for sim in sims:
        officer = officers[sim.officer]
        mine = {k: _as_view(c) for k, c in sim.local.items() if k[1] in ex.ids}
        assert mine == await _server_view(officer, ex)
        # And exactly what a brand-new install of the same officer would receive.
        fresh = Sim(Phone(officer.client), sim.officer)
        await _pull(fresh)
        assert {k: c for k, c in sim.local.items() if k[1] in ex.ids} == {
            k: c for k, c in fresh.local.items() if k[1] in ex.ids
        }
