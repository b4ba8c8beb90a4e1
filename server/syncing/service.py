"""Sync bodies in, answers out: the one place the server hands wire bodies to the engine.

The pure engine (``sync``) decodes, bounds and parses push and pull bodies
(``sync/PROTOCOL.md``); ``server.syncing.push`` and ``server.syncing.pull`` then do the
database work. Routes only read bytes and call ``push`` or ``pull`` here.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from server.context import RequestContext
from server.errors import BadRequest
from server.syncing import pull as pulling
from server.syncing import push as pushing
from server.syncing.errors import SyncRequestError
from sync import SyncError, decompress_body, parse_cursor, parse_pull, parse_push
from sync.limits import MAX_PUSH_BODY_BYTES

# A gzip body is read up to this size before decompression (then capped again after).
MAX_WIRE_BYTES = MAX_PUSH_BODY_BYTES


def _loads(body: bytes) -> Any:
    """The body's JSON: orjson for speed; anything it refuses (non-finite numbers, huge
    integers, lone surrogates) is read by the standard parser, so the engine sees exactly
    what it always saw and refuses it the same way."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def _decode(raw: bytes, content_encoding: str | None) -> tuple[Any, int]:
    try:
        body = decompress_body(raw, content_encoding)
        return _loads(body), len(body)
    except SyncError as exc:
        raise SyncRequestError(exc) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest("The request body is not valid JSON.", code="invalid_json") from exc


async def push(raw: bytes, content_encoding: str | None, *, ctx: RequestContext) -> dict[str, Any]:
    """Apply a push body's queued mutations exactly once and acknowledge them."""
    body, size = _decode(raw, content_encoding)
    try:
        parsed = parse_push(body, size)
    except SyncError as exc:
        raise SyncRequestError(exc) from exc
    return await pushing.push(parsed, ctx=ctx)


async def pull(raw: bytes, content_encoding: str | None, *, ctx: RequestContext) -> dict[str, Any]:
    """The next page of the change feed after a pull body's cursor."""
    body, _ = _decode(raw, content_encoding)
    try:
        parsed = parse_pull(body)
        raw_cursor = body.get("cursor") if isinstance(body, dict) else None
        tag = parse_cursor(raw_cursor).scope if raw_cursor is not None else None
    except SyncError as exc:
        raise SyncRequestError(exc) from exc
    return await pulling.pull(parsed, ctx=ctx, cursor_tag=tag)
