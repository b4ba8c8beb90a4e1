"""``POST /api/sync/push`` and ``POST /api/sync/pull`` (thin HTTP; rules in syncing.service)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api import Endpoint
from server.context import RequestContext
from server.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from server.syncing import service
from server.syncing.schemas import PullIn, PullOut, PushIn, PushOut
from sync import SyncError, decompress_body, parse_cursor, parse_pull, parse_push
from sync.limits import MAX_PUSH_BODY_BYTES

# A gzip body is read up to this size before decompression (then capped again after).
MAX_WIRE_BYTES = MAX_PUSH_BODY_BYTES


async def _read_sync_body(request: Request) -> tuple[Any, int]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_WIRE_BYTES:
            raise PayloadTooLarge(details={"limit_bytes": MAX_WIRE_BYTES})
        chunks.append(chunk)
    try:
        body = decompress_body(b"".join(chunks), request.headers.get("content-encoding"))
        return json.loads(body), len(body)
    except SyncError as exc:
        raise service.SyncRequestError(exc) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest("The request body is not valid JSON.", code="invalid_json") from exc


async def push(request: Request, ctx: RequestContext) -> Response:
    """Apply queued mutations exactly once and acknowledge them."""
    body, size = await _read_sync_body(request)
    try:
        parsed = parse_push(body, size)
    except SyncError as exc:
        raise service.SyncRequestError(exc) from exc
    answer = await service.push(parsed, ctx=ctx)
    return JSONResponse(answer)


async def pull(request: Request, ctx: RequestContext) -> Response:
    """The next page of the change feed in the caller's scope."""
    body, _ = await _read_sync_body(request)
    try:
        parsed = parse_pull(body)
        raw_cursor = body.get("cursor") if isinstance(body, dict) else None
        tag = parse_cursor(raw_cursor).scope if raw_cursor is not None else None
    except SyncError as exc:
        raise service.SyncRequestError(exc) from exc
    answer = await service.pull(parsed, ctx=ctx, cursor_tag=tag)
    return JSONResponse(answer)


endpoints = [
    Endpoint(
        "/api/sync/push",
        "POST",
        push,
        "Push queued mutations (exactly once)",
        "sync",
        body=PushIn,
        response=PushOut,
        errors=(400, 404, 409, 413, 415, 422, 503),
    ),
    Endpoint(
        "/api/sync/pull",
        "POST",
        pull,
        "Pull the change feed after a cursor",
        "sync",
        body=PullIn,
        response=PullOut,
        errors=(400, 404, 413, 415, 422),
    ),
]
