"""tus uploads of photo originals: taking their chunks one PATCH at a time (``opening``
opens them).

An upload's state (offset, accepted chunks, lock) is a database row, so any worker can take a
PATCH. A PATCH first takes the row's lock with a conditional UPDATE (``upload_offset`` equal to
the client's offset, no live lock): a second PATCH racing it matches no row and gets 409. Only
the lock holder moves the offset, again by a conditional UPDATE on its lock token. The final
chunk hands over to ``verification``, which checks the whole file; a PATCH that fails before it
commits is undone (its parts dropped, its lock freed). Before any byte is taken, the upload is
held to ``guards`` (its photo record, visit and officer as they are now): one that may no
longer complete is ended at once, so the phone stops sending and starts afresh.

Per chunk the cost stays near the disk's: the upload is read with its photo and visit by one
fixed statement (``access``), the lock and the offset of a chunk that does not complete the
file are single fixed bookkeeping statements (``progress``: on PostgreSQL committed without
waiting for the WAL flush), and the store hashes each batch of the body in the same worker
step that writes it, a batch behind the bytes arriving. A whole file sent in one PATCH is
verified by that hash, taken as it was written, and its one part staged without a copy;
chunks that waited on disk between requests are hashed again as they are joined.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from starlette.requests import ClientDisconnect

from server.clock import Clock
from server.context import RequestContext
from server.photos import tus
from server.photos.derivatives import derive_in_background
from server.photos.ending import end_refused, purge_upload
from server.photos.guards import upload_refusal
from server.photos.models import Upload, UploadState
from server.photos.progress import move_offset, renew_lock, take_lock
from server.photos.store import PhotoStore, StoredPart
from server.photos.verification import verify_upload
from server.settings import Settings

log = logging.getLogger("doorstep.photos")

# A PATCH holds its upload's lock for this long, renewed while bytes keep arriving; a worker
# that dies mid-chunk frees the upload for a retry after at most this long.
LOCK_SECONDS = 120
LOCK_RENEW_SECONDS = 30


def refuse_if_failed(upload: Upload) -> None:
    """410 for an upload that ended without a verified file: its whole file failed its
    SHA-256, or it was superseded or refused (``guards``). The phone starts a new one."""
    if upload.state is UploadState.FAILED:
        raise tus.upload_gone(upload.message)


async def after_verification(
    upload_id: uuid.UUID, photo_id: uuid.UUID, store: PhotoStore, settings: Settings
) -> None:
    """Once the final PATCH has answered: the verified upload's chunks removed, then the
    photo's derivatives made (``cleanup`` and the first download retry either if it fails)."""
    await purge_upload(store, upload_id)
    await derive_in_background(photo_id, store, settings)


# --- PATCH -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChunkResult:
    """What a PATCH achieved: the new offset, and the photo verified by it (if it completed)."""

    offset: int
    verified_photo_id: uuid.UUID | None = None


class ChunkBody:
    """A PATCH body as it streams in: capped, and kept short of a client that leaves.

    The store hashes the bytes as it writes them (``PhotoStore.write_chunk``'s digests) into
    ``digest``: for the chunk's ``Upload-Checksum``, and at offset 0 as the whole file's hash
    should this one PATCH carry it all.
    """

    def __init__(
        self,
        stream: AsyncIterator[bytes],
        limit: int,
        renew: Callable[[], Awaitable[None]],
        *,
        hashed: bool,
    ) -> None:
        self._stream = stream
        self._limit = limit
        self._renew = renew
        self._renewed_at = time.monotonic()
        self.size = 0
        self.disconnected = False
        self.digest = hashlib.sha256() if hashed else None

    async def chunks(self) -> AsyncIterator[bytes]:
        """Yield the body's pieces; stop quietly if the client disconnects."""
        try:
            async for data in self._stream:
                if not data:
                    continue
                if self.size + len(data) > self._limit:
                    raise tus.chunk_too_large(self._limit)
                self.size += len(data)
                if time.monotonic() - self._renewed_at > LOCK_RENEW_SECONDS:
                    await self._renew()
                    self._renewed_at = time.monotonic()
                yield data
        except ClientDisconnect:
            self.disconnected = True


async def receive_chunk(
    upload: Upload,
    chunk: tus.Chunk,
    stream: AsyncIterator[bytes],
    *,
    ctx: RequestContext,
    store: PhotoStore,
    clock: Clock,
) -> ChunkResult:
    """Append one PATCH body at ``chunk.offset``: locked, checksummed, and verified when full.

    ``upload`` comes from ``access.upload_for``, so the caller's right to it is already checked.
    ``clock`` keeps time while a long chunk streams in (``ctx.now`` is when it started).
    """
    settings = ctx.settings
    offset = chunk.offset
    refuse_if_failed(upload)
    if upload.state is UploadState.COMPLETE:
        if offset == upload.upload_length:
            return ChunkResult(offset)
        raise tus.offset_conflict(upload.upload_length, "This upload is already complete.")
    refusal = upload_refusal(upload, upload.photo, upload.photo.visit)
    if refusal is not None:
        await end_refused(upload, refusal, store, now=clock.now(), token=None)
        raise refusal
    if offset != upload.upload_offset:
        raise tus.offset_conflict(
            upload.upload_offset,
            f"Upload-Offset must be the upload's current offset, {upload.upload_offset}.",
        )
    remaining = upload.upload_length - offset
    if chunk.declared_length is not None and chunk.declared_length > remaining:
        # Refused before a byte is read: no point carrying a body that cannot fit.
        raise tus.chunk_too_large(remaining)
    now = clock.now()
    token = secrets.token_hex(16)
    taken = await take_lock(
        upload.id, offset, token, now=now, until=now + timedelta(seconds=LOCK_SECONDS)
    )
    if not taken:
        raise tus.offset_conflict(
            upload.upload_offset,
            "Another request is writing to this upload; ask HEAD for the offset and retry.",
            code="upload_busy",
        )

    async def renew() -> None:
        until = clock.now() + timedelta(seconds=LOCK_SECONDS)
        if not await renew_lock(upload.id, token, until=until):
            raise tus.offset_conflict(offset, "This upload was taken over.", code="upload_busy")

    # The lock was taken at the offset read with ``upload``; the parts list only changes with
    # the offset, so ``upload.parts`` is still the accepted list: no need to read it again.
    parts: list[StoredPart] = []
    done = False
    try:
        body = ChunkBody(stream, remaining, renew, hashed=chunk.checksum is not None or offset == 0)
        digests = [body.digest] if body.digest is not None else []
        parts = await store.write_chunk(str(upload.id), offset, token, body.chunks(), digests)
        if chunk.checksum is not None and (
            body.disconnected or body.digest is None or body.digest.digest() != chunk.checksum
        ):
            await store.discard_parts(str(upload.id), parts)
            parts = []
            raise tus.checksum_mismatch(offset)
        # Without a checksum, the bytes that arrived before a disconnect are kept: the phone
        # resumes from there (tus core), and the whole-file hash still guards the result.
        new_offset = offset + body.size
        accepted = [*upload.parts, *(p.to_json() for p in parts)]
        if new_offset < upload.upload_length or body.size == 0:
            later = clock.now()
            moved = await move_offset(
                upload.id,
                token,
                new_offset,
                accepted,
                now=later,
                expires_at=later + timedelta(seconds=settings.upload_expiry_seconds),
            )
            if not moved:
                raise tus.offset_conflict(offset, "This upload was taken over.", code="upload_busy")
            done = True
            return ChunkResult(new_offset)
        # From offset 0 this PATCH carried the whole file: its hash, taken as it was stored,
        # is the file's, so the store need not read it back.
        known = body.digest.hexdigest() if offset == 0 and body.digest is not None else None
        try:
            photo_id = await verify_upload(
                upload,
                token,
                [StoredPart.from_json(p) for p in accepted],
                ctx,
                store,
                clock,
                known_sha256=known,
            )
        except tus.FileMismatch:
            done = True  # committed as failed; the chunks are already gone
            raise
        done = True
        return ChunkResult(upload.upload_length, verified_photo_id=photo_id)
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
