"""Signed checkpoints of the audit chain, kept outside the database.

A chain, keyed or not, cannot show that its newest rows were deleted if the head is moved back
with them: whatever is left is a valid chain. So at intervals the newest row's id and hash are
written, signed, to a place the database cannot reach: the photo store (a folder, or the S3
bucket) under ``audit-anchors/``, or a folder of their own (``DOORSTEP_AUDIT_ANCHOR_DIR``,
e.g. a write-once mount). ``doorstep audit-verify`` then requires every anchored row to exist
with the anchored hash: deleting rows older than the newest anchor is found. Rows written since
the newest anchor are not covered, so the interval bounds what can go unnoticed.

Anchors are signed with an HMAC sub-key of the audit key rather than an asymmetric key: every
process that writes anchors would need the private key anyway, and checking an anchor is only
useful together with checking the chain, which needs the audit key. One secret to hold, rotate
and escrow, instead of two.

Names are ``audit-anchors/<id>-<hash prefix>.json``: every server anchoring the same head picks
the same name and skips it if it exists, so several workers can anchor on the same schedule.
The store has the photo store's method names (``put_bytes``, ``get_bytes``, ``exists``,
``keys``); the photo store itself only accepts its own key shapes, so anchors have their own
small backends over the same folder or bucket.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import random
import re
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from prometheus_client import Counter, Gauge

from server.audit.keys import ANCHOR, AuditKey, AuditKeys, audit_keys
from server.audit.models import AuditEvent
from server.clock import Clock
from server.s3 import s3_client
from server.settings import Settings

log = logging.getLogger("doorstep.audit.anchors")

ANCHOR_PREFIX = "audit-anchors/"
_NAME = re.compile(r"^audit-anchors/[0-9]{12}-[0-9a-f]{16}\.json$")

ANCHORS_WRITTEN = Counter(
    "doorstep_audit_anchors_total", "Audit anchor attempts by outcome.", ["outcome"]
)
LAST_ANCHORED = Gauge(
    "doorstep_audit_anchor_last_success_seconds",
    "Unix time of the last audit anchor written or found current (alert if it stops moving).",
    multiprocess_mode="max",
)


class AnchorStore(Protocol):
    """Where anchors are kept: small objects under ``audit-anchors/``."""

    async def put_bytes(self, key: str, data: bytes) -> None:
        """Store an object whole (readers never see half of it)."""
        ...

    async def get_bytes(self, key: str) -> bytes:
        """Read an object whole."""
        ...

    async def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``."""
        ...

    def keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix``, sorted (blocking)."""
        ...


def _checked(key: str) -> str:
    if not _NAME.match(key):
        raise ValueError("not an anchor name")
    return key


class FileAnchorStore:
    """Anchors as files under ``<root>/audit-anchors/``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    async def put_bytes(self, key: str, data: bytes) -> None:
        """Write to a temporary file, flush it to disk, then rename."""
        await asyncio.to_thread(self._put, self.root / _checked(key), data)

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    async def get_bytes(self, key: str) -> bytes:
        """Read a whole file."""
        return await asyncio.to_thread((self.root / _checked(key)).read_bytes)

    async def exists(self, key: str) -> bool:
        """Whether the file exists."""
        return await asyncio.to_thread((self.root / _checked(key)).is_file)

    def keys(self, prefix: str) -> list[str]:
        """Anchor files under the prefix (temporary files left out)."""
        folder = self.root / prefix
        if not folder.is_dir():
            return []
        return sorted(prefix + p.name for p in folder.iterdir() if not p.name.startswith("."))


class S3AnchorStore:
    """Anchors as objects under ``<prefix>audit-anchors/`` in a bucket (object lock advised)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    async def put_bytes(self, key: str, data: bytes) -> None:
        """PUT the object (S3 PUTs are atomic)."""
        full = self.prefix + _checked(key)
        await asyncio.to_thread(self.client.put_object, Bucket=self.bucket, Key=full, Body=data)

    async def get_bytes(self, key: str) -> bytes:
        """GET the object whole."""

        def get() -> bytes:
            obj = self.client.get_object(Bucket=self.bucket, Key=self.prefix + _checked(key))
            with contextlib.closing(obj["Body"]) as body:
                return bytes(body.read())

        return await asyncio.to_thread(get)

    async def exists(self, key: str) -> bool:
        """Whether the object is listed (a listing needs no HEAD error handling)."""
        return _checked(key) in await asyncio.to_thread(self.keys, key)

    def keys(self, prefix: str) -> list[str]:
        """Every key under the prefix."""
        found = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            found += [str(item["Key"])[len(self.prefix) :] for item in page.get("Contents", [])]
        return sorted(found)


def anchor_store(settings: Settings) -> AnchorStore:
    """``DOORSTEP_AUDIT_ANCHOR_DIR`` if set, else the photo store's folder or bucket."""
    if settings.audit_anchor_dir:
        return FileAnchorStore(Path(settings.audit_anchor_dir))
    if settings.photo_store == "s3":
        return S3AnchorStore(s3_client(settings), settings.s3_bucket, settings.s3_prefix)
    return FileAnchorStore(settings.photo_dir)


@dataclass(frozen=True)
class Anchor:
    """The newest audit row's id and hash at a moment, signed with the audit key."""

    last_id: int
    last_hash: str
    last_at: str
    anchored_at: str
    key_id: str
    version: int = 1

    @property
    def store_key(self) -> str:
        """Its name in the store: the same for everyone anchoring the same head."""
        return f"{ANCHOR_PREFIX}{self.last_id:012d}-{self.last_hash[:16]}.json"

    def _payload(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode()

    def signed(self, key: AuditKey) -> bytes:
        """The stored form: the fields and their signature."""
        signature = key.mac(ANCHOR, self._payload())
        return json.dumps({**asdict(self), "signature": signature}, sort_keys=True).encode()

    @classmethod
    def parse(cls, data: bytes, keys: AuditKeys) -> Anchor:
        """Read a stored anchor; ValueError unless it is well formed and validly signed."""
        doc = json.loads(data)
        if not isinstance(doc, dict) or set(doc) != {*cls.__dataclass_fields__, "signature"}:
            raise ValueError("unexpected fields")
        signature = doc.pop("signature")
        anchor = cls(**doc)
        if not (
            isinstance(anchor.last_id, int)
            and anchor.version == 1
            and all(isinstance(v, str) for v in (anchor.last_hash, anchor.key_id, signature))
        ):
            raise ValueError("unexpected values")
        rank = keys.rank(anchor.key_id)
        if rank is None:
            raise ValueError(f"signed with key {anchor.key_id}, which is not configured")
        expected = keys.at_rank(rank).mac(ANCHOR, anchor._payload())
        if not hmac.compare_digest(expected, signature):
            raise ValueError("bad signature")
        return anchor


async def read_anchors(store: AnchorStore, keys: AuditKeys) -> tuple[list[Anchor], list[str]]:
    """Every validly signed anchor, oldest first, and a finding for each one that is not."""
    names = [n for n in await asyncio.to_thread(store.keys, ANCHOR_PREFIX) if _NAME.match(n)]
    limit = asyncio.Semaphore(16)

    async def fetch(name: str) -> bytes:
        async with limit:
            return await store.get_bytes(name)

    blobs = await asyncio.gather(*(fetch(n) for n in names))
    anchors: list[Anchor] = []
    problems: list[str] = []
    by_id: dict[int, Anchor] = {}
    for name, blob in zip(names, blobs, strict=True):
        try:
            anchor = Anchor.parse(blob, keys)
            if anchor.store_key != name:
                raise ValueError("stored under another name")
        except (ValueError, TypeError) as exc:
            problems.append(f"anchor {name} is not validly signed ({exc})")
            continue
        other = by_id.setdefault(anchor.last_id, anchor)
        if other.last_hash != anchor.last_hash:
            problems.append(f"anchors disagree about row {anchor.last_id}")
        anchors.append(anchor)
    return anchors, problems


async def write_anchor(store: AnchorStore, keys: AuditKeys | None, now: datetime) -> Anchor | None:
    """Seal the chain if needed, then anchor its newest row; None if there was nothing new."""
    from server.audit.service import seal_chain

    keys = keys or audit_keys()
    await seal_chain(now, keys)
    last = await AuditEvent.all().order_by("-id").first()
    if last is None:
        return None
    anchor = Anchor(
        last.id, last.row_hash, last.at.isoformat(), now.isoformat(), keys.current.key_id
    )
    if await store.exists(anchor.store_key):
        return None
    await store.put_bytes(anchor.store_key, anchor.signed(keys.current))
    return anchor


async def anchor_periodically(
    store: AnchorStore,
    interval: float,
    clock: Clock,
    *,
    first_delay: float | None = None,
    keys: AuditKeys | None = None,
) -> None:
    """Anchor soon after start-up and then every ``interval`` seconds (jittered) until
    cancelled; a failure is logged and counted and the next round tries again."""
    delay = random.uniform(0.5, 2.0) if first_delay is None else first_delay  # noqa: S311
    while True:
        await asyncio.sleep(delay)
        delay = interval * random.uniform(0.8, 1.2)  # noqa: S311 - spreads workers apart
        try:
            anchor = await write_anchor(store, keys, clock.now())
        except Exception as exc:  # the server keeps serving; the next round retries
            ANCHORS_WRITTEN.labels("failed").inc()
            log.error("could not write an audit anchor", extra={"error": type(exc).__name__})
            continue
        ANCHORS_WRITTEN.labels("written" if anchor else "unchanged").inc()
        LAST_ANCHORED.set_to_current_time()
        if anchor is not None:
            log.info("audit anchor written", extra={"last_id": anchor.last_id})
