"""The old and new write paths store the same rows, and the two pull paths give the same answer.

Hypothesis draws batches of mutations over a few visits and child records: creates, edits with
current, stale and impossible base revisions, bad values, time windows broken with stored
fields, completions, deletes. Each example is pushed twice by the same officer, with its own
record ids and client id each time: once through the reference path (tortoise for every write,
each put validated alone and then as a whole record: the code before the set-based writes),
once through the path in use (on PostgreSQL set-based statements; on both, one validation
per put). Every row the push writes is then compared: the records, their revisions, the
received mutations, the audit rows (ids mapped, versions as ranks; row ids, hashes, request
ids and wall-clock stamps aside). Then the same device pulls everything through the tortoise
pull and through the row pull (PostgreSQL), which must answer the same changes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.phone import Phone, new_id
from server.audit import store as audit_store
from server.audit.models import AuditEvent
from server.audit.service import verify_chain
from server.feed import writer
from server.feed.models import Revision
from server.photos.models import Photo
from server.syncing import apply, pull, received
from server.syncing import push as pushing
from server.syncing.models import ReceivedMutation
from server.visits.models import KitIssue, PropertyItem, Visit
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]

VISIT_VALUES: dict[str, list[Any]] = {
    "victim.name": ["Ann Smith", "Zoë Ó'Brien", "", "Bad\x01name", None],
    "address.postcode": ["wr3 8je", "SW1A 1AA", "NOPE", None],
    "attendance.arrived_at": ["2026-11-23T08:30:00Z", "2026-11-23T10:00:00+01:00"],
    "attendance.left_at": ["2026-11-23T09:30:00.250Z", "2026-11-23T07:00:00Z"],
    "location.latitude": [52.19, 52.0, 52, 91.5],
    "offence.rooms_entered": [["kitchen"], ["hallway", "lounge"], []],
    "victim.referral_made": [True, False],
    "victim.referral_consent": [False, True],
    "reference.crime_reference": ["22/41871/26", "x"],
    "status": ["completed", "draft", "approved"],
    "offence.type": ["dwelling", "not-a-type"],
    "victim.victims_code_given": [True],
}
ITEM_VALUES: dict[str, list[Any]] = {
    "category": ["jewellery", "phone", "spaceship"],
    "estimated_value_pence": [1500, 1500.0, -1, 10**12],
    "description": ["Gold ring", "Laptop, silver"],
}
KIT_VALUES: dict[str, list[Any]] = {
    "kit_code": ["SW-000123", "bad code"],
    "recipient": ["victim", "neighbour"],
    "address.postcode": ["wr1 2es"],
}
# (collection, record index): two visits, two property items, one kit issue.
RECORDS = [("visits", 0), ("visits", 1), ("property_items", 2), ("property_items", 3)]
RECORDS += [("kit_issues", 4)]
PARENT = {2: 0, 3: 1, 4: 0}

mutation_strategy = st.tuples(
    st.integers(0, len(RECORDS) - 1),  # which record
    st.sampled_from(["put", "put", "put", "put", "delete"]),
    st.lists(st.integers(0, 99), min_size=1, max_size=4),  # which fields and values
    st.sampled_from([None, None, 0, 1, 2, 3, 9]),  # base_rev
    st.booleans(),  # a child names its visit
)
batches_strategy = st.lists(st.lists(mutation_strategy, min_size=1, max_size=6), max_size=5)


def _fields(collection: str, picks: list[int], parent: str | None) -> dict[str, Any]:
    values = {"visits": VISIT_VALUES, "property_items": ITEM_VALUES}.get(collection, KIT_VALUES)
    paths = sorted(values)
    fields: dict[str, Any] = {}
    for pick in picks:
        path = paths[pick % len(paths)]
        fields[path] = values[path][pick // len(paths) % len(values[path])]
    if parent is not None:
        fields["visit_id"] = parent
    return fields


def _script(
    batches: list[list[tuple[int, str, list[int], int | None, bool]]], ids: list[str]
) -> list[list[tuple[str, str, dict[str, Any], str, int | None]]]:
    """The batches as (collection, id, fields, op, base_rev) over these record ids."""
    script = []
    for batch in batches:
        out = []
        for index, op, picks, base_rev, names_parent in batch:
            collection, _ = RECORDS[index]
            parent = ids[PARENT[index]] if index in PARENT and names_parent else None
            fields = {} if op == "delete" else _fields(collection, picks, parent)
            out.append((collection, ids[index], fields, op, base_rev))
        script.append(out)
    return script


async def _run(person: Person, script: list[list[tuple[Any, ...]]]) -> tuple[str, list[Any]]:
    phone = Phone(person.client)
    answers = []
    for batch in script:
        mutations = [phone.mutation(c, i, f, op=op, base_rev=b) for c, i, f, op, b in batch]
        response = await phone.push(*mutations)
        assert response.status_code == 200, response.text
        answers.append(response.json())
    return phone.client_id, answers


@contextmanager
def reference_paths() -> Iterator[None]:
    """Every write by tortoise and every put validated twice: the code before this change."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(writer, "SET_BASED", False)
        patch.setattr(apply, "VALIDATE_ONCE", False)
        for module in (pushing, received, audit_store):
            patch.setattr(module, "is_postgres", lambda _connection: False)
        yield


def _named(value: Any, names: dict[str, str]) -> Any:
    """``value`` as JSON with every record and client id replaced by its name."""
    text = json.dumps(value, default=str, sort_keys=True)
    for real, name in names.items():
        text = text.replace(real, name)
    return json.loads(text)


RECORD_MODELS = (Visit, PropertyItem, KitIssue, Photo)
# Set by the database or the wall clock, per request, or a digest of the (renamed) ids.
ASIDE = {"id", "created_at", "updated_at", "received_at", "at", "row_hash", "prev_hash"}
ASIDE |= {"request_id", "version", "digest"}


def _rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in ASIDE} for r in rows]


async def _stored(ids: list[str], client_id: str) -> dict[str, Any]:
    """Every row the pushes wrote for these records and this client."""
    uuids = [uuid.UUID(i) for i in ids]
    found: dict[str, Any] = {}
    versions: list[tuple[int, str]] = []
    for model in RECORD_MODELS:
        rows = await model.filter(id__in=uuids).values()
        versions += [(r["version"], str(r["id"])) for r in rows]
        named = [
            {"record": str(r["id"]), **kept} for r, kept in zip(rows, _rows(rows), strict=True)
        ]
        found[model.__name__] = sorted(named, key=lambda r: ids.index(r["record"]))
    found["feed order"] = [record for _, record in sorted(versions)]
    revisions = await Revision.filter(record_id__in=uuids).order_by("id").values()
    found["revisions"] = _rows(revisions)
    client = uuid.UUID(client_id)
    found["received"] = _rows(
        await ReceivedMutation.filter(client_id=client).order_by("seq").values()
    )
    found["audit"] = _rows(await AuditEvent.filter(record_id__in=ids).order_by("id").values())
    return found


def examples(count: int) -> Any:
    """Hypothesis settings of these tests: ``count`` reproducible examples, no deadline."""
    return settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture
async def officer(enrolled: Enrolled) -> Person:
    """One officer, enrolled once for all of a test's examples."""
    return await enrolled()


@examples(25)
@given(batches=batches_strategy)
async def test_old_and_new_write_paths_store_the_same_rows(
    officer: Person, batches: list[list[tuple[int, str, list[int], int | None, bool]]]
) -> None:
    old_ids, new_ids = [new_id() for _ in RECORDS], [new_id() for _ in RECORDS]
    with reference_paths():
        old_client, old_answers = await _run(officer, _script(batches, old_ids))
    new_client, new_answers = await _run(officer, _script(batches, new_ids))
    old_names = {i: f"record{n}" for n, i in enumerate(old_ids)} | {old_client: "client"}
    new_names = {i: f"record{n}" for n, i in enumerate(new_ids)} | {new_client: "client"}
    assert _named(new_answers, new_names) == _named(old_answers, old_names)
    old_rows = _named(await _stored(old_ids, old_client), old_names)
    new_rows = _named(await _stored(new_ids, new_client), new_names)
    for table in old_rows:
        for old, new in zip(old_rows[table], new_rows[table], strict=False):
            assert new == old, table
    assert new_rows == old_rows
    assert (await verify_chain()).first_broken_id is None


@examples(12)
@given(batches=batches_strategy)
async def test_row_pull_answers_as_the_tortoise_pull(
    backend: str,
    officer: Person,
    batches: list[list[tuple[int, str, list[int], int | None, bool]]],
) -> None:
    if backend != "postgres":
        pytest.skip("the row pull is PostgreSQL's")
    ids = [new_id() for _ in RECORDS]
    client_id, _ = await _run(officer, _script(batches, ids))
    reader = Phone(officer.client, client_id=client_id)
    for limit in (1000, 3):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(pull, "ROWS", False)
            old = await _pages(reader, limit)
        assert await _pages(reader, limit) == old


async def _pages(reader: Phone, limit: int) -> list[dict[str, Any]]:
    """Every page from the start, as answered (cursors included)."""
    pages, cursor = [], None
    while True:
        response = await reader.client.post(
            "/api/sync/pull", json={"client_id": reader.client_id, "cursor": cursor, "limit": limit}
        )
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        cursor = page["cursor"]
        if not page["has_more"]:
            return pages
