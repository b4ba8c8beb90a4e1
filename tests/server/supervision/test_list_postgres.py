"""The visit list's PostgreSQL path (``list_postgres``) against the ORM path it replaces there:
the same pages, the same audit rows, a chain that verifies, and concurrent pages that chain."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from harness.phone import Phone, new_id
from server.audit.models import AuditEvent
from server.audit.service import verify_chain
from server.supervision import listing
from server.supervision.schemas import VisitPage
from tests.server.supervision.phone_visits import T0, Enrolled, complete_fields
from tests.support.people import Person

AT = datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=UTC)


async def _walk(person: Person, params: dict[str, Any]) -> list[tuple[dict[str, Any], list[Any]]]:
    """Every page of the list for ``params`` (limit 2), each with the audit rows it wrote."""
    pages, cursor = [], None
    while True:
        before = await AuditEvent.all().count()
        query = {**params, "limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await person.client.get("/api/visits", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        assert VisitPage.model_validate(page).model_dump(mode="json") == page
        rows = await AuditEvent.filter(id__gt=before).order_by("id")
        audit = [(r.action, r.record_id, r.actor_id, r.device_id, r.reason) for r in rows]
        pages.append((page, audit))
        cursor = page["next_cursor"]
        if cursor is None:
            return pages


async def _force(enrolled: Enrolled) -> tuple[Person, Person, Person]:
    """Two teams in one area, a visit history with awkward values; a sergeant of team A, an
    area inspector and one of team A's officers."""
    a1 = await enrolled(team="Team A", area="Area X")
    b1 = await enrolled(team="Team B", area="Area X")
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    inspector = await enrolled(role="supervisor", team="Team C", area="Area X", scope="area")
    references = ["22/1001/26", "22/1011/26", "22/2001/26", "22/1001/25", "23/7/26"]
    for n, reference in enumerate(references):
        for owner in (a1, b1):
            phone = Phone(owner.client)
            fields = complete_fields(
                **{
                    "reference.crime_reference": reference,
                    "reference.reported_at": (T0 + timedelta(days=n)).isoformat(),
                    "address.postcode": "WR3 8JE" if n % 2 else "WR14 2AY",
                }
            )
            status = {"status": "completed"} if n % 3 else {}
            await phone.push(phone.mutation("visits", new_id(), {**fields, **status}))
    return sergeant, inspector, a1


async def test_list_visits_postgres_path_matches_orm_path_on_every_filter(
    enrolled: Enrolled, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Page by page, filter by filter, for each scope: the same visits, the same JSON and the
    same audit rows in the same order, whether the list is read by hand-written SQL or by the
    ORM (SQLite's path); and the audit chain verifies after both."""
    if backend != "postgres":
        pytest.skip("the hand-written path is PostgreSQL's; SQLite runs the ORM path")
    sergeant, inspector, officer = await _force(enrolled)
    filters: list[dict[str, Any]] = [
        {},
        {"status": "completed"},
        {
            "date_from": (T0 + timedelta(days=1)).isoformat(),
            "date_to": (T0 + timedelta(days=3)).isoformat(),
        },
        {"date_from": "2026-11-02T08:00:00"},  # no offset: UTC, as the ORM takes it
        {"crime_reference": "22/10"},
        {"crime_reference": "22/10_1"},  # LIKE's wildcards match only themselves
        {"crime_reference": "22/%"},
        {"postcode": "wr3"},
        {"postcode": "WR14 2AY"},
        {"team": officer.officer.team_id},  # type: ignore[attr-defined]
        {"officer": str(officer.officer.id)},
        {"status": "approved"},  # nothing
    ]
    for person in (sergeant, inspector, officer):
        for params in filters:
            fast = await _walk(person, params)
            monkeypatch.setattr(listing, "is_postgres", lambda _connection: False)
            orm = await _walk(person, params)
            monkeypatch.undo()
            assert fast == orm, (person.officer.collar_number, params)
            assert sum(len(page["visits"]) for page, _ in fast) == sum(len(a) for _, a in fast)
    report = await verify_chain()
    assert report.first_broken_id is None, report


async def test_list_visits_concurrent_pages_each_audited_on_one_chain(
    enrolled: Enrolled,
) -> None:
    """Pages listed at once, with other audited work between them, each write one row per
    visit listed, and the chain stays linear and gap-free (rows are chained in the statement
    that read the page, under the head's lock)."""
    sergeant, inspector, _ = await _force(enrolled)
    before = await AuditEvent.all().count()
    pages = await asyncio.gather(
        *(p.client.get("/api/visits", params={"limit": 3}) for p in [sergeant, inspector] * 4),
        *(sergeant.client.get("/api/visits/" + str(uuid.uuid4())) for _ in range(2)),
    )
    listed = sum(len(r.json()["visits"]) for r in pages[:8])
    rows = await AuditEvent.filter(id__gt=before).order_by("id")
    assert len([r for r in rows if r.reason == "visit list"]) == listed
    assert [r.id for r in rows] == list(range(before + 1, before + len(rows) + 1))
    assert (await verify_chain()).first_broken_id is None


async def test_list_visits_empty_page_writes_no_audit_row(enrolled: Enrolled) -> None:
    sergeant = await enrolled(role="supervisor", team="Team A")
    before = await AuditEvent.all().count()
    page = (await sergeant.client.get("/api/visits")).json()
    assert page == {"visits": [], "next_cursor": None}
    assert await AuditEvent.all().count() == before
