"""Opening a tus upload: checked against the photo record under lock, one per photo, capped.

The photo and its visit are locked (the feed's order: visit, then photo), so nothing changes
them while the upload is checked (``guards``) and opened. A photo has at most one open upload:
a new one ends the old (a phone that lost its upload URL simply starts again), which the
database also enforces with a partial unique index. An officer has at most
``DOORSTEP_MAX_OPEN_UPLOADS`` open, unexpired uploads, counted under a per-officer lock so
simultaneous requests cannot pass the cap together.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server.auth.scope import may_write_visit
from server.context import RequestContext
from server.errors import Conflict, NotFound, TooManyRequests
from server.feed import lock_records
from server.photos import tus
from server.photos.access import writable_photo
from server.photos.ending import end_upload, purge_upload
from server.photos.enums import PhotoStatus
from server.photos.guards import (
    UPLOADABLE_VISIT_STATUSES,
    already_verified,
    declared_clashes,
    photo_mismatch,
    visit_locked,
)
from server.photos.models import Photo, Upload, UploadState
from server.photos.schemas import UploadMetadata
from server.photos.status import change_photo_status
from server.photos.store import PhotoStore
from server.visits.models import Visit

SUPERSEDED = "Replaced by a newer upload of this photo: this one takes no more bytes."
# Open uploads end by completing or expiring: a phone over the cap tries again after this.
CAP_RETRY_AFTER_SECONDS = 60
# pg_advisory_xact_lock(class, key): the class of "an officer's open uploads".
_CAP_LOCK_CLASS = 0x7570


class TooManyOpenUploads(TooManyRequests):
    """The officer has as many open uploads as allowed: finish some first."""

    code = "too_many_open_uploads"


async def create_upload(
    length: int, metadata: UploadMetadata, *, ctx: RequestContext, store: PhotoStore
) -> Upload:
    """Open an upload for a photo the caller owns; completed at once if already verified."""
    principal, settings, now = ctx.caller, ctx.settings, ctx.now
    if length > settings.max_upload_bytes:
        raise tus.upload_too_large(settings.max_upload_bytes)
    await writable_photo(principal, metadata.photo_id, metadata.visit_id)
    photo_id = metadata.photo_id
    superseded: list[uuid.UUID] = []
    async with in_transaction() as connection:
        rows = await lock_records(connection, {Visit: [metadata.visit_id], Photo: [photo_id]})
        locked, visit = rows.get((Photo, photo_id)), rows.get((Visit, metadata.visit_id))
        if (
            not isinstance(locked, Photo)
            or not isinstance(visit, Visit)
            or locked.deleted
            or visit.deleted
            or not may_write_visit(principal, visit.officer_id)  # type: ignore[attr-defined]
        ):  # changed since ``writable_photo`` looked: the same answer as it would give now
            raise NotFound("No such photo.", code="photo_not_found")
        clashes = declared_clashes(locked, metadata.sha256, length, metadata.content_type)
        if clashes:
            raise photo_mismatch(clashes, started=False)
        if locked.status is PhotoStatus.VERIFIED:
            if locked.original_sha256 != metadata.sha256:
                raise already_verified()
            # The very same bytes are already verified: nothing to send.
            return await _new_upload(connection, locked, length, metadata, ctx, complete=True)
        if visit.status not in UPLOADABLE_VISIT_STATUSES:
            raise visit_locked(visit)
        for old in await Upload.filter(photo_id=locked.id, state=UploadState.OPEN).using_db(
            connection
        ):
            if not await end_upload(
                connection, old, SUPERSEDED, now=now, token=old.lock_token, reset_photo=False
            ):
                raise Conflict(
                    "Another request is changing this photo's upload right now; try again.",
                    code="upload_busy",
                    headers=tus.tus_headers(),
                )
            superseded.append(old.id)
        await check_cap(connection, principal.officer_id, now, settings.max_open_uploads)
        upload = await _new_upload(connection, locked, length, metadata, ctx, complete=False)
        if locked.status is not PhotoStatus.UPLOADING or locked.status_message:
            await change_photo_status(
                connection, locked.id, PhotoStatus.UPLOADING, None, now=now, locked=locked
            )
    for upload_id in superseded:
        await purge_upload(store, upload_id)
    return upload


async def check_cap(
    connection: BaseDBAsyncClient, officer_id: uuid.UUID, now: datetime, cap: int
) -> None:
    """429 when the officer already has ``cap`` open uploads (expired ones do not count)."""
    if connection.capabilities.dialect == "postgres":
        # One officer's openings queue here; others' do not. (SQLite has one writer anyway.)
        key = int.from_bytes(officer_id.bytes[:4], "big", signed=True)
        await connection.execute_query(
            "SELECT pg_advisory_xact_lock($1, $2)", [_CAP_LOCK_CLASS, key]
        )
    open_now = (
        await Upload.filter(officer_id=officer_id, state=UploadState.OPEN, expires_at__gt=now)
        .using_db(connection)
        .count()
    )
    if open_now >= cap:
        raise TooManyOpenUploads(
            CAP_RETRY_AFTER_SECONDS,
            f"You have {open_now} unfinished photo uploads, the most allowed at once; "
            "they will carry on first.",
        )


async def _new_upload(
    connection: BaseDBAsyncClient,
    photo: Photo,
    length: int,
    metadata: UploadMetadata,
    ctx: RequestContext,
    *,
    complete: bool,
) -> Upload:
    """Insert the upload row: open, or complete at once (the photo already has these bytes)."""
    now = ctx.now
    return await Upload.create(
        id=uuid.uuid4(),
        photo_id=photo.id,
        officer_id=ctx.caller.officer_id,
        upload_length=length,
        upload_offset=length if complete else 0,
        sha256=metadata.sha256,
        content_type=metadata.content_type,
        state=UploadState.COMPLETE if complete else UploadState.OPEN,
        purged=complete,
        created_at=now,
        updated_at=now,
        expires_at=now if complete else now + timedelta(seconds=ctx.settings.upload_expiry_seconds),
        using_db=connection,
    )
