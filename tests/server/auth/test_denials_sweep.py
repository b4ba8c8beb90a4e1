"""Issue 14 item 3, the sweep: each route that answers 404 for a record that exists outside
the caller's scope writes one ``denied`` row naming the id asked for, and answers exactly as
it does for an id that exists nowhere (SECURITY.md item 32)."""

from __future__ import annotations

import httpx

from harness.images import jpeg_bytes
from harness.phone import Phone, PhotoPhone, new_id
from harness.tus import TusClient
from tests.server.auth.test_denials import Enrolled, _denials, _same_answer
from tests.server.reports.rows import report_row, take_in
from tests.server.supervision.phone_visits import completed_visit
from tests.support.context import SystemContext


async def test_review_of_another_teams_visit_is_audited_as_denied(enrolled: Enrolled) -> None:
    officer_b = await enrolled(team="Team B", area="Area X")
    sergeant_a = await enrolled(role="supervisor", team="Team A", area="Area X")
    _, visit_id = await completed_visit(officer_b)
    approve = {"decision": "approve"}

    refused = await sergeant_a.client.post(f"/api/visits/{visit_id}/review", json=approve)
    unknown = await sergeant_a.client.post(f"/api/visits/{new_id()}/review", json=approve)

    _same_answer(refused, unknown)
    assert await _denials() == [(str(sergeant_a.officer.id), "visits", visit_id)]


async def test_reading_another_teams_visit_audit_trail_is_audited_as_denied(
    enrolled: Enrolled,
) -> None:
    officer_b = await enrolled(team="Team B", area="Area X")
    sergeant_a = await enrolled(role="supervisor", team="Team A", area="Area X")
    _, visit_id = await completed_visit(officer_b)

    refused = await sergeant_a.client.get(f"/api/visits/{visit_id}/audit")
    unknown = await sergeant_a.client.get(f"/api/visits/{new_id()}/audit")

    _same_answer(refused, unknown)
    assert await _denials() == [(str(sergeant_a.officer.id), "visits", visit_id)]


async def test_addendum_on_another_teams_visit_is_audited_as_denied(enrolled: Enrolled) -> None:
    officer_b = await enrolled(team="Team B", area="Area X")
    sergeant_a = await enrolled(role="supervisor", team="Team A", area="Area X")
    _, visit_id = await completed_visit(officer_b)
    body = {"kind": "note", "text": "Called the victim back"}

    refused = await sergeant_a.client.post(f"/api/visits/{visit_id}/addenda", json=body)
    unknown = await sergeant_a.client.post(f"/api/visits/{new_id()}/addenda", json=body)

    _same_answer(refused, unknown)
    assert await _denials() == [(str(sergeant_a.officer.id), "visits", visit_id)]


async def test_aftercare_of_another_officers_visit_is_audited_as_denied(
    enrolled: Enrolled,
) -> None:
    owner = await enrolled(team="Team A")
    stranger = await enrolled(team="Team A")
    _, visit_id = await completed_visit(owner)

    refused = await stranger.client.get(f"/api/visits/{visit_id}/aftercare")
    unknown = await stranger.client.get(f"/api/visits/{new_id()}/aftercare")

    _same_answer(refused, unknown)
    assert await _denials() == [(str(stranger.officer.id), "visits", visit_id)]


async def test_reading_or_acting_on_another_teams_report_is_audited_as_denied(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    await enrolled(team="Team C", area="Area Y")
    (theirs,) = await take_in(system_ctx(), report_row("22/2/26", team="Team C"))
    client = sergeant.client
    missing = new_id()
    close = {"reason": "duplicate"}
    assign = {"officer_id": str(sergeant.officer.id)}

    _same_answer(
        await client.get(f"/api/reports/{theirs}"), await client.get(f"/api/reports/{missing}")
    )
    _same_answer(
        await client.post(f"/api/reports/{theirs}/close", json=close),
        await client.post(f"/api/reports/{missing}/close", json=close),
    )
    _same_answer(
        await client.post(f"/api/reports/{theirs}/assign", json=assign),
        await client.post(f"/api/reports/{missing}/assign", json=assign),
    )
    assert await _denials() == [(str(sergeant.officer.id), "reports", theirs)] * 3


async def _sync(client: httpx.AsyncClient, path: str, client_id: str) -> httpx.Response:
    body: dict[str, object] = {"client_id": client_id}
    body.update({"mutations": []} if path.endswith("push") else {"cursor": None, "limit": 10})
    return await client.post(path, json=body)


async def test_sync_with_another_officers_client_id_is_audited_as_denied(
    enrolled: Enrolled,
) -> None:
    owner = await enrolled(team="Team A")
    stranger = await enrolled(team="Team B")
    phone = Phone(owner.client)
    await phone.push(phone.mutation("visits", new_id(), {"victim.name": "Ann Smith"}))

    for path in ("/api/sync/push", "/api/sync/pull"):
        refused = await _sync(stranger.client, path, phone.client_id)
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "unknown_client"
        assert (await _sync(stranger.client, path, new_id())).status_code == 200
    actor = str(stranger.officer.id)
    assert await _denials() == [(actor, "sync_clients", phone.client_id)] * 2


async def test_continuing_the_previous_officers_upload_after_reassignment_is_denied(
    enrolled: Enrolled,
) -> None:
    first = await enrolled(team="Team A")
    second = await enrolled(team="Team A")
    admin = await enrolled(role="admin")
    data = jpeg_bytes()
    visit_id, photo_id = await PhotoPhone(first.client).record_photo(data)
    created = await TusClient(first.client).create(photo_id, visit_id, data)
    url = created.headers["Location"]
    moved = await admin.client.post(
        f"/api/admin/visits/{visit_id}/reassign",
        json={"officer_id": str(second.officer.id), "reason": "officer on leave"},
    )
    assert moved.status_code == 200, moved.text
    tus = TusClient(second.client)

    _same_answer(
        await tus.patch(url, 0, data[:100]), await tus.patch(f"/api/uploads/{new_id()}", 0, b"x")
    )
    assert await _denials() == [(str(second.officer.id), "uploads", url.rsplit("/", 1)[1])]
