"""An independent tus client (tuspy, the tus project's Python client) against a real server.

The app runs under uvicorn in its own process on 127.0.0.1, on this test's database and photo
directory; tuspy speaks plain HTTP to it with the officer's session cookie.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError, TusUploadFailed
from tusclient.uploader import Uploader

from harness.images import jpeg_bytes
from harness.phone import PhotoPhone
from harness.ports import free_port
from server.clock import FixedClock
from server.settings import Settings
from tests.server.audit.pg_roles import restricted_role
from tests.support.people import Person

ROOT = Path(__file__).resolve().parents[3]


class Sha256Uploader(Uploader):
    """tuspy's uploader, sending ``Upload-Checksum: sha256`` (its default is sha1)."""

    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


@pytest.fixture
def clock() -> FixedClock:
    """Real time: the server process uses the system clock for the same sessions."""
    return FixedClock(datetime.now(UTC))


@pytest.fixture
def server_database(settings: Settings, db: str) -> Iterator[dict[str, str]]:
    """How the server connects: on PostgreSQL as a restricted role with an audit key (it
    refuses to serve as a role that could rewrite the audit log)."""
    if db != "postgres":
        yield {"DOORSTEP_DATABASE_URL": settings.database_url}
        return
    key = secrets.token_hex(32)
    with restricted_role(settings.database_url, key) as app_url:
        yield {"DOORSTEP_DATABASE_URL": app_url, "DOORSTEP_AUDIT_KEY": key}


@pytest.fixture
def server_url(
    settings: Settings, server_database: dict[str, str], tmp_path: Path
) -> Iterator[str]:
    """``uvicorn server.asgi:app`` in a subprocess on a free port, stopped afterwards."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")}
    env.update(
        **server_database,
        DOORSTEP_PHOTO_DIR=str(settings.photo_dir),
        DOORSTEP_MAX_UPLOAD_BYTES=str(settings.max_upload_bytes),
        DOORSTEP_LOG_LEVEL="WARNING",
    )
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "server.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "server.log").read_text())
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


async def test_tuspy_uploads_cuts_at_60_percent_and_resumes(
    enrolled: Callable[..., Awaitable[Person]], server_url: str, settings: Settings
) -> None:
    import asyncio

    officer = await enrolled()
    data = jpeg_bytes((900, 700), noise=True)
    phone = PhotoPhone(officer.client)
    visit_id, photo_id = await phone.record_photo(data)
    cookie = "; ".join(f"{name}={value}" for name, value in officer.client.cookies.items())
    client = TusClient(f"{server_url}/api/uploads", headers={"Cookie": cookie})
    metadata = {
        "photo_id": photo_id,
        "visit_id": visit_id,
        "sha256": hashlib.sha256(data).hexdigest(),
        "content_type": "image/jpeg",
        "filename": "../../../etc/passwd",  # a crafted name: ignored, never a path
    }
    cut = int(len(data) * 0.6)

    def first_session() -> str:
        uploader = Sha256Uploader(
            file_stream=io.BytesIO(data),
            client=client,
            chunk_size=32 * 1024,
            metadata=metadata,
            upload_checksum=True,
        )
        uploader.upload(stop_at=cut)  # the signal drops here
        assert uploader.offset == cut
        return str(uploader.url)

    url = await asyncio.to_thread(first_session)

    def resumed_session() -> int:
        # A new uploader knows only the URL: it asks the server (HEAD) where to go on.
        uploader = Sha256Uploader(
            file_stream=io.BytesIO(data),
            url=url,
            client=client,
            chunk_size=32 * 1024,
            upload_checksum=True,
        )
        assert uploader.offset == cut
        uploader.upload()
        return int(uploader.get_offset())

    assert await asyncio.to_thread(resumed_session) == len(data)
    assert (await phone.photo_record(photo_id))["upload.status"] == "verified"
    original = await officer.client.get(f"/api/photos/{photo_id}/original")
    assert original.status_code == 200
    assert original.content == data
    # The crafted filename had no effect: only names made from the SHA-256 exist.
    stored = [p.relative_to(settings.photo_dir) for p in settings.photo_dir.rglob("*")]
    sha = metadata["sha256"]
    assert Path("originals", sha[:2], sha) in stored
    # (the server also anchors its audit chain beside the photos: audit-anchors/)
    kept = {"originals", "derived", "uploads", "tmp", "audit-anchors"}
    assert all(p.parts[0] in kept for p in stored)
    assert not any("passwd" in str(p) for p in stored)

    def stranger() -> None:
        # Without the officer's session, tuspy gets nowhere.
        other = Sha256Uploader(
            file_stream=io.BytesIO(data),
            client=TusClient(f"{server_url}/api/uploads"),
            metadata=metadata,
            upload_checksum=True,
        )
        other.upload()

    with pytest.raises((TusCommunicationError, TusUploadFailed)) as refused:
        await asyncio.to_thread(stranger)
    assert refused.value.status_code == 401
