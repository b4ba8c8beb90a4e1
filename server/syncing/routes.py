"""``POST /api/sync/push`` and ``POST /api/sync/pull`` (thin HTTP; rules in syncing.service)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api import Endpoint
from server.context import RequestContext
from server.errors import PayloadTooLarge, UnsupportedMediaType
from server.syncing import service
from server.syncing.schemas import PullIn, PullOut, PushIn, PushOut


class SyncResponse(JSONResponse):
    """A sync answer encoded by orjson: the same JSON as the standard encoder (UTF-8, no
    spaces) at a fraction of its CPU, which matters for 1,000-record pull pages. Only answers
    use it: digests and audit hashes keep their own canonical writers."""

    def render(self, content: Any) -> bytes:
        """The body."""
        return orjson.dumps(content)


async def _read_sync_body(request: Request) -> bytes:
    """The body as sent (gzip or not), refused early past the wire limit."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > service.MAX_WIRE_BYTES:
            raise PayloadTooLarge(details={"limit_bytes": service.MAX_WIRE_BYTES})
        chunks.append(chunk)
    return b"".join(chunks)


async def push(request: Request, ctx: RequestContext) -> Response:
    """Apply queued mutations exactly once and acknowledge them."""
    raw = await _read_sync_body(request)
    answer = await service.push(raw, request.headers.get("content-encoding"), ctx=ctx)
    return SyncResponse(answer)


async def pull(request: Request, ctx: RequestContext) -> Response:
    """The next page of the change feed in the caller's scope."""
    raw = await _read_sync_body(request)
    answer = await service.pull(raw, request.headers.get("content-encoding"), ctx=ctx)
    return SyncResponse(answer)


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
