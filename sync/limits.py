"""Batch and body limits, and bounded gzip decompression."""

from __future__ import annotations

import zlib

from .errors import SyncError

MAX_MUTATIONS_PER_PUSH = 500
# Measured after decompression: the limit protects server memory, and a gzip
# bomb is small on the wire.
MAX_PUSH_BODY_BYTES = 1024 * 1024
MAX_PULL_BODY_BYTES = 16 * 1024
MAX_FIELDS_PER_MUTATION = 500
PULL_LIMIT_MIN = 1
PULL_LIMIT_MAX = 1000
DEFAULT_PULL_LIMIT = 200
# A pull page also stops early once its encoded changes pass this size, so a
# page of large records still fits a poor mobile link; has_more stays true.
PULL_PAGE_SOFT_BYTES = 4 * 1024 * 1024


def check_body_size(body_bytes: int, limit: int = MAX_PUSH_BODY_BYTES) -> None:
    """Raise `payload_too_large` if a decompressed body exceeds `limit` bytes."""
    if body_bytes > limit:
        raise SyncError(
            "payload_too_large",
            f"body is {body_bytes} bytes after decompression; the limit is {limit}",
            {"limit": limit, "size": body_bytes},
        )


def check_push_limits(mutation_count: int, body_bytes: int) -> None:
    """Raise 413 errors if a push has too many mutations or too many bytes."""
    check_body_size(body_bytes, MAX_PUSH_BODY_BYTES)
    if mutation_count > MAX_MUTATIONS_PER_PUSH:
        raise SyncError(
            "too_many_mutations",
            f"{mutation_count} mutations; at most {MAX_MUTATIONS_PER_PUSH} per push",
            {"limit": MAX_MUTATIONS_PER_PUSH, "size": mutation_count},
        )


def check_pull_limit(limit: object) -> int:
    """Return a valid pull page size (null means the default) or raise `invalid_limit`."""
    if limit is None:
        return DEFAULT_PULL_LIMIT
    if (
        isinstance(limit, bool)
        or not isinstance(limit, int)
        or not PULL_LIMIT_MIN <= limit <= PULL_LIMIT_MAX
    ):
        raise SyncError(
            "invalid_limit",
            f"limit must be an integer from {PULL_LIMIT_MIN} to {PULL_LIMIT_MAX}",
            {"field": "limit", "min": PULL_LIMIT_MIN, "max": PULL_LIMIT_MAX},
        )
    return limit


def decompress_body(
    data: bytes, content_encoding: str | None, limit: int = MAX_PUSH_BODY_BYTES
) -> bytes:
    """Undo Content-Encoding (identity or gzip) without ever holding more than `limit` bytes."""
    encoding = (content_encoding or "identity").strip().lower()
    if encoding == "identity":
        check_body_size(len(data), limit)
        return data
    if encoding != "gzip":
        raise SyncError(
            "unsupported_encoding",
            f"Content-Encoding {encoding!r} is not supported; use gzip or identity",
            {"encoding": encoding},
        )
    # wbits=31: gzip framing only. max_length stops a bomb before it inflates.
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise SyncError(
            "invalid_request", f"body is not valid gzip: {exc}", {"field": "body"}
        ) from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise SyncError(
            "payload_too_large",
            f"body exceeds {limit} bytes after decompression",
            {"limit": limit},
        )
    if not inflater.eof:
        raise SyncError("invalid_request", "gzip body is truncated", {"field": "body"})
    if inflater.unused_data:
        # Concatenated gzip members are legal but never produced by our clients;
        # refusing them keeps the size accounting simple.
        raise SyncError("invalid_request", "trailing data after gzip member", {"field": "body"})
    return out
