"""Evidence is immutable once verified (issue 14 item 1, SECURITY.md 30): attacks on the
upload path, each reproduced first, on SQLite and PostgreSQL and, where bytes are stored, on
the filesystem and S3.
"""

from __future__ import annotations

import asyncio
import importlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from tortoise import connections
from tortoise.exceptions import IntegrityError

from harness.images import jpeg_bytes, sha256_hex
from harness.phone import PhotoPhone, new_id
from harness.tus import TusClient
from server.clock import FixedClock
from server.db import sql
from server.feed.models import Revision
from server.photos.models import Photo, Upload, UploadState
from server.visits.models import Visit
from server.visits.service import reassign_visit
from tests.server.supervision.phone_visits import complete_fields
from tests.support.context import SystemContext
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
MIGRATIONS = Path(__file__).resolve().parents[3] / "server" / "migrations"


def two_pictures() -> tuple[bytes, bytes]:
    """The real photo and another one of the same length (so only the hash tells them apart)."""
    real = jpeg_bytes((640, 480), noise=True)
    other = bytearray(real)
    other[len(other) // 2] ^= 0xFF
    return real, bytes(other)


async def draft_visit(phone: PhotoPhone) -> str:
    """A draft visit with everything completion needs."""
    visit_id = new_id()
    pushed = await phone.phone.push(phone.phone.mutation("visits", visit_id, complete_fields()))
    assert pushed.json()["results"][0]["status"] == "applied", pushed.text
    return visit_id


async def rev_of(model: type[Photo] | type[Visit], record_id: str) -> int:
    """The record's current rev (what the phone's copy would say after a pull)."""
    return (await model.get(id=record_id)).rev


async def push(
    phone: PhotoPhone, model: type[Photo] | type[Visit], record_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """Push a change to a photo or visit on top of its latest rev; returns the result."""
    collection = "photos" if model is Photo else "visits"
    base = await rev_of(model, record_id)
    response = await phone.phone.push(
        phone.phone.mutation(collection, record_id, fields, base_rev=base)
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["results"][0]
    return result


async def push_photo(phone: PhotoPhone, photo_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Push a change to a photo record."""
    return await push(phone, Photo, photo_id, fields)


async def push_visit(phone: PhotoPhone, visit_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Push a change to a visit."""
    return await push(phone, Visit, visit_id, fields)


def originals(app: Starlette) -> list[str]:
    """Every original in the app's store."""
    keys: list[str] = app.state.photo_store.keys("originals/")
    return keys


def original_of(data: bytes) -> str:
    """The store key of these bytes' original."""
    sha = sha256_hex(data)
    return f"originals/{sha[:2]}/{sha}"


async def finish(tus: TusClient, url: str, photo_id: str, visit_id: str, data: bytes) -> None:
    """Complete an upload as tus-js-client would: resume it, or start again if it has ended."""
    head = await tus.head(url)
    if head.status_code == 200:
        last = await tus.send(url, data, start=int(head.headers["Upload-Offset"]))
        if last.status_code == 204:
            return
    await tus.upload(photo_id, visit_id, data)


@pytest.mark.parametrize("store_kind", ["fs", "s3"])
async def test_upload_cannot_replace_verified_original_after_approval(
    enrolled: Enrolled, app: Starlette
) -> None:
    """The issue's sequence: a second upload opened while the record named other bytes, kept
    open through verification, completion and approval, then finished."""
    officer = await enrolled(team="Team A", area="Area X")
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    phone, tus = PhotoPhone(officer.client), TusClient(officer.client)
    real, other = two_pictures()
    visit_id = await draft_visit(phone)
    _, photo_id = await phone.record_photo(real, visit_id=visit_id)
    u1 = await tus.create(photo_id, visit_id, real)
    assert u1.status_code == 201, u1.text

    # While the visit is a draft, the record is pointed at other bytes and a second upload
    # is opened for them, with 10 bytes sent.
    assert (await push_photo(phone, photo_id, {"sha256": sha256_hex(other)}))["status"] in {
        "applied",
        "conflict",
    }
    u2 = await tus.create(photo_id, visit_id, other)
    u2_url = u2.headers.get("Location", "")
    if u2.status_code == 201:
        await tus.patch(u2_url, 0, other[:10])
    # The record goes back to the real bytes, which are uploaded and verified.
    assert (await push_photo(phone, photo_id, {"sha256": sha256_hex(real)}))["status"] in {
        "applied",
        "conflict",
    }
    await finish(tus, u1.headers["Location"], photo_id, visit_id, real)
    assert (await phone.photo_record(photo_id))["upload.status"] == "verified"
    assert (await push_visit(phone, visit_id, {"status": "completed"}))["status"] == "applied"
    approved = await sergeant.client.post(
        f"/api/visits/{visit_id}/review", json={"decision": "approve"}
    )
    assert approved.status_code == 200, approved.text

    # The rest of the second upload is refused, and the evidence is unchanged.
    if u2_url:
        rest = await tus.send(u2_url, other, start=10)
        assert rest.status_code in {404, 409, 410}, rest.text
    served = await sergeant.client.get(f"/api/photos/{photo_id}/original")
    assert served.status_code == 200
    assert served.content == real
    assert originals(app) == [original_of(real)]


@pytest.mark.parametrize("store_kind", ["fs", "s3"])
async def test_upload_whose_photo_record_changed_is_refused_before_its_last_chunk(
    enrolled: Enrolled, app: Starlette
) -> None:
    officer = await enrolled()
    phone, tus = PhotoPhone(officer.client), TusClient(officer.client)
    real, other = two_pictures()
    visit_id, photo_id = await phone.record_photo(real)
    url = (await tus.create(photo_id, visit_id, real)).headers["Location"]
    half = len(real) // 2
    assert (await tus.send(url, real, stop=half)).status_code == 204
    assert (await push_photo(phone, photo_id, {"sha256": sha256_hex(other)}))["status"] == "applied"

    rest = await tus.send(url, real, start=half)
    assert rest.status_code == 409, rest.text
    assert rest.json()["error"]["code"] == "photo_mismatch"
    assert (await tus.head(url)).status_code == 410
    photo = await Photo.get(id=photo_id)
    assert photo.status.value == "pending"
    assert photo.original_sha256 is None
    assert originals(app) == []
    assert app.state.photo_store.keys("uploads/") == []
    # The phone's record and its bytes agree again: a new upload verifies.
    assert (await push_photo(phone, photo_id, {"sha256": sha256_hex(real)}))["status"] == "applied"
    await tus.upload(photo_id, visit_id, real)
    assert (await officer.client.get(f"/api/photos/{photo_id}/original")).content == real


class HookedStore:
    """The app's store, running ``hook`` once just as the last chunk is being assembled."""

    def __init__(self, inner: Any, hook: Callable[[], Awaitable[None]]) -> None:
        self._inner = inner
        self._hook: Callable[[], Awaitable[None]] | None = hook

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def _run_hook(self) -> None:
        hook, self._hook = self._hook, None
        if hook is not None:
            await hook()

    async def stage(self, *args: Any, **kwargs: Any) -> Any:
        await self._run_hook()
        return await self._inner.stage(*args, **kwargs)

    async def assemble(self, *args: Any) -> Any:
        await self._run_hook()
        return await self._inner.assemble(*args)


async def approved_with_a_photo_unverified(sergeant: Person, visit_id: str) -> None:
    """A completed visit approved while a photo's bytes are still on their way.

    The review refuses that (409 ``photos_unverified``), so the visit is approved in the
    database, as one approved before that rule was: the upload's own guard must hold all the
    same (defence in depth)."""
    review = await sergeant.client.post(
        f"/api/visits/{visit_id}/review", json={"decision": "approve"}
    )
    assert review.status_code == 409, review.text
    assert review.json()["error"]["code"] == "photos_unverified"
    assert await Visit.filter(id=visit_id).update(status="approved") == 1


@pytest.mark.parametrize("store_kind", ["fs", "s3"])
@pytest.mark.parametrize(
    ("what", "status", "code"),
    [
        ("record_changed", 409, "photo_mismatch"),
        ("photo_deleted", 404, "upload_not_found"),
        ("visit_approved", 409, "visit_locked"),
        ("visit_reassigned", 404, "upload_not_found"),
    ],
)
async def test_changes_while_the_last_chunk_assembles_are_refused_and_store_nothing(
    enrolled: Enrolled,
    app: Starlette,
    system_ctx: SystemContext,
    what: str,
    status: int,
    code: str,
) -> None:
    """The checks made before the last chunk are made again under lock when it commits."""
    officer = await enrolled(team="Team A", area="Area X")
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    colleague = await enrolled(team="Team A", area="Area X")
    phone, tus = PhotoPhone(officer.client), TusClient(officer.client)
    real, other = two_pictures()
    visit_id = await draft_visit(phone)
    _, photo_id = await phone.record_photo(real, visit_id=visit_id)
    url = (await tus.create(photo_id, visit_id, real)).headers["Location"]
    assert (await tus.send(url, real, stop=len(real) - 100)).status_code == 204

    async def meanwhile() -> None:
        if what == "record_changed":
            changed = await push_photo(phone, photo_id, {"sha256": sha256_hex(other)})
            assert changed["status"] == "applied"
        elif what == "photo_deleted":
            base = await rev_of(Photo, photo_id)
            gone = await phone.phone.push(
                phone.phone.mutation("photos", photo_id, op="delete", base_rev=base)
            )
            assert gone.json()["results"][0]["status"] == "applied", gone.text
        elif what == "visit_approved":
            assert (await push_visit(phone, visit_id, {"status": "completed"}))[
                "status"
            ] == "applied"
            await approved_with_a_photo_unverified(sergeant, visit_id)
        else:
            await reassign_visit(uuid.UUID(visit_id), colleague.officer, ctx=system_ctx())

    app.state.photo_store = HookedStore(app.state.photo_store, meanwhile)
    last = await tus.send(url, real, start=len(real) - 100)
    assert last.status_code == status, last.text
    assert last.json()["error"]["code"] == code
    photo = await Photo.get(id=photo_id)
    assert photo.status.value != "verified"
    assert photo.original_key is None
    assert originals(app) == []
    assert await Upload.filter(photo_id=photo_id, state=UploadState.OPEN).count() == 0


async def test_upload_into_an_approved_visit_is_refused(enrolled: Enrolled, app: Starlette) -> None:
    officer = await enrolled(team="Team A", area="Area X")
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    phone, tus = PhotoPhone(officer.client), TusClient(officer.client)
    real, _ = two_pictures()
    visit_id = await draft_visit(phone)
    _, photo_id = await phone.record_photo(real, visit_id=visit_id)
    url = (await tus.create(photo_id, visit_id, real)).headers["Location"]
    assert (await tus.patch(url, 0, real[:10])).status_code == 204
    assert (await push_visit(phone, visit_id, {"status": "completed"}))["status"] == "applied"
    await approved_with_a_photo_unverified(sergeant, visit_id)

    refused = await tus.send(url, real, start=10)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "visit_locked"
    assert refused.json()["error"]["details"]["visit_status"] == "approved"
    assert (await tus.head(url)).status_code == 410
    again = await tus.create(photo_id, visit_id, real)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "visit_locked"
    photo = await Photo.get(id=photo_id)
    assert photo.status.value == "pending"
    assert "approved" in (photo.status_message or "")
    assert originals(app) == []


async def test_upload_into_a_completed_or_returned_visit_delivers_the_declared_bytes(
    enrolled: Enrolled,
) -> None:
    """The offline journey: the officer completes the visit at the door and the photos follow
    when there is signal. The record (and so its sha256) is locked from completion, so only
    the declared bytes can arrive."""
    officer = await enrolled(team="Team A", area="Area X")
    sergeant = await enrolled(role="supervisor", team="Team A", area="Area X")
    phone, tus = PhotoPhone(officer.client), TusClient(officer.client)
    real, other = two_pictures()
    visit_id = await draft_visit(phone)
    _, photo_id = await phone.record_photo(real, visit_id=visit_id)
    assert (await push_visit(phone, visit_id, {"status": "completed"}))["status"] == "applied"
    assert (await push_photo(phone, photo_id, {"sha256": sha256_hex(other)}))["error"][
        "code"
    ] == "visit_locked"
    refused = await tus.create(photo_id, visit_id, other)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "photo_mismatch"
    await tus.upload(photo_id, visit_id, real)
    assert (await officer.client.get(f"/api/photos/{photo_id}/original")).content == real

    returned = await sergeant.client.post(
        f"/api/visits/{visit_id}/review", json={"decision": "return", "note": "one more photo"}
    )
    assert returned.status_code == 200
    _, second = await phone.record_photo(other, visit_id=visit_id)
    await tus.upload(second, visit_id, other)
    assert (await officer.client.get(f"/api/photos/{second}/original")).content == other


@pytest.mark.parametrize("store_kind", ["fs", "s3"])
async def test_photo_sha256_cannot_change_by_sync_once_verified(
    enrolled: Enrolled, app: Starlette
) -> None:
    officer = await enrolled()
    phone, tus = PhotoPhone(officer.client), TusClient(officer.client)
    real, other = two_pictures()
    visit_id, photo_id = await phone.record_photo(real)
    await tus.upload(photo_id, visit_id, real)

    for fields in (
        {"sha256": sha256_hex(other)},
        {"byte_size": len(real) + 1},
        {"content_type": "image/png"},
        {"sha256": None},
    ):
        result = await push_photo(phone, photo_id, fields)
        assert result["status"] == "rejected", fields
        assert result["error"]["code"] == "photo_verified"
        assert result["error"]["details"]["field"] == next(iter(fields))
    # What does not describe the bytes still changes; the same hash again is no change.
    caption = await push_photo(
        phone, photo_id, {"caption": "rear door", "sha256": sha256_hex(real)}
    )
    assert caption["status"] == "applied"
    photo = await Photo.get(id=photo_id)
    assert (photo.caption, photo.sha256, photo.original_sha256) == (
        "rear door",
        sha256_hex(real),
        sha256_hex(real),
    )
    assert (await officer.client.get(f"/api/photos/{photo_id}/original")).content == real
    assert originals(app) == [original_of(real)]


async def test_verified_original_is_guarded_by_the_database(enrolled: Enrolled) -> None:
    officer = await enrolled()
    phone, tus = PhotoPhone(officer.client), TusClient(officer.client)
    real, other = two_pictures()
    visit_id, photo_id = await phone.record_photo(real)
    await tus.upload(photo_id, visit_id, real)
    connection = connections.get("default")
    update = "UPDATE photo SET {} WHERE id = $2"
    for assignment, value in (
        ("original_sha256 = $1", sha256_hex(other)),
        ("original_key = $1", original_of(other)),
        ("original_bytes = $1", 1),
        ("original_content_type = $1", "image/png"),
        ("status = $1", "pending"),
        ("sha256 = $1", sha256_hex(other)),
        ("original_key = $1", None),
    ):
        with pytest.raises(Exception, match="evidence"):
            await connection.execute_query(
                sql(connection, update.format(assignment)), [value, photo_id]
            )
    # Anything that does not touch the original still changes.
    await connection.execute_query(
        sql(connection, update.format("caption = $1")), ["rear door", photo_id]
    )
    photo = await Photo.get(id=photo_id)
    assert (photo.caption, photo.original_sha256, photo.original_key, photo.status.value) == (
        "rear door",
        sha256_hex(real),
        original_of(real),
        "verified",
    )
    # A photo cannot be made verified with bytes other than those its record declares.
    _, pending = await phone.record_photo(other, visit_id=visit_id)
    with pytest.raises(Exception, match="evidence"):
        await Photo.filter(id=pending).update(
            status="verified",
            original_sha256=sha256_hex(real),
            original_key=original_of(real),
            original_bytes=len(real),
        )


async def test_one_open_upload_per_photo_and_a_new_one_supersedes_the_old(
    enrolled: Enrolled, clock: FixedClock
) -> None:
    officer = await enrolled()
    phone, tus = PhotoPhone(officer.client), TusClient(officer.client)
    real, _ = two_pictures()
    visit_id, photo_id = await phone.record_photo(real)
    first = (await tus.create(photo_id, visit_id, real)).headers["Location"]
    assert (await tus.patch(first, 0, real[:10])).status_code == 204
    second = (await tus.create(photo_id, visit_id, real)).headers["Location"]
    assert (await tus.head(first)).status_code == 410
    gone = await tus.patch(first, 10, real[10:20])
    assert gone.status_code == 410
    assert "newer upload" in gone.json()["error"]["message"]
    assert await Upload.filter(photo_id=photo_id, state=UploadState.OPEN).count() == 1
    await tus.send(second, real)
    assert (await officer.client.get(f"/api/photos/{photo_id}/original")).content == real
    # The database itself refuses a second open upload for one photo.
    now = clock.now()
    row = {
        "photo_id": photo_id,
        "officer_id": officer.officer.id,
        "upload_length": len(real),
        "sha256": sha256_hex(real),
        "content_type": "image/jpeg",
        "created_at": now,
        "updated_at": now,
        "expires_at": now,
    }
    await Upload.create(id=uuid.uuid4(), **row)
    with pytest.raises(IntegrityError):
        await Upload.create(id=uuid.uuid4(), **row)


@pytest.mark.parametrize("store_kind", ["fs", "s3"])
async def test_two_uploads_for_one_photo_racing_verify_it_once(
    enrolled: Enrolled, app: Starlette
) -> None:
    officer = await enrolled()
    phone, tus = PhotoPhone(officer.client), TusClient(officer.client)
    real, _ = two_pictures()
    visit_id, photo_id = await phone.record_photo(real)
    created = await asyncio.gather(*(tus.create(photo_id, visit_id, real) for _ in range(2)))
    assert [c.status_code for c in created] == [201, 201]
    assert await Upload.filter(photo_id=photo_id, state=UploadState.OPEN).count() == 1
    urls = [c.headers["Location"] for c in created]
    done = await asyncio.gather(*(tus.send(url, real, chunk=len(real)) for url in urls))
    assert sorted(d.status_code for d in done) == [204, 410]
    verified = [
        r
        for r in await Revision.filter(record_id=photo_id, author="server")
        if r.changes.get("upload.status") == "verified"
    ]
    assert len(verified) == 1
    assert (await officer.client.get(f"/api/photos/{photo_id}/original")).content == real
    assert originals(app) == [original_of(real)]


@pytest.mark.parametrize("store_kind", ["fs", "s3"])
async def test_another_photo_declaring_a_verified_sha256_cannot_borrow_or_replace_it(
    enrolled: Enrolled, app: Starlette
) -> None:
    """Originals are content-addressed and shared: declaring someone's hash gives nothing."""
    owner = await enrolled(team="Team A", area="Area X")
    stranger = await enrolled(team="Team B", area="Area Y")
    real, other = two_pictures()
    visit_a, photo_a = await PhotoPhone(owner.client).record_photo(real)
    await TusClient(owner.client).upload(photo_a, visit_a, real)

    visit_b, photo_b = await PhotoPhone(stranger.client).record_photo(
        real, declare={"sha256": sha256_hex(real)}
    )
    created = await TusClient(stranger.client).create(photo_b, visit_b, real)
    assert created.status_code == 201
    assert created.headers["Upload-Offset"] == "0"  # not "already there": send every byte
    sent = await TusClient(stranger.client).send(created.headers["Location"], other)
    assert sent.status_code == 422
    assert (await owner.client.get(f"/api/photos/{photo_a}/original")).content == real
    assert (await Photo.get(id=photo_b)).status.value == "failed"
    assert originals(app) == [original_of(real)]


async def test_visit_reassigned_mid_upload_refuses_both_officers(
    enrolled: Enrolled, system_ctx: SystemContext
) -> None:
    first = await enrolled(team="Team A", area="Area X")
    second = await enrolled(team="Team A", area="Area X")
    real, _ = two_pictures()
    visit_id, photo_id = await PhotoPhone(first.client).record_photo(real)
    url = (await TusClient(first.client).create(photo_id, visit_id, real)).headers["Location"]
    assert (await TusClient(first.client).patch(url, 0, real[:10])).status_code == 204
    await reassign_visit(uuid.UUID(visit_id), second.officer, ctx=system_ctx())

    for person in (first, second):
        refused = await TusClient(person.client).patch(url, 10, real[10:])
        assert refused.status_code == 404, refused.text
        assert refused.json()["error"]["code"] == "upload_not_found"
    # The visit's new officer uploads the photo afresh.
    await TusClient(second.client).upload(photo_id, visit_id, real)
    assert (await second.client.get(f"/api/photos/{photo_id}/original")).content == real


async def test_migration_ends_all_but_the_newest_open_upload_of_each_photo(
    enrolled: Enrolled, clock: FixedClock
) -> None:
    """Before the one-open-upload index can be made, older duplicates already there end."""
    path = next(MIGRATIONS.glob("*_evidence_immutable.py"))
    migration = importlib.import_module(f"server.migrations.{path.stem}")
    officer = await enrolled()
    real, _ = two_pictures()
    _, photo_id = await PhotoPhone(officer.client).record_photo(real)
    connection = connections.get("default")
    await connection.execute_script("DROP INDEX photo_upload_one_open")
    try:
        ids = []
        for minute in range(3):
            at = clock.now() + timedelta(minutes=minute)
            upload = await Upload.create(
                id=uuid.uuid4(),
                photo_id=photo_id,
                officer_id=officer.officer.id,
                upload_length=len(real),
                sha256=sha256_hex(real),
                content_type="image/jpeg",
                created_at=at,
                updated_at=at,
                expires_at=at + timedelta(days=1),
            )
            ids.append(upload.id)
        await connection.execute_script(migration.END_EXTRA_OPEN_UPLOADS)
    finally:
        await connection.execute_script(migration.ONE_OPEN_UPLOAD)
    still_open = await Upload.filter(state=UploadState.OPEN).values_list("id", flat=True)
    assert [str(i) for i in still_open] == [str(ids[-1])]
    ended = await Upload.filter(id__in=ids[:2])
    assert {(u.state, u.message) for u in ended} == {
        (UploadState.FAILED, "superseded by a newer upload of this photo")
    }
