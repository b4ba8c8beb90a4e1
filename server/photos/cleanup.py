"""Cleaning up after uploads (``doorstep cleanup-uploads``): nothing here answers a request.

An upload untouched past its expiry is abandoned: it is marked ``expired`` and its photo goes
back to ``pending`` (a photo has at most one open upload). Ended uploads whose chunks are still in
the store (completion could not remove them) are purged, and the store sweeps away leftovers of
assemblies a worker never finished. Work goes in batches, so a large backlog stays cheap.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from server.feed import lock_records
from server.photos.enums import PhotoStatus
from server.photos.models import Photo, Upload, UploadState
from server.photos.status import change_photo_status
from server.photos.store import PhotoStore
from server.settings import Settings

CLEANUP_BATCH = 200


@dataclass(frozen=True)
class CleanupReport:
    """What one cleanup run did."""

    expired: int
    purged: int
    leftovers: int


async def cleanup_uploads(store: PhotoStore, settings: Settings, now: datetime) -> CleanupReport:
    """Expire abandoned uploads, remove ended uploads' chunks and interrupted assemblies."""
    expired = 0
    while True:
        stale = (
            await Upload.filter(
                Q(state=UploadState.OPEN, expires_at__lt=now)
                & (Q(lock_token__isnull=True) | Q(locked_until__lt=now))
            )
            .order_by("expires_at")
            .limit(CLEANUP_BATCH)
        )
        if not stale:
            break
        for upload in stale:
            expired += await _expire(upload, now)
    purged = 0
    while True:
        ended = (
            await Upload.filter(purged=False)
            .exclude(state=UploadState.OPEN)
            .order_by("updated_at")
            .limit(CLEANUP_BATCH)
        )
        if not ended:
            break
        for upload in ended:
            await store.delete_upload(str(upload.id))
            await Upload.filter(id=upload.id).update(purged=True)
            purged += 1
    leftovers = await store.sweep(now - timedelta(seconds=settings.upload_expiry_seconds))
    return CleanupReport(expired, purged, leftovers)


async def _expire(upload: Upload, now: datetime) -> int:
    """Mark one abandoned upload expired; put its photo back to ``pending`` if nothing else runs."""
    photo_id: uuid.UUID = upload.photo_id  # type: ignore[attr-defined]
    async with in_transaction() as connection:
        # The photo row before its upload's: the order every photo writer keeps.
        photo = (await lock_records(connection, {Photo: [photo_id]})).get((Photo, photo_id))
        taken = await (
            Upload.filter(
                Q(id=upload.id, state=UploadState.OPEN, expires_at__lt=now)
                & (Q(lock_token__isnull=True) | Q(locked_until__lt=now))
            )
            .using_db(connection)
            .update(state=UploadState.EXPIRED, message="abandoned", updated_at=now)
        )
        if not taken:
            return 0
        # At most one upload of a photo is open, and this one just ended.
        if isinstance(photo, Photo) and photo.status is PhotoStatus.UPLOADING:
            await change_photo_status(connection, photo_id, PhotoStatus.PENDING, None, now=now)
    return 1
