"""Photo bytes: tus uploads checked end to end by SHA-256, scoped downloads, derivatives.

An upload's state (offset, accepted chunks, lock) is a database row, so any worker can take a
PATCH. A PATCH first takes the row's lock with a conditional UPDATE (``upload_offset`` equal to
the client's offset, no live lock): a second PATCH racing it matches no row and gets 409. Only
the lock holder moves the offset, again by a conditional UPDATE on its lock token. The final
chunk joins every chunk while hashing; the photo becomes ``verified`` only if the whole file
matches the SHA-256 the phone declared, in the same transaction that bumps the photo's ``rev``,
takes a change ``version`` and writes a ``Revision``, so the phone learns it on its next pull.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from starlette.requests import ClientDisconnect
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from server.audit.models import AuditAction
from server.audit.service import AuditEntry
from server.auth.principal import Principal
from server.auth.scope import may_write_visit, visit_scope
from server.clock import Clock
from server.context import RequestContext
from server.errors import (
    BadRequest,
    Conflict,
    DoorstepError,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
    validation_problems,
)
from server.feed import Change, RevisionNote, lock_records, record_changes
from server.photos import images
from server.photos.enums import PhotoStatus
from server.photos.models import DerivativeStatus, Photo, Upload, UploadState
from server.photos.schemas import IGNORED_METADATA_KEYS, UploadMetadata
from server.photos.store import (
    PartMissing,
    PhotoStore,
    StoredPart,
    derivative_key,
)
from server.settings import Settings

log = logging.getLogger("doorstep.photos")

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,checksum"
TUS_CHECKSUM_ALGORITHMS = "sha256"
# A PATCH holds its upload's lock for this long, renewed while bytes keep arriving; a worker
# that dies mid-chunk frees the upload for a retry after at most this long.
LOCK_SECONDS = 120
LOCK_RENEW_SECONDS = 30
CLEANUP_BATCH = 200


class PreconditionFailed(DoorstepError):
    """The client does not speak tus 1.0.0 (no or another ``Tus-Resumable``)."""

    status = 412
    code = "tus_version_unsupported"
    message = "Send Tus-Resumable: 1.0.0; this server speaks tus 1.0.0 only."


class Gone(DoorstepError):
    """The upload ended without a verified file; start a new one."""

    status = 410
    code = "upload_gone"
    message = "This upload has ended; create a new one."


class ChecksumMismatch(DoorstepError):
    """tus checksum extension: the chunk did not match its ``Upload-Checksum`` (460)."""

    status = 460
    code = "checksum_mismatch"
    message = "The chunk does not match its Upload-Checksum; nothing was stored. Send it again."


class FileMismatch(DoorstepError):
    """Every byte arrived but the whole file does not match the declared SHA-256."""

    status = 422
    code = "sha256_mismatch"
    message = (
        "The whole file does not match the SHA-256 declared for the photo; it was not stored. "
        "Upload the photo again."
    )


def tus_headers(**extra: str) -> dict[str, str]:
    """Headers every tus response carries, plus any given."""
    return {"Tus-Resumable": TUS_VERSION, **extra}


def parse_metadata(header: str) -> UploadMetadata:
    """Decode ``Upload-Metadata`` (comma-separated ``key base64value`` pairs) and validate it."""
    values: dict[str, str] = {}
    for item in header.split(","):
        item = item.strip()
        if not item:
            continue
        key, _, encoded = item.partition(" ")
        if not key or key in values:
            raise BadRequest(
                "Upload-Metadata has an empty or repeated key.", code="bad_upload_metadata"
            )
        try:
            values[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise BadRequest(
                "Upload-Metadata values must be base64 of UTF-8 text.",
                code="bad_upload_metadata",
                details={"key": key[:40]},
            ) from exc
    data = {k: v for k, v in values.items() if k not in IGNORED_METADATA_KEYS}
    try:
        return UploadMetadata.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed.from_fields(validation_problems(exc, ("Upload-Metadata",))) from exc


def parse_checksum(header: str | None) -> bytes | None:
    """The SHA-256 digest named by ``Upload-Checksum: sha256 <base64>`` (None if absent)."""
    if header is None:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm.lower() != "sha256":
        raise BadRequest(
            "Only sha256 is supported in Upload-Checksum.",
            code="checksum_algorithm_unsupported",
            details={"supported": [TUS_CHECKSUM_ALGORITHMS]},
            headers=tus_headers(**{"Tus-Checksum-Algorithm": TUS_CHECKSUM_ALGORITHMS}),
        )
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        digest = b""
    if len(digest) != 32:
        raise BadRequest(
            "Upload-Checksum must be 'sha256 ' and the base64 of a 32-byte digest.",
            code="bad_upload_checksum",
        )
    return digest


# --- who may touch what ----------------------------------------------------------------------


def _uuid_or_404(raw: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise NotFound(f"No such {what}.") from exc


async def _writable_photo(principal: Principal, photo_id: uuid.UUID, visit_id: uuid.UUID) -> Photo:
    """The photo, if it belongs to that visit and the caller is the visit's officer; else 404."""
    photo = await Photo.filter(id=photo_id, deleted=False).select_related("visit").first()
    if (
        photo is None
        or photo.visit_id != visit_id  # type: ignore[attr-defined]
        or photo.visit.deleted
        or not may_write_visit(principal, photo.visit.officer_id)  # type: ignore[attr-defined]
    ):
        raise NotFound("No such photo.", code="photo_not_found")
    return photo


async def upload_for(upload_id: str, *, ctx: RequestContext) -> Upload:
    """An upload the caller may continue: theirs, on a photo of a visit they still own."""
    principal = ctx.caller
    uid = _uuid_or_404(upload_id, "upload")
    upload = await Upload.filter(id=uid).select_related("photo__visit").first()
    if (
        upload is None
        or upload.state is UploadState.EXPIRED
        or upload.photo.deleted
        or upload.photo.visit.deleted
        or not may_write_visit(principal, upload.photo.visit.officer_id)  # type: ignore[attr-defined]
    ):
        raise NotFound("No such upload.", code="upload_not_found", headers=tus_headers())
    return upload


async def readable_photo(photo_id: str, *, ctx: RequestContext) -> Photo:
    """A photo whose visit is in the caller's scope (404 for anything else, existing or not)."""
    uid = _uuid_or_404(photo_id, "photo")
    photo = await Photo.filter(
        visit_scope(ctx.caller, ctx.settings, "visit__"), id=uid, deleted=False
    ).first()
    if photo is None:
        raise NotFound("No such photo.", code="photo_not_found")
    return photo


# --- the photo record as the phone sees it ---------------------------------------------------


async def _change_photo(
    connection: BaseDBAsyncClient,
    photo_id: uuid.UUID,
    status: PhotoStatus,
    message: str | None,
    *,
    now: datetime,
    audit: Sequence[AuditEntry] = (),
    **columns: Any,
) -> None:
    """Set a photo's status as the server, so the phone's next pull delivers it."""
    locked = await lock_records(connection, {Photo: [photo_id]})
    row = locked[(Photo, photo_id)]
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


# --- tus: creation ---------------------------------------------------------------------------


async def create_upload(length: int, metadata: UploadMetadata, *, ctx: RequestContext) -> Upload:
    """Open an upload for a photo the caller owns; completed at once if already verified."""
    principal, settings, now = ctx.caller, ctx.settings, ctx.now
    if length > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"A photo may be at most {settings.max_upload_bytes} bytes.",
            details={"limit_bytes": settings.max_upload_bytes},
            headers=tus_headers(**{"Tus-Max-Size": str(settings.max_upload_bytes)}),
        )
    photo = await _writable_photo(principal, metadata.photo_id, metadata.visit_id)
    clashes = [
        name
        for name, declared, stored in (
            ("sha256", metadata.sha256, photo.sha256),
            ("byte_size", length, photo.byte_size),
            ("content_type", metadata.content_type, photo.content_type),
        )
        if stored is not None and declared != stored
    ]
    if clashes:
        raise Conflict(
            "The upload does not match the photo the phone recorded: "
            + ", ".join(clashes)
            + " differ.",
            code="photo_mismatch",
            details={"fields": clashes},
        )
    if photo.status is PhotoStatus.VERIFIED:
        if photo.original_sha256 != metadata.sha256:
            raise Conflict(
                "This photo is already verified with other bytes; evidence is never replaced.",
                code="already_verified",
            )
        # The very same bytes are already verified: nothing to send.
        return await Upload.create(
            id=uuid.uuid4(),
            photo_id=photo.id,
            officer_id=principal.officer_id,
            upload_length=length,
            upload_offset=length,
            sha256=metadata.sha256,
            content_type=metadata.content_type,
            state=UploadState.COMPLETE,
            purged=True,
            created_at=now,
            updated_at=now,
            expires_at=now,
        )
    async with in_transaction() as connection:
        upload = await Upload.create(
            id=uuid.uuid4(),
            photo_id=photo.id,
            officer_id=principal.officer_id,
            upload_length=length,
            upload_offset=0,
            sha256=metadata.sha256,
            content_type=metadata.content_type,
            state=UploadState.OPEN,
            created_at=now,
            updated_at=now,
            expires_at=now + timedelta(seconds=settings.upload_expiry_seconds),
            using_db=connection,
        )
        if photo.status is not PhotoStatus.UPLOADING or photo.status_message:
            await _change_photo(connection, photo.id, PhotoStatus.UPLOADING, None, now=now)
    return upload


def check_head(upload: Upload) -> None:
    """Refuse HEAD on an upload that failed (the phone must start again)."""
    if upload.state is UploadState.FAILED:
        raise Gone(
            upload.message or Gone.message,
            details={"reason": "sha256_mismatch"},
            headers=tus_headers(),
        )


# --- tus: PATCH ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChunkResult:
    """What a PATCH achieved: the new offset, and the photo verified by it (if it completed)."""

    offset: int
    verified_photo_id: uuid.UUID | None = None


class ChunkBody:
    """A PATCH body as it streams in: capped, hashed, and kept short of a client that leaves."""

    def __init__(
        self,
        stream: AsyncIterator[bytes],
        limit: int,
        renew: Callable[[], Awaitable[None]],
    ) -> None:
        self._stream = stream
        self._limit = limit
        self._renew = renew
        self._renewed_at = time.monotonic()
        self.size = 0
        self.digest = hashlib.sha256()
        self.disconnected = False

    async def chunks(self) -> AsyncIterator[bytes]:
        """Yield the body's pieces; stop quietly if the client disconnects."""
        try:
            async for data in self._stream:
                if not data:
                    continue
                if self.size + len(data) > self._limit:
                    raise PayloadTooLarge(
                        "The chunk runs past the Upload-Length declared at creation.",
                        code="chunk_too_large",
                        details={"limit_bytes": self._limit},
                        headers=tus_headers(),
                    )
                self.size += len(data)
                self.digest.update(data)
                if time.monotonic() - self._renewed_at > LOCK_RENEW_SECONDS:
                    await self._renew()
                    self._renewed_at = time.monotonic()
                yield data
        except ClientDisconnect:
            self.disconnected = True


def _offset_conflict(current: int, message: str, code: str = "offset_mismatch") -> Conflict:
    return Conflict(
        message,
        code=code,
        details={"upload_offset": current},
        headers=tus_headers(**{"Upload-Offset": str(current)}),
    )


async def receive_chunk(
    upload: Upload,
    *,
    offset: int,
    checksum: bytes | None,
    stream: AsyncIterator[bytes],
    declared_length: int | None = None,
    ctx: RequestContext,
    store: PhotoStore,
    clock: Clock,
) -> ChunkResult:
    """Append one PATCH body at ``offset``: locked, checksummed, and completed when full.

    ``upload`` comes from ``upload_for``, so the caller's right to it is already checked.
    ``clock`` keeps time while a long chunk streams in (``ctx.now`` is when it started).
    """
    settings = ctx.settings
    if upload.state is UploadState.FAILED:
        check_head(upload)
    if upload.state is UploadState.COMPLETE:
        if offset == upload.upload_length:
            return ChunkResult(offset)
        raise _offset_conflict(upload.upload_length, "This upload is already complete.")
    if offset != upload.upload_offset:
        raise _offset_conflict(
            upload.upload_offset,
            f"Upload-Offset must be the upload's current offset, {upload.upload_offset}.",
        )
    remaining = upload.upload_length - offset
    if declared_length is not None and declared_length > remaining:
        # Refused before a byte is read: no point carrying a body that cannot fit.
        raise PayloadTooLarge(
            "The chunk runs past the Upload-Length declared at creation.",
            code="chunk_too_large",
            details={"limit_bytes": remaining},
            headers=tus_headers(),
        )
    now = clock.now()
    token = secrets.token_hex(16)
    taken = await Upload.filter(
        Q(id=upload.id, state=UploadState.OPEN, upload_offset=offset)
        & (Q(lock_token__isnull=True) | Q(locked_until__lt=now))
    ).update(lock_token=token, locked_until=now + timedelta(seconds=LOCK_SECONDS))
    if not taken:
        raise _offset_conflict(
            upload.upload_offset,
            "Another request is writing to this upload; ask HEAD for the offset and retry.",
            code="upload_busy",
        )

    async def renew() -> None:
        until = clock.now() + timedelta(seconds=LOCK_SECONDS)
        if not await Upload.filter(id=upload.id, lock_token=token).update(locked_until=until):
            raise _offset_conflict(offset, "This upload was taken over.", code="upload_busy")

    # The lock was taken at the offset read with ``upload``; the parts list only changes with
    # the offset, so ``upload.parts`` is still the accepted list: no need to read it again.
    parts: list[StoredPart] = []
    done = False
    try:
        body = ChunkBody(stream, remaining, renew)
        parts = await store.write_chunk(str(upload.id), offset, token, body.chunks())
        if checksum is not None and (body.disconnected or body.digest.digest() != checksum):
            await store.discard_parts(str(upload.id), parts)
            parts = []
            raise ChecksumMismatch(
                details={"upload_offset": offset},
                headers=tus_headers(**{"Upload-Offset": str(offset)}),
            )
        # Without a checksum, the bytes that arrived before a disconnect are kept: the phone
        # resumes from there (tus core), and the whole-file hash still guards the result.
        new_offset = offset + body.size
        accepted = [*upload.parts, *(p.to_json() for p in parts)]
        if new_offset < upload.upload_length or body.size == 0:
            later = clock.now()
            moved = await Upload.filter(id=upload.id, lock_token=token).update(
                upload_offset=new_offset,
                parts=accepted,
                lock_token=None,
                locked_until=None,
                updated_at=later,
                expires_at=later + timedelta(seconds=settings.upload_expiry_seconds),
            )
            if not moved:
                raise _offset_conflict(offset, "This upload was taken over.", code="upload_busy")
            done = True
            return ChunkResult(new_offset)
        try:
            result = await _complete(
                upload, token, [StoredPart.from_json(p) for p in accepted], ctx, store, clock
            )
        except FileMismatch:
            done = True  # committed as failed; the chunks are already gone
            raise
        done = True
        return result
    finally:
        if not done:
            await _abandon(upload.id, token, store, parts)


async def _abandon(
    upload_id: uuid.UUID, token: str, store: PhotoStore, parts: list[StoredPart]
) -> None:
    """Undo a PATCH that did not commit: drop its parts and free the lock (best effort)."""
    try:
        if parts:
            await store.discard_parts(str(upload_id), parts)
        await Upload.filter(id=upload_id, lock_token=token).update(
            lock_token=None, locked_until=None
        )
    except Exception:  # The lock expires by itself; leftovers go at cleanup.
        log.warning("could not release an upload after a failed chunk", exc_info=True)


async def _complete(
    upload: Upload,
    token: str,
    parts: list[StoredPart],
    ctx: RequestContext,
    store: PhotoStore,
    clock: Clock,
) -> ChunkResult:
    """Hash the whole file again; verify the photo or mark it failed, in one transaction."""
    try:
        assembled = await store.assemble(str(upload.id), parts, upload.sha256)
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
            raise _offset_conflict(
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
                await _change_photo(
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
            await _change_photo(connection, photo_id, PhotoStatus.FAILED, message, now=now)
    await purge_upload(store, upload.id)
    if not verified:
        raise FileMismatch(
            FileMismatch.message if assembled is not None else f"{message} Upload it again.",
            details={"photo_id": str(photo_id), "photo_status": PhotoStatus.FAILED.value},
            headers=tus_headers(),
        )
    return ChunkResult(upload.upload_length, verified_photo_id=photo_id)


async def purge_upload(store: PhotoStore, upload_id: uuid.UUID) -> None:
    """Remove an ended upload's chunks from the store (cleanup retries if this fails)."""
    try:
        await store.delete_upload(str(upload_id))
        await Upload.filter(id=upload_id).update(purged=True)
    except Exception:
        log.warning("could not remove an ended upload's chunks", exc_info=True)


# --- derivatives -----------------------------------------------------------------------------


async def ensure_derivatives(photo_id: uuid.UUID, store: PhotoStore, settings: Settings) -> Photo:
    """Make the display copy and thumbnail of a verified photo if they are not made yet."""
    photo = await Photo.get(id=photo_id)
    if (
        photo.status is not PhotoStatus.VERIFIED
        or photo.original_key is None
        or photo.original_sha256 is None
        or photo.derivative_status in {DerivativeStatus.READY, DerivativeStatus.FAILED}
    ):
        return photo
    sha = photo.original_sha256
    display_key = derivative_key(sha, "display", images.DISPLAY_SIZE)
    thumb_key = derivative_key(sha, "thumb", images.THUMB_SIZE)
    # The same bytes (another photo of the same content) may have been derived already.
    if not (await store.exists(display_key) and await store.exists(thumb_key)):
        original = photo.original_key

        def work() -> images.Derivatives:
            with store.open_sync(original) as fp:
                return images.make_derivatives(fp, settings.max_image_pixels)

        try:
            made = await images.run_in_image_pool(work)
        except images.ImageRefused as exc:
            await Photo.filter(id=photo_id).update(
                derivative_status=DerivativeStatus.FAILED, derivative_message=str(exc)[:200]
            )
            log.info("photo could not be decoded", extra={"photo_id": str(photo_id)})
            return await Photo.get(id=photo_id)
        await store.put_bytes(display_key, made.display)
        await store.put_bytes(thumb_key, made.thumb)
    await Photo.filter(id=photo_id).update(
        derivative_status=DerivativeStatus.READY,
        derivative_message=None,
        display_key=display_key,
        thumb_key=thumb_key,
    )
    return await Photo.get(id=photo_id)


async def derive_in_background(photo_id: uuid.UUID, store: PhotoStore, settings: Settings) -> None:
    """Run after a final PATCH has answered; a failure is retried on the first download."""
    try:
        await ensure_derivatives(photo_id, store, settings)
    except Exception:
        log.warning("derivatives not made yet", extra={"photo_id": str(photo_id)}, exc_info=True)


async def audit_consult(photo_id: uuid.UUID, what: str, *, ctx: RequestContext) -> None:
    """s.62: record that someone viewed a photo (before any byte leaves)."""
    reason = f"photo {what} viewed"
    await ctx.write_audit(
        [ctx.audit(AuditAction.CONSULT, record_type="photos", record_id=photo_id, reason=reason)]
    )


# --- expiry ----------------------------------------------------------------------------------


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
    async with in_transaction() as connection:
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
        photo_id: uuid.UUID = upload.photo_id  # type: ignore[attr-defined]
        others = (
            await Upload.filter(photo_id=photo_id, state=UploadState.OPEN)
            .using_db(connection)
            .exists()
        )
        photo = await Photo.filter(id=photo_id).using_db(connection).first()
        if not others and photo is not None and photo.status is PhotoStatus.UPLOADING:
            await _change_photo(connection, photo_id, PhotoStatus.PENDING, None, now=now)
    return 1
