"""Photo stores for the tests: a new bucket on the moto S3 server, or a second store instance."""

from __future__ import annotations

import dataclasses
import uuid

from server.photos.store import FilesystemPhotoStore, PhotoStore, S3PhotoStore, s3_client
from server.settings import Settings

S3_REGION = "us-east-1"


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


def store_for(settings: Settings) -> PhotoStore:
    """A fresh store instance on the same place (as another worker would have)."""
    if settings.photo_store == "s3":
        return S3PhotoStore(s3_client(settings), settings.s3_bucket, settings.s3_prefix)
    return FilesystemPhotoStore(settings.photo_dir)
