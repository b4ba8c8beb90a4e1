"""The photo settings: read from DOORSTEP_* variables, checked, and the store they choose."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.photos.store import FilesystemPhotoStore, S3PhotoStore, create_store
from server.settings import Settings, SettingsError


def test_photo_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.photo_store == "fs"
    assert settings.max_upload_bytes == 25 * 1024 * 1024
    assert settings.upload_expiry_seconds == 24 * 3600
    assert settings.max_image_pixels == 60_000_000
    assert settings.max_open_uploads == 50
    assert settings.image_decode_budget_bytes == 1_200_000_000
    assert isinstance(create_store(settings), FilesystemPhotoStore)


def test_photo_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings = Settings.from_env(
        {
            "DOORSTEP_PHOTO_DIR": "/srv/photos",
            "DOORSTEP_PHOTO_STORE": "S3",
            "DOORSTEP_S3_ENDPOINT_URL": "https://minio.internal:9000",
            "DOORSTEP_S3_BUCKET": "evidence",
            "DOORSTEP_S3_REGION": "eu-west-2",
            "DOORSTEP_S3_PREFIX": "force-a/doorstep/",
            "DOORSTEP_MAX_UPLOAD_BYTES": "10485760",
            "DOORSTEP_UPLOAD_EXPIRY_SECONDS": "3600",
            "DOORSTEP_MAX_IMAGE_PIXELS": "50000000",
            "DOORSTEP_MAX_OPEN_UPLOADS": "20",
            "DOORSTEP_IMAGE_DECODE_BUDGET_BYTES": "536870912",
        }
    )
    assert settings.photo_dir == Path("/srv/photos")
    assert (settings.photo_store, settings.s3_bucket, settings.s3_prefix) == (
        "s3",
        "evidence",
        "force-a/doorstep/",
    )
    assert settings.s3_endpoint_url == "https://minio.internal:9000"
    assert settings.s3_region == "eu-west-2"
    assert settings.max_upload_bytes == 10 * 1024 * 1024
    assert settings.upload_expiry_seconds == 3600
    assert settings.max_image_pixels == 50_000_000
    assert settings.max_open_uploads == 20
    assert settings.image_decode_budget_bytes == 512 * 1024 * 1024
    store = create_store(settings)  # no network call is made to build it
    assert isinstance(store, S3PhotoStore)
    assert store.bucket == "evidence"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DOORSTEP_PHOTO_STORE": "ftp"}, "fs or s3"),
        ({"DOORSTEP_PHOTO_STORE": "s3"}, "DOORSTEP_S3_BUCKET is required"),
        ({"DOORSTEP_S3_PREFIX": "../x"}, "DOORSTEP_S3_PREFIX"),
        ({"DOORSTEP_S3_PREFIX": "a/../"}, "DOORSTEP_S3_PREFIX"),
        ({"DOORSTEP_S3_PREFIX": "no-slash"}, "ending"),
        ({"DOORSTEP_MAX_UPLOAD_BYTES": "lots"}, "whole number"),
        ({"DOORSTEP_MAX_IMAGE_PIXELS": "10"}, "at least"),
        ({"DOORSTEP_MAX_OPEN_UPLOADS": "0"}, "at least 1"),
        ({"DOORSTEP_IMAGE_DECODE_BUDGET_BYTES": "1000000"}, "at least 16777216"),
    ],
)
def test_bad_photo_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)
