"""Removing an erased visit's photo bytes from the store: originals, derivatives, upload chunks.

Originals and derivatives are content-addressed by SHA-256, so two photos of the same bytes
share them: an object is removed only if no photo outside the erasure names that hash (as its
verified original, or as the hash it declared for an upload still to come). The erasing
transaction queues the keys (``ErasureObject``); they are removed after it commits, and any
left by a failure are retried by the next ``doorstep retention --apply``. Log lines name no
key: a key holds a photo's hash.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from server.photos.models import Photo, Upload
from server.photos.store import PhotoStore, original_key
from server.retention.models import ErasureObject

log = logging.getLogger("doorstep.retention")


def content_keys(sha256: str) -> list[str]:
    """The original with this hash and the folder of its derivatives."""
    return [original_key(sha256), f"derived/{sha256[:2]}/{sha256}"]


async def _shared(connection: BaseDBAsyncClient | None, hashes: set[str]) -> set[str]:
    """Which of these hashes a photo or an upload still names."""
    if not hashes:
        return set()
    listed = sorted(hashes)
    # Deleted photos too: until they are erased themselves, their originals are kept.
    photos = Photo.filter(Q(original_sha256__in=listed) | Q(sha256__in=listed))
    uploads = Upload.filter(sha256__in=listed)
    if connection is not None:
        photos, uploads = photos.using_db(connection), uploads.using_db(connection)
    named = {str(h) for h in await photos.values_list("original_sha256", flat=True) if h}
    named |= {str(h) for h in await photos.values_list("sha256", flat=True) if h}
    named |= {str(h) for h in await uploads.values_list("sha256", flat=True)}
    return named & hashes


async def queue_objects(
    connection: BaseDBAsyncClient, hashes: set[str], upload_ids: Iterable[str], now: datetime
) -> list[str]:
    """Queue the objects of these hashes no one else names, and these uploads' chunks.

    Called inside the erasing transaction after the visit's own photos and uploads are gone
    from the tables, so whatever still names a hash belongs to another visit.
    """
    keep = await _shared(connection, hashes)
    keys = [key for sha in sorted(hashes - keep) for key in content_keys(sha)]
    keys += [f"uploads/{upload_id}" for upload_id in sorted(upload_ids)]
    queued = {
        str(k)
        for k in await ErasureObject.filter(key__in=keys)
        .using_db(connection)
        .values_list("key", flat=True)
    }
    await ErasureObject.bulk_create(
        [ErasureObject(key=k, queued_at=now) for k in keys if k not in queued], using_db=connection
    )
    return keys


def _hash_of(key: str) -> str | None:
    parts = key.split("/")
    return parts[2] if parts[0] in {"originals", "derived"} and len(parts) >= 3 else None


async def remove_objects(store: PhotoStore, keys: Iterable[str] | None = None) -> tuple[int, int]:
    """Remove queued objects (these keys, or every one queued); return (removed, still queued).

    A hash that a photo has named again since it was queued (the same bytes uploaded for
    another visit) is left in the store and dropped from the queue.
    """
    queue = ErasureObject.all() if keys is None else ErasureObject.filter(key__in=list(keys))
    rows = await queue.order_by("key")
    hashes = {h for r in rows if (h := _hash_of(r.key))}
    keep = await _shared(None, hashes)
    removed = failed = 0
    for row in rows:
        if _hash_of(row.key) not in keep:
            try:
                removed += await store.erase(row.key)
            except Exception:
                failed += 1
                log.warning("a photo object could not be erased yet; it stays queued")
                continue
        await ErasureObject.filter(key=row.key).delete()
    return removed, failed
