"""``POST /api/sync/push`` and ``POST /api/sync/pull`` (thin HTTP; rules in syncing.service)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api import Endpoint
from server.auth.principal import principal_of
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


async def push(request: Request) -> Response:
    """Apply queued mutations exactly once and acknowledge them."""
    principal = principal_of(request)
    body, size = await _read_sync_body(request)
    try:
        parsed = parse_push(body, size)
    except SyncError as exc:
        raise service.SyncRequestError(exc) from exc
    answer = await service.push(
        parsed,
        principal,
        request.app.state.settings,
        request.app.state.clock.now(),
        request.scope.get("state", {}).get("request_id", ""),
    )
    return JSONResponse(answer)


async def pull(request: Request) -> Response:
    """The next page of the change feed in the caller's scope."""
    principal = principal_of(request)
    body, _ = await _read_sync_body(request)
    try:
        parsed = parse_pull(body)
        raw_cursor = body.get("cursor") if isinstance(body, dict) else None
        tag = parse_cursor(raw_cursor).scope if raw_cursor is not None else None
    except SyncError as exc:
        raise service.SyncRequestError(exc) from exc
    answer, audit = await service.pull(
        parsed,
        principal,
        request.app.state.settings,
        request.scope.get("state", {}).get("request_id", ""),
        cursor_tag=tag,
    )
    await service.record_pull_audit(audit, request.app.state.clock.now())
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
