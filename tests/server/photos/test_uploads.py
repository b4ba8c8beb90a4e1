"""tus uploads end to end through the real app, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from harness.images import jpeg_bytes, sha256_hex
from harness.phone import PhotoPhone
from harness.tus import TUS, TusClient, b64_sha256, metadata_header
from server.app import create_app
from server.audit.models import AuditAction, AuditEvent
from server.clock import FixedClock
from server.feed.models import Revision
from server.photos.cleanup import cleanup_uploads
from server.photos.models import Photo, Upload, UploadState
from server.settings import Settings
from tests.support.people import Person
from tests.support.photos import store_for

Enrolled = Callable[..., Awaitable[Person]]


@pytest.fixture
async def officer(enrolled: Enrolled) -> Person:
    """The visit's officer, signed in."""
    return await enrolled()


async def test_options_advertises_tus_core_creation_checksum_and_limit(
    officer: Person, settings: Settings
) -> None:
    response = await officer.client.options("/api/uploads")
    assert response.status_code == 204
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert response.headers["Tus-Version"] == "1.0.0"
    assert response.headers["Tus-Extension"] == "creation,checksum"
    assert response.headers["Tus-Checksum-Algorithm"] == "sha256"
    assert response.headers["Tus-Max-Size"] == str(settings.max_upload_bytes)


async def test_upload_in_chunks_verifies_and_serves_the_exact_original(officer: Person) -> None:
    data = jpeg_bytes(noise=True)
    phone = PhotoPhone(officer.client)
    visit_id, photo_id = await phone.record_photo(data)
    tus = TusClient(officer.client)

    created = await tus.create(photo_id, visit_id, data)
    assert created.status_code == 201, created.text
    assert created.headers["Tus-Resumable"] == "1.0.0"
    url = created.headers["Location"]
    assert url.startswith("/api/uploads/")
    head = await tus.head(url)
    assert head.status_code == 200
    assert head.headers["Upload-Offset"] == "0"
    assert head.headers["Upload-Length"] == str(len(data))
    assert head.headers["Cache-Control"] == "no-store"
    assert (await phone.photo_record(photo_id))["upload.status"] == "uploading"

    half = len(data) // 2
    first = await tus.patch(url, 0, data[:half])
    assert first.status_code == 204, first.text
    assert first.headers["Upload-Offset"] == str(half)
    assert (await tus.head(url)).headers["Upload-Offset"] == str(half)
    last = await tus.patch(url, half, data[half:])
    assert last.status_code == 204, last.text
    assert last.headers["Upload-Offset"] == str(len(data))

    record = await phone.photo_record(photo_id)
    assert record["upload.status"] == "verified"
    assert record["upload.message"] is None
    consults = AuditEvent.filter(
        action=AuditAction.CONSULT, record_type="photos", record_id=photo_id
    )
    before = await consults.count()
    original = await officer.client.get(f"/api/photos/{photo_id}/original")
    assert original.status_code == 200
    assert original.content == data
    assert original.headers["Content-Type"] == "image/jpeg"
    assert original.headers["X-Content-Type-Options"] == "nosniff"
    assert original.headers["Cache-Control"] == "private, no-store"
    assert await consults.count() == before + 1
    # The server's status change is a revision like any other.
    assert await Revision.filter(record_id=photo_id, author="server").count() == 2


@pytest.mark.parametrize("store_kind", ["fs", "s3"])
async def test_cut_at_60_percent_resumes_on_another_app_instance(
    officer: Person, app: Starlette, settings: Settings, clock: FixedClock, store_kind: str
) -> None:
    data = jpeg_bytes((800, 600), noise=True)
    phone = PhotoPhone(officer.client)
    visit_id, photo_id = await phone.record_photo(data)
    tus = TusClient(officer.client)
    created = await tus.create(photo_id, visit_id, data)
    url = created.headers["Location"]
    cut = int(len(data) * 0.6)
    assert (await tus.send(url, data, stop=cut, chunk=32 * 1024)).status_code == 204

    # Another worker: its own app and its own store object on the same database and storage.
    other_app = create_app(settings, clock=clock, manage_orm=False)
    other_app.state.photo_store = store_for(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=other_app),
        base_url="http://localhost:8000",
        headers={"Origin": "http://localhost:8000"},
        cookies=officer.client.cookies,
    ) as other:
        other_tus = TusClient(other)
        offset = int((await other_tus.head(url)).headers["Upload-Offset"])
        assert offset == cut
        last = await other_tus.send(url, data, start=offset, chunk=32 * 1024)
        assert last.status_code == 204, last.text
    original = await officer.client.get(f"/api/photos/{photo_id}/original")
    assert original.content == data
    store = app.state.photo_store
    assert store.keys("uploads/") == []  # chunks are gone once the original is stored
    assert store.keys("originals/") == [f"originals/{sha256_hex(data)[:2]}/{sha256_hex(data)}"]


async def test_wrong_offset_is_409_and_changes_nothing(officer: Person) -> None:
    data = jpeg_bytes()
    visit_id, photo_id = await PhotoPhone(officer.client).record_photo(data)
    tus = TusClient(officer.client)
    url = (await tus.create(photo_id, visit_id, data)).headers["Location"]
    assert (await tus.patch(url, 0, data[:1000])).status_code == 204
    for offset in (0, 999, 1001, len(data)):
        response = await tus.patch(url, offset, data[offset : offset + 10])
        assert response.status_code == 409, offset
        assert response.json()["error"]["code"] == "offset_mismatch"
        assert response.headers["Upload-Offset"] == "1000"
    assert (await tus.head(url)).headers["Upload-Offset"] == "1000"


async def test_a_chunk_past_the_declared_length_is_413(officer: Person) -> None:
    data = jpeg_bytes()
    visit_id, photo_id = await PhotoPhone(officer.client).record_photo(data)
    tus = TusClient(officer.client)
    url = (await tus.create(photo_id, visit_id, data)).headers["Location"]
    response = await tus.patch(url, 0, data + b"extra")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "chunk_too_large"
    assert (await tus.head(url)).headers["Upload-Offset"] == "0"


async def test_flipped_byte_in_a_chunk_is_460_and_the_offset_stays(officer: Person) -> None:
    data = jpeg_bytes()
    visit_id, photo_id = await PhotoPhone(officer.client).record_photo(data)
    tus = TusClient(officer.client)
    url = (await tus.create(photo_id, visit_id, data)).headers["Location"]
    assert (await tus.patch(url, 0, data[:4096])).status_code == 204
    chunk = data[4096:8192]
    damaged = bytearray(chunk)
    damaged[100] ^= 0x01
    response = await tus.patch(url, 4096, bytes(damaged), checksum=b64_sha256(chunk))
    assert response.status_code == 460
    assert response.json()["error"]["code"] == "checksum_mismatch"
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert (await tus.head(url)).headers["Upload-Offset"] == "4096"
    # The right bytes at the same offset are then accepted, and the file still verifies.
    assert (await tus.send(url, data, start=4096)).status_code == 204
    record = await PhotoPhone(officer.client).photo_record(photo_id)
    assert record["upload.status"] == "verified"


async def test_bad_checksum_header_and_media_type_and_tus_version(officer: Person) -> None:
    data = jpeg_bytes()
    visit_id, photo_id = await PhotoPhone(officer.client).record_photo(data)
    tus = TusClient(officer.client)
    url = (await tus.create(photo_id, visit_id, data)).headers["Location"]
    sha1 = await tus.patch(url, 0, data[:10], checksum="sha1 AAAA")
    assert sha1.status_code == 400
    assert sha1.json()["error"]["code"] == "checksum_algorithm_unsupported"
    wrong_type = await officer.client.patch(
        url,
        content=data[:10],
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/octet-stream"},
    )
    assert wrong_type.status_code == 415
    assert set(wrong_type.json()["error"]) == {"code", "message", "details"}
    no_tus = await officer.client.patch(
        url,
        content=data[:10],
        headers={"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert no_tus.status_code == 412
    assert no_tus.headers["Tus-Version"] == "1.0.0"
    assert (await tus.head(url)).headers["Upload-Offset"] == "0"


@pytest.mark.parametrize("store_kind", ["fs", "s3"])
async def test_whole_file_hash_mismatch_never_becomes_verified(
    officer: Person, app: Starlette
) -> None:
    declared = jpeg_bytes()
    sent = bytearray(declared)
    sent[len(sent) // 2] ^= 0xFF  # same length, one byte different: every chunk checksum fine
    phone = PhotoPhone(officer.client)
    visit_id, photo_id = await phone.record_photo(declared)
    tus = TusClient(officer.client)
    url = (await tus.create(photo_id, visit_id, declared)).headers["Location"]
    last = await tus.send(url, bytes(sent))
    assert last.status_code == 422
    error = last.json()["error"]
    assert error["code"] == "sha256_mismatch"
    assert "SHA-256" in error["message"]
    record = await phone.photo_record(photo_id)
    assert record["upload.status"] == "failed"
    assert "SHA-256" in record["upload.message"]
    assert (await officer.client.get(f"/api/photos/{photo_id}/original")).status_code == 409
    assert app.state.photo_store.keys("originals/") == []
    assert (await tus.head(url)).status_code == 410
    # A new upload of the right bytes then verifies.
    await tus.upload(photo_id, visit_id, declared)
    assert (await phone.photo_record(photo_id))["upload.status"] == "verified"


@pytest.mark.parametrize("store_kind", ["fs", "s3"])
async def test_same_photo_twice_completes_at_once_and_stores_one_blob(
    officer: Person, app: Starlette
) -> None:
    data = jpeg_bytes()
    phone = PhotoPhone(officer.client)
    visit_id, photo_id = await phone.record_photo(data)
    tus = TusClient(officer.client)
    await tus.upload(photo_id, visit_id, data)
    again = await tus.create(photo_id, visit_id, data)
    assert again.status_code == 201
    assert again.headers["Upload-Offset"] == str(len(data))
    head = await tus.head(again.headers["Location"])
    assert head.headers["Upload-Offset"] == head.headers["Upload-Length"] == str(len(data))
    # Another photo of the very same bytes (uploaded in full) shares the blob.
    _, second = await phone.record_photo(data, visit_id=visit_id)
    await tus.upload(second, visit_id, data)
    assert len(app.state.photo_store.keys("originals/")) == 1
    for pid in (photo_id, second):
        assert (await officer.client.get(f"/api/photos/{pid}/original")).content == data


async def test_two_patches_at_once_one_wins_one_gets_409(officer: Person, app: Starlette) -> None:
    data = jpeg_bytes((800, 600), noise=True)
    visit_id, photo_id = await PhotoPhone(officer.client).record_photo(data)
    tus = TusClient(officer.client)
    url = (await tus.create(photo_id, visit_id, data)).headers["Location"]
    chunk = data[: len(data) // 2]
    first, second = await asyncio.gather(tus.patch(url, 0, chunk), tus.patch(url, 0, chunk))
    assert sorted([first.status_code, second.status_code]) == [204, 409]
    loser = first if first.status_code == 409 else second
    assert loser.json()["error"]["code"] in {"upload_busy", "offset_mismatch"}
    assert (await tus.head(url)).headers["Upload-Offset"] == str(len(chunk))
    assert (await tus.send(url, data, start=len(chunk))).status_code == 204
    original = await officer.client.get(f"/api/photos/{photo_id}/original")
    assert original.content == data
    assert app.state.photo_store.keys("uploads/") == []  # the loser's bytes are gone too


async def test_a_stale_lock_is_taken_over_and_a_live_one_is_409(
    officer: Person, clock: FixedClock
) -> None:
    data = jpeg_bytes()
    visit_id, photo_id = await PhotoPhone(officer.client).record_photo(data)
    tus = TusClient(officer.client)
    url = (await tus.create(photo_id, visit_id, data)).headers["Location"]
    upload_id = url.rsplit("/", 1)[1]
    # A worker took the lock and died mid-chunk.
    await Upload.filter(id=upload_id).update(
        lock_token="dead" * 8, locked_until=clock.now() + timedelta(seconds=60)
    )
    busy = await tus.patch(url, 0, data)
    assert busy.status_code == 409
    assert busy.json()["error"]["code"] == "upload_busy"
    clock.advance(seconds=61)
    assert (await tus.patch(url, 0, data)).status_code == 204
    assert (await PhotoPhone(officer.client).photo_record(photo_id))["upload.status"] == "verified"


async def _patch_then_disconnect(
    app: Starlette, cookie: str, path: str, first: bytes, headers: dict[str, str]
) -> None:
    """Drive the app at ASGI level: part of a body arrives, then the client goes away."""
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": first, "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        return None

    raw = {**headers, "cookie": cookie, "content-length": str(len(first) * 4)}
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PATCH",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in raw.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("localhost", 8000),
    }
    await app(scope, receive, send)


async def test_a_dropped_connection_keeps_the_bytes_received_unless_checksummed(
    officer: Person, app: Starlette
) -> None:
    data = jpeg_bytes((800, 600), noise=True)
    visit_id, photo_id = await PhotoPhone(officer.client).record_photo(data)
    tus = TusClient(officer.client)
    url = (await tus.create(photo_id, visit_id, data)).headers["Location"]
    cookie = "; ".join(f"{k}={v}" for k, v in officer.client.cookies.items())
    headers = {**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
    # With a checksum for the whole chunk, a cut chunk cannot be checked: nothing is kept.
    checked = {**headers, "Upload-Checksum": b64_sha256(data[:40_000])}
    await _patch_then_disconnect(app, cookie, url, data[:10_000], checked)
    assert (await tus.head(url)).headers["Upload-Offset"] == "0"
    # Without one, what arrived is kept and the phone resumes after it (tus core).
    await _patch_then_disconnect(app, cookie, url, data[:10_000], headers)
    assert (await tus.head(url)).headers["Upload-Offset"] == "10000"
    assert (await tus.send(url, data, start=10_000)).status_code == 204
    assert (await officer.client.get(f"/api/photos/{photo_id}/original")).content == data


async def test_declared_metadata_must_match_the_photo(officer: Person) -> None:
    data = jpeg_bytes()
    visit_id, photo_id = await PhotoPhone(officer.client).record_photo(data)
    tus = TusClient(officer.client)
    other_sha = await tus.create(photo_id, visit_id, data, sha256="0" * 64)
    assert other_sha.status_code == 409
    assert other_sha.json()["error"]["details"]["fields"] == ["sha256"]
    other_length = await tus.create(photo_id, visit_id, data, length=len(data) + 1)
    assert other_length.status_code == 409
    assert other_length.json()["error"]["details"]["fields"] == ["byte_size"]
    bad_meta = await officer.client.post(
        "/api/uploads",
        headers={**TUS, "Upload-Length": "10", "Upload-Metadata": "photo_id !!!"},
    )
    assert bad_meta.status_code == 400
    unknown_photo = await tus.create(str(uuid.uuid4()), visit_id, data)
    assert unknown_photo.status_code == 404
    wrong_visit = await tus.create(photo_id, str(uuid.uuid4()), data)
    assert wrong_visit.status_code == 404


async def test_upload_length_over_the_limit_is_413(officer: Person, settings: Settings) -> None:
    data = jpeg_bytes()
    visit_id, photo_id = await PhotoPhone(officer.client).record_photo(data)
    response = await officer.client.post(
        "/api/uploads",
        headers={
            **TUS,
            "Upload-Length": str(settings.max_upload_bytes + 1),
            "Upload-Metadata": metadata_header(photo_id, visit_id, sha256_hex(data), "image/jpeg"),
        },
    )
    assert response.status_code == 413
    assert response.json()["error"]["details"]["limit_bytes"] == settings.max_upload_bytes


async def test_others_get_404_for_upload_and_download(enrolled: Enrolled) -> None:
    owner = await enrolled(team="Team A", area="Area X")
    colleague = await enrolled(team="Team A", area="Area X")
    supervisor = await enrolled(role="supervisor", team="Team A", area="Area X")
    outsider = await enrolled(role="supervisor", team="Team C", area="Area Y")
    data = jpeg_bytes()
    visit_id, photo_id = await PhotoPhone(owner.client).record_photo(data)
    url = (await TusClient(owner.client).create(photo_id, visit_id, data)).headers["Location"]

    for person in (colleague, supervisor):
        tus = TusClient(person.client)
        assert (await tus.create(photo_id, visit_id, data)).status_code == 404
        assert (await tus.head(url)).status_code == 404
        patched = await tus.patch(url, 0, data)
        assert patched.status_code == 404
        assert patched.json()["error"]["code"] == "upload_not_found"
    assert (await TusClient(owner.client).head(url)).headers["Upload-Offset"] == "0"

    assert (await TusClient(owner.client).send(url, data)).status_code == 204
    for person in (colleague, outsider):
        for kind in ("original", "display", "thumb"):
            response = await person.client.get(f"/api/photos/{photo_id}/{kind}")
            assert response.status_code == 404, (kind, response.text)
    # The supervisor of the officer's team may view the evidence (their scope).
    seen = await supervisor.client.get(f"/api/photos/{photo_id}/original")
    assert seen.status_code == 200
    assert seen.content == data
    assert (await owner.client.get(f"/api/photos/{uuid.uuid4()}/original")).status_code == 404
    assert (await owner.client.get("/api/photos/not-a-uuid/original")).status_code == 404


async def test_abandoned_upload_expires_and_is_cleaned_up(
    officer: Person, app: Starlette, settings: Settings, clock: FixedClock
) -> None:
    data = jpeg_bytes()
    phone = PhotoPhone(officer.client)
    visit_id, photo_id = await phone.record_photo(data)
    tus = TusClient(officer.client)
    url = (await tus.create(photo_id, visit_id, data)).headers["Location"]
    assert (await tus.patch(url, 0, data[:2000])).status_code == 204
    store = app.state.photo_store
    assert store.keys("uploads/")

    clock.advance(seconds=settings.upload_expiry_seconds - 60)
    report = await cleanup_uploads(store, settings, clock.now())
    assert report.expired == 0
    clock.advance(seconds=120)
    report = await cleanup_uploads(store, settings, clock.now())
    assert (report.expired, report.purged) == (1, 1)
    assert store.keys("uploads/") == []
    upload = await Upload.get(id=url.rsplit("/", 1)[1])
    assert upload.state is UploadState.EXPIRED
    # A day later the session has ended too: sign in again, as the officer would.
    from harness.passkeys import login

    assert (await login(officer.client, officer.authenticator)).status_code == 200
    assert (await tus.head(url)).status_code == 404
    assert (await phone.photo_record(photo_id))["upload.status"] == "pending"


async def test_cli_cleanup_uploads_runs(database_url: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {
        **os.environ,
        "DOORSTEP_DATABASE_URL": database_url,
        "DOORSTEP_PHOTO_DIR": str(tmp_path),
        "DOORSTEP_LOG_LEVEL": "WARNING",
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "server.cli", "cleanup-uploads"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("expired 0 uploads")


@pytest.mark.parametrize("store_kind", ["fs", "s3"])
async def test_verified_photo_gets_derivatives_without_gps(officer: Person) -> None:
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    exif[0x8825] = {1: "N", 2: (52.0, 11.0, 30.0), 3: "W", 4: (2.0, 13.0, 0.0)}
    data = jpeg_bytes((400, 300), exif=exif)
    visit_id, photo_id = await PhotoPhone(officer.client).record_photo(data)
    await TusClient(officer.client).upload(photo_id, visit_id, data)
    display = await officer.client.get(f"/api/photos/{photo_id}/display")
    assert display.status_code == 200
    assert display.headers["Content-Type"] == "image/jpeg"
    assert display.headers["Cache-Control"] == "private, no-store"
    assert display.headers["X-Content-Type-Options"] == "nosniff"
    import io

    image = Image.open(io.BytesIO(display.content))
    assert image.size == (300, 400)  # upright
    assert not image.getexif()
    assert "exif" not in image.info
    thumb = await officer.client.get(f"/api/photos/{photo_id}/thumb")
    assert max(Image.open(io.BytesIO(thumb.content)).size) <= 320
    photo = await Photo.get(id=photo_id)
    assert photo.derivative_status.value == "ready"


async def test_undecodable_photo_keeps_its_original_and_says_why(officer: Person) -> None:
    data = b"\xff\xd8\xff\xe0" + os.urandom(3000)  # starts like a JPEG, is not one
    phone = PhotoPhone(officer.client)
    visit_id, photo_id = await phone.record_photo(data)
    await TusClient(officer.client).upload(photo_id, visit_id, data)
    assert (await phone.photo_record(photo_id))["upload.status"] == "verified"
    display = await officer.client.get(f"/api/photos/{photo_id}/display")
    assert display.status_code == 404
    error = display.json()["error"]
    assert error["code"] == "derivative_unavailable"
    assert "could not be decoded" in error["message"]
    photo = await Photo.get(id=photo_id)
    assert photo.derivative_status.value == "failed"
    assert photo.derivative_message is not None
    assert photo.derivative_message.startswith("could not be decoded: ")
    assert (await officer.client.get(f"/api/photos/{photo_id}/original")).content == data


class StageSpy:
    """The app's store, noting the hash each ``stage`` was told was known."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.known: list[str | None] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def stage(self, *args: Any, known_sha256: str | None = None) -> Any:
        self.known.append(known_sha256)
        return await self._inner.stage(*args, known_sha256=known_sha256)


@pytest.mark.parametrize("store_kind", ["fs", "s3"])
async def test_upload_in_one_patch_verifies_by_the_hash_taken_as_it_was_stored(
    officer: Person, app: Starlette
) -> None:
    data = jpeg_bytes(noise=True)
    spy = StageSpy(app.state.photo_store)
    app.state.photo_store = spy
    phone = PhotoPhone(officer.client)
    visit_id, photo_id = await phone.record_photo(data)
    tus = TusClient(officer.client)
    url = (await tus.create(photo_id, visit_id, data)).headers["Location"]
    assert (await tus.patch(url, 0, data, checksum=None)).status_code == 204
    assert spy.known == [sha256_hex(data)]
    assert (await phone.photo_record(photo_id))["upload.status"] == "verified"
    assert (await officer.client.get(f"/api/photos/{photo_id}/original")).content == data
    assert spy.keys("uploads/") == []


async def test_upload_in_chunks_hashes_its_parts_again_as_they_are_joined(
    officer: Person, app: Starlette
) -> None:
    data = jpeg_bytes(noise=True)
    spy = StageSpy(app.state.photo_store)
    app.state.photo_store = spy
    phone = PhotoPhone(officer.client)
    visit_id, photo_id = await phone.record_photo(data)
    tus = TusClient(officer.client)
    url = (await tus.create(photo_id, visit_id, data)).headers["Location"]
    assert (await tus.send(url, data, chunk=len(data) // 3 + 1)).status_code == 204
    assert spy.known == [None]
    assert (await officer.client.get(f"/api/photos/{photo_id}/original")).content == data


async def test_a_whole_file_in_one_patch_that_does_not_match_is_never_verified(
    officer: Person, app: Starlette
) -> None:
    declared = jpeg_bytes()
    sent = bytearray(declared)
    sent[len(sent) // 3] ^= 0xFF
    phone = PhotoPhone(officer.client)
    visit_id, photo_id = await phone.record_photo(declared)
    tus = TusClient(officer.client)
    url = (await tus.create(photo_id, visit_id, declared)).headers["Location"]
    last = await tus.patch(url, 0, bytes(sent))  # its own checksum is right
    assert last.status_code == 422
    assert last.json()["error"]["code"] == "sha256_mismatch"
    assert (await phone.photo_record(photo_id))["upload.status"] == "failed"
    assert app.state.photo_store.keys("originals/") == []
    assert app.state.photo_store.keys("uploads/") == []
