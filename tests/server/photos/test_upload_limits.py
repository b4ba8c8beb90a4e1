"""Open uploads per officer are capped (issue 14 item 7): partial uploads hold storage, so one
officer (or a stolen session) cannot open them without end; expired ones do not count."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from harness.images import jpeg_bytes
from harness.passkeys import login
from harness.phone import PhotoPhone
from harness.tus import TusClient
from server.clock import FixedClock
from server.photos.models import Upload, UploadState
from server.photos.opening import TooManyOpenUploads, check_cap
from server.settings import Settings
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
CAP = 2


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The photo tests' settings with room for two open uploads per officer."""
    return dataclasses.replace(settings, max_open_uploads=CAP)


async def test_open_uploads_per_officer_are_capped_and_expired_ones_do_not_count(
    enrolled: Enrolled, clock: FixedClock, settings: Settings
) -> None:
    officer = await enrolled()
    phone, tus = PhotoPhone(officer.client), TusClient(officer.client)
    photos = [jpeg_bytes((64 + n, 48)) for n in range(4)]
    visit_id, first = await phone.record_photo(photos[0])
    ids = [first] + [(await phone.record_photo(p, visit_id=visit_id))[1] for p in photos[1:]]
    urls = [(await tus.create(ids[n], visit_id, photos[n])).headers["Location"] for n in range(2)]

    refused = await tus.create(ids[2], visit_id, photos[2])
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "too_many_open_uploads"
    assert refused.headers["Retry-After"] == "60"
    assert refused.headers["Tus-Resumable"] == "1.0.0"
    # A new upload of a photo that already has one replaces it: still within the cap.
    again = await tus.create(ids[0], visit_id, photos[0])
    assert again.status_code == 201
    urls[0] = again.headers["Location"]
    # Finishing an upload makes room.
    assert (await tus.send(urls[0], photos[0])).status_code == 204
    assert (await tus.create(ids[2], visit_id, photos[2])).status_code == 201
    assert (await tus.create(ids[3], visit_id, photos[3])).status_code == 429

    # A day later the open ones have expired (cleanup has not run yet): they no longer count,
    # and they cannot be resumed either.
    clock.advance(seconds=settings.upload_expiry_seconds + 1)
    assert (await login(officer.client, officer.authenticator)).status_code == 200
    assert (await tus.head(urls[1])).status_code == 404
    assert (await tus.create(ids[3], visit_id, photos[3])).status_code == 201


async def test_the_cap_holds_when_uploads_are_opened_all_at_once(enrolled: Enrolled) -> None:
    officer = await enrolled()
    phone, tus = PhotoPhone(officer.client), TusClient(officer.client)
    photos = [jpeg_bytes((64 + n, 48)) for n in range(6)]
    visit_id, first = await phone.record_photo(photos[0])
    ids = [first] + [(await phone.record_photo(p, visit_id=visit_id))[1] for p in photos[1:]]
    answers = await asyncio.gather(
        *(tus.create(ids[n], visit_id, photos[n]) for n in range(len(photos)))
    )
    assert sorted(a.status_code for a in answers) == [201] * CAP + [429] * (len(photos) - CAP)
    assert await Upload.filter(state=UploadState.OPEN).count() == CAP


async def test_the_cap_is_per_officer(enrolled: Enrolled) -> None:
    for _ in range(2):
        officer = await enrolled()
        phone, tus = PhotoPhone(officer.client), TusClient(officer.client)
        photos = [jpeg_bytes((64 + n, 48)) for n in range(CAP)]
        visit_id, first = await phone.record_photo(photos[0])
        ids = [first, (await phone.record_photo(photos[1], visit_id=visit_id))[1]]
        for photo_id, data in zip(ids, photos, strict=True):
            assert (await tus.create(photo_id, visit_id, data)).status_code == 201


async def test_openings_by_one_officer_wait_for_each_other(
    enrolled: Enrolled, clock: FixedClock, backend: str
) -> None:
    """Two transactions opening uploads for one officer at once: the second counts only after
    the first has committed, so both cannot pass a cap of one together."""
    if backend != "postgres":
        pytest.skip("needs concurrent transactions: PostgreSQL only (SQLite has one writer)")
    officer = await enrolled()
    data = jpeg_bytes()
    _, photo_id = await PhotoPhone(officer.client).record_photo(data)
    now = clock.now()
    first_counted = asyncio.Event()

    async def first() -> None:
        async with in_transaction() as connection:
            await check_cap(connection, officer.officer.id, now, 1)
            first_counted.set()
            await Upload.create(
                id=uuid.uuid4(),
                photo_id=photo_id,
                officer_id=officer.officer.id,
                upload_length=len(data),
                sha256="0" * 64,
                content_type="image/jpeg",
                created_at=now,
                updated_at=now,
                expires_at=now + timedelta(hours=1),
                using_db=connection,
            )
            await asyncio.sleep(0.3)  # the second one is counting meanwhile

    async def second() -> None:
        await first_counted.wait()
        async with in_transaction() as connection:
            await check_cap(connection, officer.officer.id, now, 1)

    outcome = await asyncio.gather(first(), second(), return_exceptions=True)
    assert outcome[0] is None
    assert isinstance(outcome[1], TooManyOpenUploads)
