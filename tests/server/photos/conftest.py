"""Photo test helpers: a store of either kind, a phone that records photos, a tus client.

The S3 half talks to moto's standalone server, started once per run on 127.0.0.1, so boto3
speaks real S3 over HTTP; each test gets its own bucket.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from server.photos.store import FilesystemPhotoStore, PhotoStore, S3PhotoStore, s3_client
from server.settings import Settings
from tests.server.syncing.conftest import Phone, new_id

TUS = {"Tus-Resumable": "1.0.0"}
S3_REGION = "us-east-1"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's S3 server on a free port of 127.0.0.1, with throwaway AWS_* credentials."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", S3_REGION)
        env.delenv("AWS_PROFILE", raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


def s3_settings(base: Settings, endpoint: str) -> Settings:
    """Settings pointing at a new, empty bucket on the moto server."""
    bucket = f"doorstep-test-{uuid.uuid4().hex[:12]}"
    settings = dataclasses.replace(
        base,
        photo_store="s3",
        s3_endpoint_url=endpoint,
        s3_bucket=bucket,
        s3_region=S3_REGION,
        s3_prefix="doorstep/",
    )
    s3_client(settings).create_bucket(Bucket=bucket)
    return settings


@pytest.fixture
def store_kind() -> str:
    """Which photo store the app uses (tests parametrize this to run on both)."""
    return "fs"


@pytest.fixture
def settings(
    database_url: str, tmp_path: Path, store_kind: str, request: pytest.FixtureRequest
) -> Settings:
    """Test settings with a small upload limit, on the chosen store."""
    base = Settings(
        database_url=database_url,
        photo_dir=tmp_path / "photos",
        max_upload_bytes=2 * 1024 * 1024,
    )
    if store_kind == "s3":
        return s3_settings(base, request.getfixturevalue("moto_endpoint"))
    return base


def store_for(settings: Settings) -> PhotoStore:
    """A fresh store instance on the same place (as another worker would have)."""
    if settings.photo_store == "s3":
        return S3PhotoStore(s3_client(settings), settings.s3_bucket, settings.s3_prefix)
    return FilesystemPhotoStore(settings.photo_dir)


# --- images ---------------------------------------------------------------------------------


def jpeg_bytes(
    size: tuple[int, int] = (640, 480), *, noise: bool = False, exif: Image.Exif | None = None
) -> bytes:
    """A JPEG with a gradient (and noise, to make it larger)."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    if noise:
        image = Image.blend(image, Image.effect_noise(size, 80).convert("RGB"), 0.5)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif if exif is not None else Image.Exif())
    return out.getvalue()


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256, as the phone declares it."""
    return hashlib.sha256(data).hexdigest()


def b64_sha256(data: bytes) -> str:
    """An ``Upload-Checksum`` header value for a chunk."""
    return "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode()


# --- a phone that records photos and uploads them -----------------------------------------------


@dataclass
class PhotoPhone:
    """An officer's phone: records a visit and photos by sync, uploads bytes by tus."""

    client: httpx.AsyncClient
    phone: Phone = field(init=False)

    def __post_init__(self) -> None:
        self.phone = Phone(self.client)

    async def record_photo(
        self,
        data: bytes,
        *,
        content_type: str = "image/jpeg",
        visit_id: str | None = None,
        declare: dict[str, Any] | None = None,
    ) -> tuple[str, str]:
        """Push a visit (if none given) and a photo's metadata; returns (visit_id, photo_id)."""
        mutations = []
        if visit_id is None:
            visit_id = new_id()
            mutations.append(self.phone.mutation("visits", visit_id, {"victim.name": "Ann Smith"}))
        photo_id = new_id()
        fields: dict[str, Any] = {
            "visit_id": visit_id,
            "category": "point_of_entry",
            "sha256": sha256_hex(data),
            "byte_size": len(data),
            "content_type": content_type,
        }
        fields.update(declare or {})
        fields = {k: v for k, v in fields.items() if v is not None}
        mutations.append(self.phone.mutation("photos", photo_id, fields))
        response = await self.phone.push(*mutations)
        assert response.status_code == 200, response.text
        statuses = [r["status"] for r in response.json()["results"]]
        assert statuses == ["applied"] * len(mutations), response.text
        return visit_id, photo_id

    async def photo_record(self, photo_id: str) -> dict[str, Any]:
        """The photo's record as the next pull delivers it."""
        changes = await self.phone.pull_all()
        found = [c for c in changes if c["id"] == photo_id]
        assert found, "the photo did not come back by pull"
        record: dict[str, Any] = found[-1]["record"]
        return record


def metadata_header(photo_id: str, visit_id: str, sha256: str, content_type: str) -> str:
    """``Upload-Metadata`` as tus clients write it."""
    pairs = {
        "photo_id": photo_id,
        "visit_id": visit_id,
        "sha256": sha256,
        "content_type": content_type,
    }
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


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
        headers = {
            **TUS,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
        }
        if checksum is True:
            headers["Upload-Checksum"] = b64_sha256(chunk)
        elif isinstance(checksum, str):
            headers["Upload-Checksum"] = checksum
        return await self.client.patch(url, content=chunk, headers=headers)

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
