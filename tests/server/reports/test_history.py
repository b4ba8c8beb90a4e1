"""``GET /api/addresses/history``: what the caller may see at an address, and the repeat flag."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from harness.phone import Phone, new_id
from server.audit.models import AuditAction, AuditEvent
from tests.server.reports.rows import report_row, take_in
from tests.support.context import SystemContext
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
X = {"area": "Area X"}
ADDRESS = {"postcode": "wr38je", "line1": "14 LANSDOWNE CRES"}


async def _visit(phone: Phone, reported_at: str, line1: str = "14 Lansdowne Crescent") -> str:
    visit_id = new_id()
    fields = {
        "reference.crime_reference": f"22/{visit_id[:4]}/26".upper(),
        "reference.reported_at": reported_at,
        "address.line1": line1,
        "address.postcode": "WR3 8JE",
    }
    response = await phone.push(phone.mutation("visits", visit_id, fields))
    assert response.json()["results"][0]["status"] == "applied", response.text
    return visit_id


async def test_each_caller_sees_what_they_may_and_the_flag_counts_everything(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    sergeant = await enrolled(role="supervisor", team="Team A", scope="area", **X)
    mine, colleague = await enrolled(team="Team A", **X), await enrolled(team="Team B", **X)
    my_visit = await _visit(Phone(mine.client), "2026-08-01T10:00:00Z")
    their_visit = await _visit(Phone(colleague.client), "2026-05-01T10:00:00Z")
    await _visit(Phone(mine.client), "2026-09-01T10:00:00Z", line1="16 Lansdowne Crescent")
    old, current = await take_in(
        system_ctx(),
        report_row("22/700/26", team="Team A", **{"reference.reported_at": "2025-10-01T10:00:00Z"}),
        report_row("22/701/26", team="Team A"),
    )
    await sergeant.client.post(
        f"/api/reports/{current}/assign", json={"officer_id": str(mine.officer.id)}
    )

    def ids(body: dict[str, Any]) -> set[str]:
        return {item["id"] for item in body["items"]}

    officer = await mine.client.get(
        "/api/addresses/history", params={**ADDRESS, "exclude": current}
    )
    assert officer.status_code == 200, officer.text
    body = officer.json()
    assert body["postcode"] == "WR3 8JE"
    assert ids(body) == {my_visit}  # not the colleague's visit, not the report being started
    assert body["repeat_victim"] is True  # ... but the colleague's visit makes it a repeat
    assert body["items"][0]["kind"] == "visit"

    supervisor = (
        await sergeant.client.get("/api/addresses/history", params={**ADDRESS, "exclude": current})
    ).json()
    assert ids(supervisor) == {my_visit, their_visit}  # the 2025 report is over 12 months old

    everything = (await sergeant.client.get("/api/addresses/history", params=ADDRESS)).json()
    assert ids(everything) == {my_visit, their_visit, current}
    consulted = await AuditEvent.filter(action=AuditAction.CONSULT, reason="address history")
    assert len(consulted) == 1 + 2 + 3
    assert old


async def test_no_earlier_burglary_no_repeat_and_a_bad_postcode_is_422(
    enrolled: Enrolled,
) -> None:
    officer = await enrolled(team="Team A", **X)
    body = (await officer.client.get("/api/addresses/history", params=ADDRESS)).json()
    assert (body["items"], body["repeat_victim"]) == ([], False)
    bad = await officer.client.get(
        "/api/addresses/history", params={"postcode": "nowhere", "line1": "1 High St"}
    )
    assert bad.status_code == 422
