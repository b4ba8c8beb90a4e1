"""A photo's upload status as the server sets it, recorded in the change feed.

The phone learns that its photo is uploading, verified, failed or pending again on its next
pull, so every status change goes through ``server.feed``: locked, versioned, with a revision
authored by ``server`` (and any audit entries in the same transaction).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from server.audit.service import AuditEntry
from server.feed import Change, RevisionNote, SyncedRecord, lock_records, record_changes
from server.photos.enums import PhotoStatus
from server.photos.models import Photo


async def change_photo_status(
    connection: BaseDBAsyncClient,
    photo_id: uuid.UUID,
    status: PhotoStatus,
    message: str | None,
    *,
    now: datetime,
    audit: Sequence[AuditEntry] = (),
    locked: Photo | None = None,
    **columns: Any,
) -> None:
    """Set a photo's status (and any server-kept ``columns``) so the next pull delivers it.

    ``locked`` is the photo's row when the caller already holds its lock in this
    transaction and has not changed it since (it is not read and locked again).
    """
    row: SyncedRecord = (
        locked
        if locked is not None and locked.id == photo_id
        else (await lock_records(connection, {Photo: [photo_id]}))[(Photo, photo_id)]
    )
    rev = row.rev + 1
    change = Change(
        Photo,
        photo_id,
        row.visit_id,  # type: ignore[attr-defined]
        {"rev": rev, "status": status, "status_message": message, **columns},
        revisions=[
            RevisionNote(
                rev=rev,
                op="put",
                changes={"upload.status": status.value, "upload.message": message},
                author="server",
            )
        ],
    )
    await record_changes(connection, [change], now=now, audit=audit)
