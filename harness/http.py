"""HTTP as the app speaks it: gzip JSON bodies, cookies, request ids, and HTTP/1.1 by hand."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import secrets
from typing import Any
from urllib.parse import urlsplit

import httpx

GZIP_JSON = {"Content-Type": "application/json", "Content-Encoding": "gzip"}


def gzip_json(body: Any) -> bytes:
    """Compact JSON (as JSON.stringify writes it), gzip level 6 (as CompressionStream)."""
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return gzip.compress(raw, compresslevel=6, mtime=0)


async def post_gzip(
    client: httpx.AsyncClient, path: str, body: Any, *, request_id: str | None = None
) -> httpx.Response:
    """POST gzip-compressed JSON, optionally with our own X-Request-Id (the bytes sent are
    ``len(response.request.content)``)."""
    headers = dict(GZIP_JSON)
    if request_id:
        headers["X-Request-Id"] = request_id
    return await client.post(path, content=gzip_json(body), headers=headers)


def cookie_header(client: httpx.AsyncClient) -> str:
    """The browser's cookies as a Cookie header (for clients that keep no jar)."""
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def request_id(label: str) -> str:
    """A request id a test can find again in the workers' logs."""
    return f"deploy-{label}-{secrets.token_hex(6)}"


async def send_raw(
    base_url: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    *,
    stop_after: int | None = None,
) -> int | None:
    """HTTP/1.1 by hand, for what a client library will not do.

    Sends ``Expect: 100-continue`` and the body only after ``100 Continue``, as curl does, so a
    refusal on the head alone (413 on Content-Length) is heard rather than lost in a reset;
    returns the final status, or 0 if the connection was reset before one arrived. With
    ``stop_after``, writes that many body bytes at once and hangs up, as a phone losing signal
    mid-request does; returns None.
    """
    parts = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    head = [
        f"{method} {path} HTTP/1.1",
        f"Host: {parts.netloc}",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    if stop_after is None:
        head.append("Expect: 100-continue")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))

    async def pump(data: bytes) -> None:
        with contextlib.suppress(ConnectionError):
            for i in range(0, len(data), 64 * 1024):
                writer.write(data[i : i + 64 * 1024])
                await writer.drain()

    try:
        if stop_after is not None:
            await pump(body[:stop_after])
            return None

        async def final_status() -> int:
            """The first non-1xx status (Caddy may relay the worker's 100 Continue too)."""
            while True:
                status = int((await reader.readline()).split()[1])
                if status >= 200:
                    return status
                while (await reader.readline()).strip():
                    pass  # the 1xx answer's headers
                if not pumping:
                    pumping.append(asyncio.create_task(pump(body)))

        pumping: list[asyncio.Task[None]] = []
        try:
            async with asyncio.timeout(60):
                return await final_status()
        finally:
            for task in pumping:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    except (ConnectionError, IndexError):
        return 0
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
