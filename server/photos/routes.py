"""Photo bytes over HTTP: tus uploads at ``/api/uploads`` and scoped downloads.

Handlers only read the request and write the response: ``tus`` reads and writes the tus
headers, ``access`` finds the upload the caller may continue, and one service function does
the work (``uploads``, ``downloads``). No query and no policy lives here.
"""

from __future__ import annotations

import functools

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from server.api import Endpoint, Handler
from server.context import RequestContext
from server.errors import DoorstepError
from server.photos import downloads, opening, tus, uploads
from server.photos.access import upload_for
from server.photos.store import PhotoStore


def tus_errors(handler: Handler) -> Handler:
    """Add ``Tus-Resumable`` to the errors a tus handler raises, as to its answers."""

    @functools.wraps(handler)
    async def wrapped(request: Request, ctx: RequestContext) -> Response:
        try:
            return await handler(request, ctx)
        except DoorstepError as exc:
            exc.headers.setdefault("Tus-Resumable", tus.TUS_VERSION)
            raise

    return wrapped


def _store(request: Request) -> PhotoStore:
    store: PhotoStore = request.app.state.photo_store
    return store


@tus_errors
async def tus_options(request: Request, ctx: RequestContext) -> Response:
    """Say what this tus server supports."""
    return Response(status_code=204, headers=tus.capability_headers(ctx.settings.max_upload_bytes))


@tus_errors
async def tus_create(request: Request, ctx: RequestContext) -> Response:
    """Create an upload for a photo the caller recorded by sync (201 + Location)."""
    creation = tus.read_creation(request.headers, ctx.settings.max_upload_bytes)
    upload = await opening.create_upload(
        creation.length, creation.metadata, ctx=ctx, store=_store(request)
    )
    return Response(
        status_code=201,
        headers=tus.created_headers(f"/api/uploads/{upload.id}", upload.upload_offset),
    )


@tus_errors
async def tus_head(request: Request, ctx: RequestContext) -> Response:
    """Where an upload stands: ``Upload-Offset`` and ``Upload-Length``."""
    # Whose upload it is comes first: anyone else gets 404 whatever headers they send.
    upload = await upload_for(request.path_params["upload_id"], ctx=ctx)
    tus.require_version(request.headers)
    uploads.refuse_if_failed(upload)
    return Response(
        status_code=200, headers=tus.progress_headers(upload.upload_offset, upload.upload_length)
    )


@tus_errors
async def tus_patch(request: Request, ctx: RequestContext) -> Response:
    """Append a chunk at ``Upload-Offset``; the last one verifies the whole file."""
    # Whose upload it is comes first: anyone else gets 404 whatever headers they send.
    upload = await upload_for(request.path_params["upload_id"], ctx=ctx)
    chunk = tus.read_chunk(request.headers)
    store = _store(request)
    result = await uploads.receive_chunk(
        upload, chunk, request.stream(), ctx=ctx, store=store, clock=request.app.state.clock
    )
    background = None
    if result.verified_photo_id is not None:
        background = BackgroundTask(
            uploads.after_verification, upload.id, result.verified_photo_id, store, ctx.settings
        )
    return Response(
        status_code=204, headers=tus.offset_headers(result.offset), background=background
    )


async def _serve(request: Request, ctx: RequestContext, kind: downloads.PhotoKind) -> Response:
    """A photo's original or derivative, as ``downloads`` decides."""
    download = await downloads.photo_download(
        request.path_params["photo_id"],
        kind,
        head=request.method == "HEAD",
        ctx=ctx,
        store=_store(request),
    )
    if download.body is None or isinstance(download.body, bytes):
        return Response(download.body, media_type=download.media_type, headers=download.headers)
    return StreamingResponse(
        download.body, media_type=download.media_type, headers=download.headers
    )


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
        errors=(*_UPLOAD_ERRORS, 429),
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
