"""The end of an upload: the whole file checked against the SHA-256 the phone declared.

The final chunk joins every chunk while hashing. The photo becomes ``verified`` only if the
whole file matches, in the same transaction that moves the upload to ``complete``, bumps the
photo's ``rev`` and records the change in the feed (with the audit of the original's
collection), so the phone learns it on its next pull and may then delete its copy. A mismatch,
or a chunk lost on the server, marks the upload and the photo ``failed`` instead.
"""

from __future__ import annotations

import logging
import uuid

from tortoise.transactions import in_transaction

from server.audit.models import AuditAction
from server.clock import Clock
from server.context import RequestContext
from server.photos import tus
from server.photos.enums import PhotoStatus
from server.photos.models import DerivativeStatus, Photo, Upload, UploadState
from server.photos.status import change_photo_status
from server.photos.store import PartMissing, PhotoStore, StoredPart, assemble

log = logging.getLogger("doorstep.photos")


async def verify_upload(
    upload: Upload,
    token: str,
    parts: list[StoredPart],
    ctx: RequestContext,
    store: PhotoStore,
    clock: Clock,
) -> uuid.UUID:
    """Hash the whole file again; verify the photo or mark it failed, in one transaction.

    Returns the verified photo's id; raises ``FileMismatch`` (after committing the failure)
    when the file does not match. The caller holds the upload's lock ``token``.
    """
    try:
        assembled = await assemble(store, str(upload.id), parts, upload.sha256)
        verified = assembled.key is not None
        message = None if verified else "The file received does not match its SHA-256."
    except PartMissing:
        assembled, verified = None, False
        message = "Part of the file was lost on the server."
    now = clock.now()
    photo_id: uuid.UUID = upload.photo_id  # type: ignore[attr-defined]
    async with in_transaction() as connection:
        moved = await (
            Upload.filter(id=upload.id, lock_token=token)
            .using_db(connection)
            .update(
                upload_offset=upload.upload_length,
                parts=[p.to_json() for p in parts],
                lock_token=None,
                locked_until=None,
                state=UploadState.COMPLETE if verified else UploadState.FAILED,
                message=message,
                updated_at=now,
            )
        )
        if not moved:
            raise tus.offset_conflict(
                upload.upload_offset, "This upload was taken over.", code="upload_busy"
            )
        photo = await Photo.filter(id=photo_id).using_db(connection).first()
        assert photo is not None
        if verified and assembled is not None:
            entry = ctx.audit(
                AuditAction.COLLECT,
                record_type="photos",
                record_id=photo_id,
                reason="original received and verified by SHA-256",
            )
            if photo.status is PhotoStatus.VERIFIED and photo.original_sha256 == assembled.sha256:
                await ctx.write_audit([entry], connection)
            else:
                await change_photo_status(
                    connection,
                    photo_id,
                    PhotoStatus.VERIFIED,
                    None,
                    now=now,
                    audit=[entry],
                    verified_at=now,
                    original_key=assembled.key,
                    original_sha256=assembled.sha256,
                    original_content_type=upload.content_type,
                    original_bytes=assembled.size,
                    derivative_status=DerivativeStatus.PENDING,
                    derivative_message=None,
                    display_key=None,
                    thumb_key=None,
                )
        elif photo.status is not PhotoStatus.VERIFIED:
            await change_photo_status(connection, photo_id, PhotoStatus.FAILED, message, now=now)
    await purge_upload(store, upload.id)
    if not verified:
        raise tus.file_mismatch(
            tus.FileMismatch.message if assembled is not None else f"{message} Upload it again.",
            photo_id,
        )
    return photo_id


async def purge_upload(store: PhotoStore, upload_id: uuid.UUID) -> None:
    """Remove an ended upload's chunks from the store (cleanup retries if this fails)."""
    try:
        await store.delete_upload(str(upload_id))
        await Upload.filter(id=upload_id).update(purged=True)
    except Exception:
        log.warning("could not remove an ended upload's chunks", exc_info=True)
