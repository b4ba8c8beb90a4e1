"""The S3 client every part that keeps objects shares (photo store, audit anchors)."""

from __future__ import annotations

from typing import Any

from server.settings import Settings


def s3_client(settings: Settings) -> Any:
    """A boto3 S3 client for the settings; credentials come from the AWS_* environment."""
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]

    config = Config(
        retries={"max_attempts": 5, "mode": "standard"},
        max_pool_connections=32,
        # Self-hosted S3 (MinIO, Ceph, moto) answers on one host: use path-style addressing.
        s3={"addressing_style": "path" if settings.s3_endpoint_url else "auto"},
    )
    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region or None,
        config=config,
    )
