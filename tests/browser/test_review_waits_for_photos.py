"""A supervisor cannot approve a visit whose photo has not arrived, and is told why (issue 14
item 1), in a real Chromium.

An approved visit takes no more bytes, while a completed one still takes the bytes its photos
declared (the officer completes at the door, the photos follow with signal). So the review
refuses approval while a photo is unverified (409 ``photos_unverified``), and the workspace says
so before and after the supervisor presses Approve.
"""

from __future__ import annotations

import uuid
from typing import Any

from playwright.async_api import Browser, Page, expect

from harness.browser import axe_violations, new_phone
from harness.server import LiveServer
from tests.browser.test_officer_app import enrol
from tests.browser.test_supervisor_workspace import SUPERVISOR, TABLET, enrol_as
from tests.server.supervision.phone_visits import complete_fields

REFERENCE = "22/60001/26"

# What a phone sends when it completes a visit whose photo's bytes have not gone yet.
PUSH = """async (mutations) => {
    const r = await fetch("/api/sync/push", {method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({client_id: crypto.randomUUID(), mutations})});
    return (await r.json()).results.map((m) => m.status);
}"""


def put(seq: int, collection: str, record_id: str, fields: dict[str, Any], base: int | None) -> Any:
    """One sync mutation (sync/PROTOCOL.md)."""
    return {
        "seq": seq,
        "collection": collection,
        "id": record_id,
        "op": "put",
        "base_rev": base,
        "fields": fields,
        "at": "2026-11-23T09:00:00.000Z",
    }


async def completed_with_a_photo_on_its_way(officer: Page) -> None:
    """The officer's phone completes a visit whose photo's bytes are still on the phone."""
    visit_id, photo_id = str(uuid.uuid4()), str(uuid.uuid4())
    photo = {
        "visit_id": visit_id,
        "category": "point_of_entry",
        "sha256": "ab" * 32,
        "byte_size": 123_456,
        "content_type": "image/jpeg",
    }
    fields = complete_fields(**{"reference.crime_reference": REFERENCE})
    statuses = await officer.evaluate(
        PUSH,
        [
            put(1, "visits", visit_id, fields, None),
            put(2, "photos", photo_id, photo, None),
            put(3, "visits", visit_id, {"status": "completed"}, 1),
        ],
    )
    assert statuses == ["applied"] * 3, statuses


async def test_approval_waits_for_a_photo_and_the_workspace_says_why(
    live_server: LiveServer, browser: Browser
) -> None:
    _, officer = await new_phone(browser)
    await enrol(officer, live_server)
    await completed_with_a_photo_on_its_way(officer)

    _, sup = await new_phone(browser, viewport=TABLET)
    await enrol_as(sup, live_server, SUPERVISOR, "Visits")
    await sup.get_by_role("link", name=REFERENCE).click()
    approve = sup.get_by_role("button", name="Approve")
    await expect(approve).to_be_visible(timeout=20_000)
    await expect(sup.locator("#review-photos-waiting")).to_contain_text(
        "1 photo of this visit has not reached the server yet"
    )

    await approve.click()
    alert = sup.get_by_role("alert")
    await expect(alert).to_contain_text("The review was not saved")
    await expect(alert).to_contain_text("1 photo of this visit has not reached the server yet")
    await expect(sup.locator("#sup-summary")).to_contain_text("Completed")
    violations = await axe_violations(sup)
    assert violations == [], violations
    rows = live_server.query(
        "SELECT status FROM visit WHERE reference_crime_reference = ?", REFERENCE
    )
    assert rows == [("completed",)]
