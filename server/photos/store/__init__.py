"""Where photo bytes live: one contract (``PhotoStore``) with a filesystem and an S3 backend.

``contract`` holds the protocol and the values it speaks in, ``keys`` every name a store may
use, and ``filesystem`` and ``s3`` one backend each; ``create_store`` picks the backend the
settings ask for. The names other modules use are re-exported here, so callers import from
``server.photos.store`` and never depend on which module a backend lives in.
"""

from __future__ import annotations

from server.photos.store.contract import (
    READ_BLOCK,
    Assembled,
    Digest,
    PartMissing,
    PhotoStore,
    StoredPart,
    StoreError,
    assemble,
)
from server.photos.store.filesystem import FilesystemPhotoStore
from server.photos.store.keys import checked_key, derivative_key, original_key, part_name
from server.photos.store.s3 import S3PhotoStore
from server.s3 import s3_client
from server.settings import Settings

__all__ = [
    "READ_BLOCK",
    "Assembled",
    "Digest",
    "FilesystemPhotoStore",
    "PartMissing",
    "PhotoStore",
    "S3PhotoStore",
    "StoreError",
    "StoredPart",
    "assemble",
    "checked_key",
    "create_store",
    "derivative_key",
    "original_key",
    "part_name",
    "s3_client",
]


def create_store(settings: Settings) -> PhotoStore:
    """The photo store the settings ask for."""
    if settings.photo_store == "s3":
        return S3PhotoStore(s3_client(settings), settings.s3_bucket, settings.s3_prefix)
    return FilesystemPhotoStore(settings.photo_dir)
