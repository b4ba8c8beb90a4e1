"""Issue 14 item 3: every out-of-scope refusal leaves a ``denied`` audit row naming the id asked
for, and the answer is the very 404 an id that exists nowhere gets (SECURITY.md item 32)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from harness.images import jpeg_bytes
from harness.phone import Phone, PhotoPhone, new_id
from harness.tus import TusClient
from server.audit.models import AuditAction, AuditEvent
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]


async def _denials() -> list[tuple[str, str, str]]:
    rows = await AuditEvent.filter(action=AuditAction.DENIED).order_by("id")
    return [(str(r.actor_id), r.record_type, r.record_id) for r in rows]


def _same_answer(refused: httpx.Response, unknown: httpx.Response) -> None:
    """The refusal says nothing the answer for a made-up id does not say."""
    assert refused.status_code == unknown.status_code == 404
    if refused.request.method != "HEAD":
        assert refused.json() == unknown.json()
    skip = {"x-request-id", "date", "content-length"}
    assert {k: v for k, v in refused.headers.items() if k not in skip} == {
        k: v for k, v in unknown.headers.items() if k not in skip
    }


async def _visit_of(owner: Person) -> str:
    phone = Phone(owner.client)
    visit_id = new_id()
    created = await phone.push(phone.mutation("visits", visit_id, {"victim.name": "Ann Smith"}))
    assert created.json()["results"][0]["status"] == "applied"
    return visit_id


async def test_supervisor_asking_for_another_teams_visit_is_404_and_audited_as_denied(
    enrolled: Enrolled,
) -> None:
    owner = await enrolled(team="Team A")
    other_sergeant = await enrolled(role="supervisor", team="Team B")
    visit_id = await _visit_of(owner)

    refused = await other_sergeant.client.get(f"/api/visits/{visit_id}")
    unknown = await other_sergeant.client.get(f"/api/visits/{new_id()}")

    _same_answer(refused, unknown)
    assert await _denials() == [(str(other_sergeant.officer.id), "visits", visit_id)]


async def test_officer_asking_for_another_teams_photo_is_404_and_audited_as_denied(
    enrolled: Enrolled,
) -> None:
    owner = await enrolled(team="Team A")
    stranger = await enrolled(team="Team B")
    _, photo_id = await PhotoPhone(owner.client).record_photo(jpeg_bytes())

    for kind in ("original", "display", "thumb"):
        refused = await stranger.client.get(f"/api/photos/{photo_id}/{kind}")
        unknown = await stranger.client.get(f"/api/photos/{new_id()}/{kind}")
        _same_answer(refused, unknown)
    assert await _denials() == [(str(stranger.officer.id), "photos", photo_id)] * 3


async def test_officer_opening_an_upload_for_another_officers_photo_is_404_and_denied(
    enrolled: Enrolled,
) -> None:
    owner = await enrolled(team="Team A")
    stranger = await enrolled(team="Team A")
    data = jpeg_bytes()
    visit_id, photo_id = await PhotoPhone(owner.client).record_photo(data)

    refused = await TusClient(stranger.client).create(photo_id, visit_id, data)
    unknown = await TusClient(stranger.client).create(new_id(), visit_id, data)

    _same_answer(refused, unknown)
    assert await _denials() == [(str(stranger.officer.id), "photos", photo_id)]


async def test_officer_continuing_another_officers_upload_is_404_and_audited_as_denied(
    enrolled: Enrolled,
) -> None:
    owner = await enrolled(team="Team A")
    stranger = await enrolled(team="Team B")
    data = jpeg_bytes()
    visit_id, photo_id = await PhotoPhone(owner.client).record_photo(data)
    created = await TusClient(owner.client).create(photo_id, visit_id, data)
    url = created.headers["Location"]
    upload_id = url.rsplit("/", 1)[1]
    tus = TusClient(stranger.client)

    _same_answer(await tus.head(url), await tus.head(f"/api/uploads/{new_id()}"))
    _same_answer(
        await tus.patch(url, 0, data[:100]), await tus.patch(f"/api/uploads/{new_id()}", 0, b"x")
    )
    assert await _denials() == [(str(stranger.officer.id), "uploads", upload_id)] * 2


async def test_sync_push_into_another_officers_visit_is_rejected_and_audited_as_denied(
    enrolled: Enrolled,
) -> None:
    owner = await enrolled(team="Team A")
    stranger = await enrolled(team="Team B")
    visit_id = await _visit_of(owner)
    phone = Phone(stranger.client)
    item_id = new_id()

    pushed = await phone.push(
        phone.mutation("visits", visit_id, {"victim.phone": "07700 900123"}, base_rev=1),
        phone.mutation("property_items", item_id, {"visit_id": visit_id, "description": "TV"}),
    )

    assert pushed.status_code == 200
    errors = [r["error"]["code"] for r in pushed.json()["results"]]
    assert errors == ["not_found", "not_found"]
    actor = str(stranger.officer.id)
    assert await _denials() == [(actor, "visits", visit_id), (actor, "property_items", item_id)]
    rows = await AuditEvent.filter(action=AuditAction.DENIED).order_by("id")
    assert visit_id in rows[1].reason  # the visit the child record asked to join


async def test_ids_that_exist_nowhere_are_404_without_a_denial_row(enrolled: Enrolled) -> None:
    officer = await enrolled()
    sergeant = await enrolled(role="supervisor")
    assert (await sergeant.client.get(f"/api/visits/{new_id()}")).status_code == 404
    assert (await officer.client.get(f"/api/photos/{new_id()}/thumb")).status_code == 404
    phone = Phone(officer.client)
    pushed = await phone.push(phone.mutation("visits", new_id(), {}, op="delete", base_rev=3))
    assert pushed.json()["results"][0]["status"] in {"applied", "rejected", "merged"}
    assert await _denials() == []
