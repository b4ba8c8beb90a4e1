"""The row pull (PostgreSQL) reads addenda, victim updates and survey responses itself: what
it answers must be exactly what the tortoise pull answers for them."""

from __future__ import annotations

import pytest

from harness.phone import Phone
from server.syncing import pull
from tests.server.aftercare.phone_aftercare import given_leave_behind, push_one
from tests.server.aftercare.test_victim_updates import update
from tests.server.supervision.phone_visits import Enrolled, completed_visit


async def _pages(reader: Phone) -> list[dict[str, object]]:
    pages, cursor = [], None
    while True:
        response = await reader.client.post(
            "/api/sync/pull", json={"client_id": reader.client_id, "cursor": cursor, "limit": 4}
        )
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        cursor = page["cursor"]
        if not page["has_more"]:
            return pages


async def test_row_pull_answers_aftercare_records_as_the_tortoise_pull(
    backend: str, enrolled: Enrolled
) -> None:
    if backend != "postgres":
        pytest.skip("the row pull is PostgreSQL's")
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer)
    addendum = {
        "visit_id": visit_id,
        "kind": "evidence_collected",
        "evidence_kind": "cctv",
        "occurred_at": "2026-11-24T10:00:00Z",
        "text": "Footage from No. 16",
        "exhibit_reference": "JS/1",
    }
    for collection, fields in (
        ("addenda", addendum),
        ("victim_updates", update(visit_id, "2026-12-07")),
        ("survey_responses", {"visit_id": visit_id, "overall": 4}),
    ):
        result = await push_one(phone, collection, fields)
        assert result["status"] == "applied", result
    await given_leave_behind(phone, visit_id)
    reader = Phone(officer.client)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pull, "ROWS", False)
        expected = await _pages(reader)
    got = await _pages(reader)
    assert got == expected
    collections = {c["collection"] for page in got for c in page["changes"]}  # type: ignore[union-attr]
    assert {"addenda", "victim_updates", "survey_responses", "leave_behinds"} <= collections
