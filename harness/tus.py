"""tus 1.0.0 (resumable uploads, docs/photos.md): its headers and a small client over httpx."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

import httpx

from harness.images import sha256_hex

TUS = {"Tus-Resumable": "1.0.0"}


def metadata(pairs: dict[str, str]) -> str:
    """``Upload-Metadata``: keys and base64 values, as tus clients write it."""
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


def metadata_header(photo_id: str, visit_id: str, sha256: str, content_type: str) -> str:
    """``Upload-Metadata`` of a photo."""
    pairs = {
        "photo_id": photo_id,
        "visit_id": visit_id,
        "sha256": sha256,
        "content_type": content_type,
    }
    return metadata(pairs)


def b64_sha256(data: bytes) -> str:
    """An ``Upload-Checksum`` header value for a chunk."""
    return "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode()


def patch_headers(offset: int, checksum: str | bool | None = None) -> dict[str, str]:
    """The headers of a PATCH carrying bytes from ``offset`` (with its checksum, if given)."""
    headers = {
        **TUS,
        "Upload-Offset": str(offset),
        "Content-Type": "application/offset+octet-stream",
    }
    if isinstance(checksum, str):
        headers["Upload-Checksum"] = checksum
    return headers


@dataclass
class TusClient:
    """Our own minimal tus client over httpx (tuspy is used against a real server elsewhere)."""

    client: httpx.AsyncClient

    async def create(
        self,
        photo_id: str,
        visit_id: str,
        data: bytes,
        *,
        sha256: str | None = None,
        content_type: str = "image/jpeg",
        length: int | None = None,
    ) -> httpx.Response:
        """POST /api/uploads."""
        return await self.client.post(
            "/api/uploads",
            headers={
                **TUS,
                "Upload-Length": str(len(data) if length is None else length),
                "Upload-Metadata": metadata_header(
                    photo_id, visit_id, sha256 or sha256_hex(data), content_type
                ),
            },
        )

    async def head(self, url: str) -> httpx.Response:
        """HEAD an upload."""
        return await self.client.head(url, headers=TUS)

    async def patch(
        self, url: str, offset: int, chunk: bytes, *, checksum: str | bool | None = True
    ) -> httpx.Response:
        """PATCH one chunk (with its sha256 Upload-Checksum unless told otherwise)."""
        value = b64_sha256(chunk) if checksum is True else checksum
        return await self.client.patch(url, content=chunk, headers=patch_headers(offset, value))

    async def send(
        self,
        url: str,
        data: bytes,
        *,
        start: int = 0,
        stop: int | None = None,
        chunk: int = 16 * 1024,
    ) -> httpx.Response:
        """PATCH ``data[start:stop]`` in chunks; returns the last response."""
        stop = len(data) if stop is None else stop
        offset = start
        response: httpx.Response | None = None
        while offset < stop:
            piece = data[offset : min(offset + chunk, stop)]
            response = await self.patch(url, offset, piece)
            if response.status_code != 204:
                return response
            offset = int(response.headers["Upload-Offset"])
        assert response is not None
        return response

    async def upload(self, photo_id: str, visit_id: str, data: bytes, **create: Any) -> str:
        """Create and send a whole upload; returns its URL."""
        created = await self.create(photo_id, visit_id, data, **create)
        assert created.status_code == 201, created.text
        url = created.headers["Location"]
        if int(created.headers.get("Upload-Offset", "0")) < len(data):
            last = await self.send(url, data)
            assert last.status_code == 204, last.text
        return url
