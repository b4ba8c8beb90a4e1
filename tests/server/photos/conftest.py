"""Photo fixtures: the app's settings on a store of either kind, and moto's S3 server.

The S3 half talks to moto's standalone server, started once per run on 127.0.0.1, so boto3
speaks real S3 over HTTP; each test gets its own bucket.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.ports import HOST, free_port
from server.settings import Settings
from tests.support.photos import S3_REGION, s3_settings


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
        server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
        server.start()
        try:
            yield f"http://{HOST}:{port}"
        finally:
            server.stop()


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
