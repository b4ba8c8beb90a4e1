"""The end of an upload: the whole file checked against the SHA-256 the phone declared, and
against the photo record, its visit and its officer as they are at that moment.

The upload is held to ``guards`` when its last PATCH begins and again on the photo and visit
rows locked by the transaction that would verify it, since a push, a review or a reassignment
may land while the last chunk arrives or the file is joined. The
joined file is only staged; it is promoted to its content-addressed key inside that
transaction, after the checks, so a refused upload leaves no original behind.

The photo becomes ``verified`` only if the whole file matches, in the same transaction that
moves the upload to ``complete``, bumps the photo's ``rev`` and records the change in the feed
(with the audit of the original's collection), so the phone learns it on its next pull and
may then delete its copy. A mismatch, or a chunk lost on the server, marks the upload and the
photo ``failed`` instead. A verified original never changes afterwards (SECURITY.md 30; the
database refuses it too).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from server.audit.models import AuditAction
from server.clock import Clock
from server.context import RequestContext
from server.errors import DoorstepError
from server.feed import lock_records
from server.photos import tus
from server.photos.ending import end_upload, purge_upload
from server.photos.enums import PhotoStatus
from server.photos.guards import upload_refusal
from server.photos.models import DerivativeStatus, Photo, Upload, UploadState
from server.photos.status import change_photo_status
from server.photos.store import Assembled, PartMissing, PhotoStore, StoredPart
from server.visits.models import Visit

log = logging.getLogger("doorstep.photos")


@dataclass(frozen=True)
class Joined:
    """An upload's chunks joined: the staged file (None if a chunk was lost) and, unless it
    matches its SHA-256, why not."""

    assembled: Assembled | None
    message: str | None

    @property
    def verified(self) -> bool:
        """Whether the whole file matched the declared SHA-256."""
        return self.message is None


async def verify_upload(
    upload: Upload,
    token: str,
    parts: list[StoredPart],
    ctx: RequestContext,
    store: PhotoStore,
    clock: Clock,
    *,
    known_sha256: str | None = None,
) -> uuid.UUID:
    """Join the chunks and check the whole file's SHA-256; verify the photo or mark it
    failed, in one transaction.

    ``known_sha256`` is the whole file's hash when this request stored all of it (one PATCH
    from offset 0), taken as it was written; otherwise the store hashes the parts as it joins
    them (``PhotoStore.stage``).

    Returns the verified photo's id; raises ``FileMismatch`` (after committing the failure)
    when the file does not match, or the guard's error (after ending the upload) when it may
    no longer complete. ``upload`` comes from ``access.upload_for`` (its photo loaded); the
    caller holds its lock ``token``. A verified upload's
    chunks are left for the caller to purge after answering (``purge_upload``; ``cleanup``
    purges them if that never happens); a failed or refused one's are purged here.
    """
    # The upload was held to its photo and visit when this PATCH began, and is again under
    # their locks in the verifying transaction: no unlocked look in between.
    joined = await _join(upload, parts, store, known_sha256)
    try:
        refusal = await _commit(upload, token, parts, joined, ctx, store, clock)
    except BaseException:
        await _discard(store, joined.assembled)
        raise
    if refusal is not None:
        await _discard(store, joined.assembled)
        await purge_upload(store, upload.id)
        raise refusal
    photo_id: uuid.UUID = upload.photo_id  # type: ignore[attr-defined]
    if not joined.verified:
        await purge_upload(store, upload.id)
        lost = joined.assembled is None
        raise tus.file_mismatch(
            f"{joined.message} Upload it again." if lost else tus.FileMismatch.message, photo_id
        )
    return photo_id


async def _join(
    upload: Upload, parts: list[StoredPart], store: PhotoStore, known_sha256: str | None
) -> Joined:
    """Join the chunks into a staged file, hashing them unless their hash is known."""
    try:
        staged = await store.stage(str(upload.id), parts, upload.sha256, known_sha256=known_sha256)
    except PartMissing:
        return Joined(None, "Part of the file was lost on the server.")
    return Joined(staged, None if staged.key else "The file received does not match its SHA-256.")


async def _discard(store: PhotoStore, assembled: Assembled | None) -> None:
    """Drop a staged file that was not promoted (best effort: the store sweeps leftovers)."""
    if assembled is not None and assembled.staged is not None:
        try:
            await store.discard(assembled)
        except Exception:
            log.warning("could not drop a staged original", exc_info=True)


async def _commit(
    upload: Upload,
    token: str,
    parts: list[StoredPart],
    joined: Joined,
    ctx: RequestContext,
    store: PhotoStore,
    clock: Clock,
) -> DoorstepError | None:
    """The verifying transaction: lock the visit and photo, check the upload against them
    again, then promote the original and verify (or fail) the photo. Returns the guard's
    error when the upload was ended instead."""
    now = clock.now()
    assembled, verified, message = joined.assembled, joined.verified, joined.message
    photo_id: uuid.UUID = upload.photo_id  # type: ignore[attr-defined]
    # A photo never moves to another visit (sync refuses a changed visit_id), so the visit
    # read with the upload (``access.upload_for``) is the one to lock.
    visits = [uuid.UUID(str(upload.photo.visit_id))]  # type: ignore[attr-defined]
    async with in_transaction() as connection:
        rows = await lock_records(connection, {Visit: visits, Photo: [photo_id]})
        photo = rows.get((Photo, photo_id))
        visit = next((rows[(Visit, v)] for v in visits if (Visit, v) in rows), None)
        assert photo is None or isinstance(photo, Photo)
        assert visit is None or isinstance(visit, Visit)
        refusal = upload_refusal(upload, photo, visit)
        if refusal is not None:
            await end_upload(connection, upload, refusal.message, now=now, token=token)
            return refusal
        assert photo is not None
        moved = await (
            Upload.filter(id=upload.id, lock_token=token, state=UploadState.OPEN)
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
        if verified and assembled is not None:
            await store.promote(assembled)  # before COMMIT: a verified photo has its bytes
            entry = ctx.audit(
                AuditAction.COLLECT,
                record_type="photos",
                record_id=photo_id,
                reason="original received and verified by SHA-256",
            )
            if photo.status is PhotoStatus.VERIFIED:  # these very bytes (``upload_refusal``)
                await ctx.write_audit([entry], connection)
            else:
                await change_photo_status(
                    connection,
                    photo_id,
                    PhotoStatus.VERIFIED,
                    None,
                    now=now,
                    audit=[entry],
                    locked=photo,
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
            await change_photo_status(
                connection, photo_id, PhotoStatus.FAILED, message, now=now, locked=photo
            )
    return None
