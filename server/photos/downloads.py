"""Serving a photo: its original or a derivative, scope-checked and audited before any byte.

Only a verified original is served. The original goes out byte-exact as it was captured; a
display copy or thumbnail is made on demand if the background work has not made it yet.
Every answer is private, never cached, sandboxed and never sniffed, since a photo is evidence
and may show a victim's home. A GET is audited as a consultation (DPA 2018 s.62) before the
body leaves; a HEAD sends no byte of the photo, so it is not.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from server.audit.models import AuditAction
from server.context import RequestContext
from server.errors import Conflict, NotFound
from server.photos.access import readable_photo
from server.photos.derivatives import ensure_derivatives
from server.photos.enums import PhotoStatus
from server.photos.models import DerivativeStatus
from server.photos.store import PhotoStore

PhotoKind = Literal["original", "display", "thumb"]

PHOTO_CACHE_CONTROL = "private, no-store"
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
}


@dataclass(frozen=True)
class PhotoDownload:
    """What to answer: the media type, the headers and the body (None for a HEAD).

    The body is the bytes of a (small) derivative, or a stream of the original's blocks.
    """

    media_type: str
    headers: dict[str, str]
    body: bytes | AsyncIterator[bytes] | None


async def photo_download(
    photo_id: str, kind: PhotoKind, *, head: bool, ctx: RequestContext, store: PhotoStore
) -> PhotoDownload:
    """A photo's original or derivative for the caller: 404 out of scope, 409 if unverified."""
    photo = await readable_photo(photo_id, ctx=ctx)
    if photo.status is not PhotoStatus.VERIFIED or photo.original_key is None:
        raise Conflict(
            "This photo's original has not been received and verified yet.",
            code="photo_not_verified",
            details={"status": photo.status.value},
        )
    key: str | None
    if kind == "original":
        key = photo.original_key
        media_type = photo.original_content_type or "application/octet-stream"
        length: int | None = photo.original_bytes
    else:
        photo = await ensure_derivatives(photo.id, store, ctx.settings)
        key = photo.display_key if kind == "display" else photo.thumb_key
        if photo.derivative_status is not DerivativeStatus.READY or key is None:
            raise NotFound(
                f"This photo has no {kind} copy: {photo.derivative_message or 'not made yet'}. "
                "Its original is kept unchanged.",
                code="derivative_unavailable",
                details={"derivative_status": photo.derivative_status.value},
            )
        media_type, length = "image/jpeg", None
    assert key is not None
    headers = _photo_headers(photo.id, kind, media_type)
    if length is not None:
        headers["Content-Length"] = str(length)
    if head:  # nothing of the photo leaves: no consultation to log
        return PhotoDownload(media_type, headers, None)
    await _audit_consultation(photo.id, kind, ctx=ctx)
    if length is not None:
        return PhotoDownload(media_type, headers, store.read(key))
    return PhotoDownload(media_type, headers, await store.get_bytes(key))


def _photo_headers(photo_id: uuid.UUID, kind: PhotoKind, media_type: str) -> dict[str, str]:
    """Private, uncached, sandboxed, unsniffed; named after the photo and the copy."""
    extension = "jpg" if kind != "original" else _EXTENSIONS.get(media_type, "bin")
    return {
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": PHOTO_CACHE_CONTROL,
        "Content-Disposition": f'inline; filename="photo-{photo_id}-{kind}.{extension}"',
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cross-Origin-Resource-Policy": "same-origin",
    }


async def _audit_consultation(photo_id: uuid.UUID, kind: PhotoKind, *, ctx: RequestContext) -> None:
    """s.62: record that someone viewed a photo (before any byte leaves)."""
    reason = f"photo {kind} viewed"
    await ctx.write_audit(
        [ctx.audit(AuditAction.CONSULT, record_type="photos", record_id=photo_id, reason=reason)]
    )
