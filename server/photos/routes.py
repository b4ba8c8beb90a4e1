"""Photo bytes over HTTP: tus uploads at ``/api/uploads`` and scoped downloads.

tus 1.0.0 core with the creation and checksum (sha256) extensions. Every tus response carries
``Tus-Resumable``; errors keep the API's JSON shape, with tus's own status codes (412, 460).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from server.api import Endpoint, Handler
from server.context import RequestContext
from server.errors import (
    BadRequest,
    Conflict,
    DoorstepError,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from server.photos import service
from server.photos.enums import PhotoStatus
from server.photos.models import DerivativeStatus
from server.photos.store import PhotoStore

PHOTO_CACHE_CONTROL = "private, no-store"
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
}


def _tus(handler: Handler) -> Handler:
    """Add ``Tus-Resumable`` to the errors a tus handler raises, as to its answers."""

    @functools.wraps(handler)
    async def wrapped(request: Request, ctx: RequestContext) -> Response:
        try:
            return await handler(request, ctx)
        except DoorstepError as exc:
            exc.headers.setdefault("Tus-Resumable", service.TUS_VERSION)
            raise

    return wrapped


def _require_tus(request: Request) -> None:
    if request.headers.get("tus-resumable") != service.TUS_VERSION:
        raise service.PreconditionFailed(headers={"Tus-Version": service.TUS_VERSION})


def _whole_number(request: Request, name: str) -> int:
    raw = request.headers.get(name)
    if raw is None or not raw.isdigit() or len(raw) > 15:
        raise BadRequest(f"Send {name} as a whole number of bytes.", code="bad_tus_header")
    return int(raw)


def _content_length(request: Request) -> int | None:
    raw = request.headers.get("content-length", "")
    return int(raw) if raw.isdigit() and len(raw) <= 15 else None


def _store(request: Request) -> PhotoStore:
    store: PhotoStore = request.app.state.photo_store
    return store


@_tus
async def tus_options(request: Request, ctx: RequestContext) -> Response:
    """Say what this tus server supports."""
    settings = ctx.settings
    return Response(
        status_code=204,
        headers=service.tus_headers(
            **{
                "Tus-Version": service.TUS_VERSION,
                "Tus-Extension": service.TUS_EXTENSIONS,
                "Tus-Checksum-Algorithm": service.TUS_CHECKSUM_ALGORITHMS,
                "Tus-Max-Size": str(settings.max_upload_bytes),
            }
        ),
    )


@_tus
async def tus_create(request: Request, ctx: RequestContext) -> Response:
    """Create an upload for a photo the caller recorded by sync (201 + Location)."""
    _require_tus(request)
    if "upload-defer-length" in request.headers:
        raise BadRequest("Upload-Defer-Length is not supported.", code="defer_length_unsupported")
    if request.headers.get("content-length", "0") not in {"", "0"}:
        raise BadRequest(
            "Creation with upload is not supported: send the bytes by PATCH.",
            code="creation_with_upload_unsupported",
        )
    length = _whole_number(request, "upload-length")
    if length < 1:
        raise BadRequest("Upload-Length must be at least 1.", code="bad_tus_header")
    settings = ctx.settings
    if length > settings.max_upload_bytes:  # before any database work
        raise PayloadTooLarge(
            f"A photo may be at most {settings.max_upload_bytes} bytes.",
            details={"limit_bytes": settings.max_upload_bytes},
            headers={"Tus-Max-Size": str(settings.max_upload_bytes)},
        )
    metadata = service.parse_metadata(request.headers.get("upload-metadata", ""))
    upload = await service.create_upload(length, metadata, ctx=ctx)
    return Response(
        status_code=201,
        headers=service.tus_headers(
            Location=f"/api/uploads/{upload.id}", **{"Upload-Offset": str(upload.upload_offset)}
        ),
    )


@_tus
async def tus_head(request: Request, ctx: RequestContext) -> Response:
    """Where an upload stands: ``Upload-Offset`` and ``Upload-Length``."""
    # Whose upload it is comes first: anyone else gets 404 whatever headers they send.
    upload = await service.upload_for(request.path_params["upload_id"], ctx=ctx)
    _require_tus(request)
    service.check_head(upload)
    return Response(
        status_code=200,
        headers=service.tus_headers(
            **{
                "Upload-Offset": str(upload.upload_offset),
                "Upload-Length": str(upload.upload_length),
                "Cache-Control": "no-store",
            }
        ),
    )


@_tus
async def tus_patch(request: Request, ctx: RequestContext) -> Response:
    """Append a chunk at ``Upload-Offset``; the last one verifies the whole file."""
    upload = await service.upload_for(request.path_params["upload_id"], ctx=ctx)
    _require_tus(request)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/offset+octet-stream":
        raise UnsupportedMediaType("Send the chunk as application/offset+octet-stream.")
    offset = _whole_number(request, "upload-offset")
    checksum = service.parse_checksum(request.headers.get("upload-checksum"))
    store = _store(request)
    settings = ctx.settings
    result = await service.receive_chunk(
        upload,
        offset=offset,
        checksum=checksum,
        stream=request.stream(),
        declared_length=_content_length(request),
        ctx=ctx,
        store=store,
        clock=request.app.state.clock,
    )
    background = None
    if result.verified_photo_id is not None:
        background = BackgroundTask(
            service.derive_in_background, result.verified_photo_id, store, settings
        )
    return Response(
        status_code=204,
        headers=service.tus_headers(**{"Upload-Offset": str(result.offset)}),
        background=background,
    )


async def _serve(request: Request, ctx: RequestContext, kind: str) -> Response:
    """A photo's original or derivative, after the scope check, audited as a consultation."""
    settings = ctx.settings
    store = _store(request)
    photo = await service.readable_photo(request.path_params["photo_id"], ctx=ctx)
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
        photo = await service.ensure_derivatives(photo.id, store, settings)
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
    extension = "jpg" if kind != "original" else _EXTENSIONS.get(media_type, "bin")
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": PHOTO_CACHE_CONTROL,
        "Content-Disposition": f'inline; filename="photo-{photo.id}-{kind}.{extension}"',
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if request.method == "HEAD":  # nothing of the photo leaves: no consultation to log
        if length is not None:
            headers["Content-Length"] = str(length)
        return Response(media_type=media_type, headers=headers)
    await service.audit_consult(photo.id, kind, ctx=ctx)
    if length is not None:
        headers["Content-Length"] = str(length)
        body: AsyncIterator[bytes] = store.read(key)
        return StreamingResponse(body, media_type=media_type, headers=headers)
    data = await store.get_bytes(key)
    return Response(data, media_type=media_type, headers=headers)


async def photo_original(request: Request, ctx: RequestContext) -> Response:
    """The original bytes, exactly as the phone captured them."""
    return await _serve(request, ctx, "original")


async def photo_display(request: Request, ctx: RequestContext) -> Response:
    """The display copy: JPEG, longest side 1600, upright, without metadata."""
    return await _serve(request, ctx, "display")


async def photo_thumb(request: Request, ctx: RequestContext) -> Response:
    """The thumbnail: JPEG, longest side 320, upright, without metadata."""
    return await _serve(request, ctx, "thumb")


_UPLOAD_ERRORS = (400, 404, 409, 412, 413, 422)
endpoints = [
    Endpoint(
        "/api/uploads",
        "OPTIONS",
        tus_options,
        "tus: the protocol version, extensions, checksum algorithm and size limit",
        "photos",
        status=204,
    ),
    Endpoint(
        "/api/uploads",
        "POST",
        tus_create,
        "tus creation: open a resumable upload for a photo recorded by sync",
        "photos",
        status=201,
        errors=_UPLOAD_ERRORS,
    ),
    Endpoint(
        "/api/uploads/{upload_id}",
        "HEAD",
        tus_head,
        "tus: the upload's current offset",
        "photos",
        errors=(404, 410, 412),
    ),
    Endpoint(
        "/api/uploads/{upload_id}",
        "PATCH",
        tus_patch,
        "tus: append a chunk at Upload-Offset (checked by Upload-Checksum: sha256)",
        "photos",
        status=204,
        errors=(*_UPLOAD_ERRORS, 410, 415, 460),
    ),
    Endpoint(
        "/api/photos/{photo_id}/original",
        "GET",
        photo_original,
        "A photo's original bytes (scope-checked, audited)",
        "photos",
        errors=(404, 409),
        response_media_type="image/*",
    ),
    Endpoint(
        "/api/photos/{photo_id}/display",
        "GET",
        photo_display,
        "A photo's display copy, JPEG up to 1600 px (scope-checked, audited)",
        "photos",
        errors=(404, 409),
        response_media_type="image/jpeg",
    ),
    Endpoint(
        "/api/photos/{photo_id}/thumb",
        "GET",
        photo_thumb,
        "A photo's thumbnail, JPEG up to 320 px (scope-checked, audited)",
        "photos",
        errors=(404, 409),
        response_media_type="image/jpeg",
    ),
]
