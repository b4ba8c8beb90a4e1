"""How an upload ends without a verified file: its row, its photo's status, its chunks.

An upload refused by ``guards`` (or superseded by a newer one) is ended ``failed``, with the
reason as its message, so HEAD answers 410 and tus clients start afresh; its photo goes back
from ``uploading`` to ``pending`` with the same message, which the phone shows. Its chunks
are then removed from the store (cleanup retries if that fails).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from server.errors import DoorstepError
from server.feed import lock_records
from server.photos.enums import PhotoStatus
from server.photos.models import Photo, Upload, UploadState
from server.photos.progress import mark_purged
from server.photos.status import change_photo_status
from server.photos.store import PhotoStore

log = logging.getLogger("doorstep.photos")


async def end_upload(
    connection: BaseDBAsyncClient,
    upload: Upload,
    reason: str,
    *,
    now: datetime,
    token: str | None,
    reset_photo: bool = True,
) -> bool:
    """End an open upload for ``reason`` (taken from its lock holder ``token``, or only while
    nobody holds it); its photo goes back to ``pending`` if it was waiting for these bytes
    (unless ``reset_photo`` is False: a new upload is taking over). True if it was ended.

    The photo row is locked before the upload's, the order every photo writer keeps.
    """
    photo_id: uuid.UUID = upload.photo_id  # type: ignore[attr-defined]
    photo = (await lock_records(connection, {Photo: [photo_id]})).get((Photo, photo_id))
    held = Q(lock_token=token) if token else Q(lock_token__isnull=True) | Q(locked_until__lt=now)
    ended = await (
        Upload.filter(held, id=upload.id, state=UploadState.OPEN)
        .using_db(connection)
        .update(
            state=UploadState.FAILED,
            message=reason[:200],
            lock_token=None,
            locked_until=None,
            updated_at=now,
        )
    )
    if (
        ended
        and reset_photo
        and isinstance(photo, Photo)
        and not photo.deleted
        and photo.status is PhotoStatus.UPLOADING
    ):
        await change_photo_status(
            connection, photo_id, PhotoStatus.PENDING, reason[:200], now=now, locked=photo
        )
    return bool(ended)


async def end_refused(
    upload: Upload, refusal: DoorstepError, store: PhotoStore, *, now: datetime, token: str | None
) -> None:
    """End an upload a guard refused, in its own transaction, and remove its chunks."""
    async with in_transaction() as connection:
        await end_upload(connection, upload, refusal.message, now=now, token=token)
    await purge_upload(store, upload.id)


async def purge_upload(store: PhotoStore, upload_id: uuid.UUID) -> None:
    """Remove an ended upload's chunks from the store (cleanup retries if this fails)."""
    try:
        await store.delete_upload(str(upload_id))
        await mark_purged(upload_id)
    except Exception:
        log.warning("could not remove an ended upload's chunks", exc_info=True)
