"""Where photo bytes live: one contract (``PhotoStore``) with a filesystem and an S3 backend.

Every name in a store is made here from a SHA-256, an upload id, an offset or a random token,
never from anything a client sent, and every key is checked against ``_KEY`` before use:

- ``originals/<sha[:2]>/<sha>``: verified originals, content-addressed, byte-exact;
- ``derived/<sha[:2]>/<sha>/<kind>-<size>.jpg``: display copies and thumbnails;
- ``uploads/<upload id>/<offset>-<token>``: the chunks of an upload in progress;
- ``tmp/...`` (filesystem only): a file being assembled.

Upload state (offset, the list of accepted chunks) lives in the database, not here, so any
worker can carry on an upload another one started. The S3 backend keeps nothing on local disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import re
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

from server.settings import Settings

log = logging.getLogger("doorstep.photos.store")

READ_BLOCK = 1024 * 1024
# The filesystem backend writes in blocks of this size, off the event loop.
FS_WRITE_BUFFER = 1024 * 1024
# The S3 backend stores a chunk as objects of at most this size (its memory bound per PATCH).
S3_PIECE_BYTES = 4 * 1024 * 1024
# Parts of the multipart upload that assembles an original (S3's minimum is 5 MiB).
S3_PART_BYTES = 8 * 1024 * 1024

_KEY = re.compile(r"^(originals|derived|uploads|tmp)(/[a-z0-9][a-z0-9.\-]*)+$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_TOKEN = re.compile(r"^[0-9a-f]{8,32}$")


class StoreError(Exception):
    """The store could not do what was asked (a missing chunk, an unreachable bucket)."""


class PartMissing(StoreError):
    """A chunk the database lists is not in the store any more."""


@dataclass(frozen=True)
class StoredPart:
    """One stored piece of an upload: its name under ``uploads/<id>/`` and its size."""

    name: str
    size: int

    def to_json(self) -> dict[str, Any]:
        """The form kept in ``Upload.parts``."""
        return {"name": self.name, "size": self.size}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> StoredPart:
        """Read one entry of ``Upload.parts``."""
        return cls(str(raw["name"]), int(raw["size"]))


@dataclass(frozen=True)
class Assembled:
    """The result of joining an upload's chunks: the whole file's hash, and where it went.

    ``key`` is None when the hash did not match the declared one: nothing was stored.
    """

    sha256: str
    size: int
    key: str | None


def original_key(sha256: str) -> str:
    """The content-addressed key of a verified original."""
    if not _HEX64.match(sha256):
        raise ValueError("not a SHA-256 in lower-case hex")
    return f"originals/{sha256[:2]}/{sha256}"


def derivative_key(sha256: str, kind: str, size: int) -> str:
    """The key of a derivative (``display`` or ``thumb``) of the original with this hash."""
    if kind not in {"display", "thumb"}:
        raise ValueError("unknown derivative kind")
    return f"derived/{sha256[:2]}/{sha256}/{kind}-{int(size)}.jpg"


def part_name(offset: int, token: str) -> str:
    """The name of a chunk stored at ``offset`` by the PATCH holding ``token``."""
    if not _TOKEN.match(token):
        raise ValueError("bad token")
    return f"{int(offset):012d}-{token}"


def _upload_prefix(upload_id: str) -> str:
    return f"uploads/{upload_id.lower()}"


def checked_key(key: str) -> str:
    """Refuse any key not of the shapes this module makes (no ``..``, no client text)."""
    if not _KEY.match(key):
        raise ValueError("refused store key")
    return key


class PhotoStore(Protocol):
    """What the upload and photo services need from a place that keeps bytes."""

    kind: str

    async def write_chunk(
        self, upload_id: str, offset: int, token: str, body: AsyncIterator[bytes]
    ) -> list[StoredPart]:
        """Stream one PATCH body into the store as one or more parts (removed if it fails)."""
        ...

    async def discard_parts(self, upload_id: str, parts: Sequence[StoredPart]) -> None:
        """Remove parts that were written but not accepted (bad checksum, lost race)."""
        ...

    async def assemble(
        self, upload_id: str, parts: Sequence[StoredPart], expected_sha256: str
    ) -> Assembled:
        """Join the parts in order while hashing; store the original only if the hash matches."""
        ...

    async def delete_upload(self, upload_id: str) -> int:
        """Remove every part stored for an upload (accepted or not); return how many."""
        ...

    async def sweep(self, older_than: datetime) -> int:
        """Remove leftovers of assemblies interrupted before ``older_than``; return how many."""
        ...

    async def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``."""
        ...

    async def put_bytes(self, key: str, data: bytes) -> None:
        """Store a small object (a derivative) atomically."""
        ...

    async def get_bytes(self, key: str) -> bytes:
        """Read a small object (a derivative) whole."""
        ...

    def read(self, key: str) -> AsyncIterator[bytes]:
        """Stream an object in blocks (for responses)."""
        ...

    def open_sync(self, key: str) -> IO[bytes]:
        """A readable, seekable file of an object; blocking, so call it in a worker thread."""
        ...

    def keys(self, prefix: str) -> list[str]:
        """Every key under a prefix (tests and tooling; blocking)."""
        ...


# --- filesystem ------------------------------------------------------------------------------


class FilesystemPhotoStore:
    """Bytes under one directory on a local (or shared) disk, outside any web root."""

    kind = "fs"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / checked_key(key)

    async def write_chunk(
        self, upload_id: str, offset: int, token: str, body: AsyncIterator[bytes]
    ) -> list[StoredPart]:
        """Stream one PATCH body into a single part file, writing in 1 MiB blocks in a thread."""
        name = part_name(offset, token)
        path = self._path(f"{_upload_prefix(upload_id)}/{name}")
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        handle = await asyncio.to_thread(path.open, "xb")
        size = 0
        try:
            buffer = bytearray()
            async for data in body:
                buffer += data
                size += len(data)
                if len(buffer) >= FS_WRITE_BUFFER:
                    await asyncio.to_thread(handle.write, buffer)
                    buffer = bytearray()
            if buffer:
                await asyncio.to_thread(handle.write, buffer)
            # No fsync per chunk: if a chunk is lost in a crash, the whole-file hash fails and
            # the phone, which keeps the photo until it is verified, sends it again.
            await asyncio.to_thread(handle.close)
        except BaseException:
            handle.close()
            await asyncio.to_thread(_unlink, path)
            raise
        if size == 0:
            await asyncio.to_thread(_unlink, path)
            return []
        return [StoredPart(name, size)]

    async def discard_parts(self, upload_id: str, parts: Sequence[StoredPart]) -> None:
        """Remove parts that were not accepted."""
        prefix = _upload_prefix(upload_id)
        for part in parts:
            await asyncio.to_thread(_unlink, self._path(f"{prefix}/{part.name}"))

    async def assemble(
        self, upload_id: str, parts: Sequence[StoredPart], expected_sha256: str
    ) -> Assembled:
        """Copy the parts into a temporary file while hashing; rename it into place on a match."""
        return await asyncio.to_thread(self._assemble, upload_id, list(parts), expected_sha256)

    def _assemble(self, upload_id: str, parts: list[StoredPart], expected_sha256: str) -> Assembled:
        prefix = _upload_prefix(upload_id)
        tmp = self._path(f"tmp/{upload_id.lower()}-{secrets.token_hex(4)}")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        block = bytearray(READ_BLOCK)
        view = memoryview(block)
        try:
            with tmp.open("xb") as out:
                for part in parts:
                    try:
                        source = self._path(f"{prefix}/{part.name}").open("rb")
                    except FileNotFoundError as exc:
                        raise PartMissing(f"chunk {part.name} is missing") from exc
                    with source:
                        while n := source.readinto(block):
                            digest.update(view[:n])
                            out.write(view[:n])
                            size += n
                out.flush()
                # The phone deletes its copy once the photo is verified: be on disk first.
                os.fsync(out.fileno())
            actual = digest.hexdigest()
            if actual != expected_sha256:
                _unlink(tmp)
                return Assembled(actual, size, None)
            key = original_key(actual)
            final = self._path(key)
            if final.exists():
                _unlink(tmp)  # the same bytes are already stored: one blob per content
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(tmp, 0o440)  # originals are evidence: never rewritten in place
                os.replace(tmp, final)
                _fsync_dir(final.parent)
            return Assembled(actual, size, key)
        except BaseException:
            _unlink(tmp)
            raise

    async def delete_upload(self, upload_id: str) -> int:
        """Remove the upload's part directory."""
        return await asyncio.to_thread(self._delete_upload, upload_id)

    def _delete_upload(self, upload_id: str) -> int:
        folder = self._path(_upload_prefix(upload_id))
        removed = 0
        if folder.is_dir():
            for child in folder.iterdir():
                _unlink(child)
                removed += 1
            with contextlib.suppress(OSError):
                folder.rmdir()
        return removed

    async def sweep(self, older_than: datetime) -> int:
        """Remove temporary files of assemblies that never finished."""
        return await asyncio.to_thread(self._sweep, older_than.timestamp())

    def _sweep(self, cutoff: float) -> int:
        folder = self.root / "tmp"
        removed = 0
        if folder.is_dir():
            for child in folder.iterdir():
                with contextlib.suppress(FileNotFoundError):
                    if child.stat().st_mtime < cutoff:
                        _unlink(child)
                        removed += 1
        return removed

    async def exists(self, key: str) -> bool:
        """Whether the file exists."""
        return await asyncio.to_thread(self._path(key).is_file)

    async def put_bytes(self, key: str, data: bytes) -> None:
        """Write to a temporary name and rename, so readers never see half a file."""
        await asyncio.to_thread(self._put_bytes, key, data)

    def _put_bytes(self, key: str, data: bytes) -> None:
        final = self._path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, final)
        except BaseException:
            _unlink(Path(tmp))
            raise

    async def get_bytes(self, key: str) -> bytes:
        """Read a whole (small) file."""
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def read(self, key: str) -> AsyncIterator[bytes]:
        """Stream a file in 1 MiB blocks read in a thread."""
        handle = await asyncio.to_thread(self._path(key).open, "rb")
        try:
            while data := await asyncio.to_thread(handle.read, READ_BLOCK):
                yield data
        finally:
            handle.close()

    def open_sync(self, key: str) -> IO[bytes]:
        """Open the file for reading."""
        return self._path(key).open("rb")

    def keys(self, prefix: str) -> list[str]:
        """Every file under a prefix, as keys."""
        base = self.root / prefix.rstrip("/")
        if not base.exists():
            return []
        return sorted(str(p.relative_to(self.root)) for p in base.rglob("*") if p.is_file())


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- S3 --------------------------------------------------------------------------------------


class S3PhotoStore:
    """Bytes in an S3-compatible bucket; boto3 calls run in worker threads.

    A PATCH body is stored as objects of at most ``piece_bytes`` each, so a worker holds at most
    one piece of a chunk in memory and nothing on disk; completion streams the pieces back in
    order, hashing them, into a multipart upload addressed by the declared SHA-256, which is
    completed only if the hash matches (and aborted otherwise, so no object appears).
    """

    kind = "s3"

    def __init__(
        self,
        client: Any,
        bucket: str,
        prefix: str = "",
        *,
        piece_bytes: int = S3_PIECE_BYTES,
        part_bytes: int = S3_PART_BYTES,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.piece_bytes = piece_bytes
        self.part_bytes = part_bytes

    def _k(self, key: str) -> str:
        return self.prefix + checked_key(key)

    def _is_missing(self, exc: Exception) -> bool:
        response = getattr(exc, "response", None)
        if not isinstance(response, dict):
            return False
        code = str(response.get("Error", {}).get("Code", ""))
        return code in {"404", "NoSuchKey", "NotFound"}

    async def write_chunk(
        self, upload_id: str, offset: int, token: str, body: AsyncIterator[bytes]
    ) -> list[StoredPart]:
        """Store the body as pieces of at most ``piece_bytes``, each one PUT in a thread."""
        prefix = _upload_prefix(upload_id)
        parts: list[StoredPart] = []
        start = offset
        buffer = bytearray()

        async def flush(data: bytes) -> None:
            nonlocal start
            name = part_name(start, token)
            await asyncio.to_thread(
                self.client.put_object,
                Bucket=self.bucket,
                Key=self._k(f"{prefix}/{name}"),
                Body=data,
            )
            parts.append(StoredPart(name, len(data)))
            start += len(data)

        try:
            async for data in body:
                buffer += data
                while len(buffer) >= self.piece_bytes:
                    piece = bytes(buffer[: self.piece_bytes])
                    del buffer[: self.piece_bytes]
                    await flush(piece)
            if buffer:
                await flush(bytes(buffer))
        except BaseException:
            await self.discard_parts(upload_id, parts)
            raise
        return parts

    async def discard_parts(self, upload_id: str, parts: Sequence[StoredPart]) -> None:
        """Delete the pieces named."""
        prefix = _upload_prefix(upload_id)
        keys = [self._k(f"{prefix}/{p.name}") for p in parts]
        await asyncio.to_thread(self._delete_keys, keys)

    def _delete_keys(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            batch = keys[start : start + 1000]
            self.client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
            )

    async def assemble(
        self, upload_id: str, parts: Sequence[StoredPart], expected_sha256: str
    ) -> Assembled:
        """Stream the pieces into a multipart upload while hashing (bounded memory)."""
        return await asyncio.to_thread(self._assemble, upload_id, list(parts), expected_sha256)

    def _assemble(self, upload_id: str, parts: list[StoredPart], expected_sha256: str) -> Assembled:
        prefix = _upload_prefix(upload_id)
        key = original_key(expected_sha256)
        target = self._k(key)
        multipart = self.client.create_multipart_upload(Bucket=self.bucket, Key=target)
        upload = multipart["UploadId"]
        done: list[dict[str, Any]] = []
        digest = hashlib.sha256()
        size = 0
        buffer = bytearray()

        def send(data: bytes) -> None:
            number = len(done) + 1
            answer = self.client.upload_part(
                Bucket=self.bucket, Key=target, UploadId=upload, PartNumber=number, Body=data
            )
            done.append({"PartNumber": number, "ETag": answer["ETag"]})

        try:
            for part in parts:
                try:
                    obj = self.client.get_object(
                        Bucket=self.bucket, Key=self._k(f"{prefix}/{part.name}")
                    )
                except Exception as exc:
                    if self._is_missing(exc):
                        raise PartMissing(f"chunk {part.name} is missing") from exc
                    raise
                stream = obj["Body"]
                try:
                    while block := stream.read(READ_BLOCK):
                        digest.update(block)
                        size += len(block)
                        buffer += block
                        if len(buffer) >= self.part_bytes:
                            send(bytes(buffer))
                            buffer = bytearray()
                finally:
                    stream.close()
            actual = digest.hexdigest()
            if actual != expected_sha256 or self._exists(target):
                # A mismatch stores nothing; identical bytes already stored stay one blob.
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=target, UploadId=upload)
                return Assembled(actual, size, key if actual == expected_sha256 else None)
            if buffer or not done:
                send(bytes(buffer))
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=target,
                UploadId=upload,
                MultipartUpload={"Parts": done},
            )
            return Assembled(actual, size, key)
        except BaseException:
            with contextlib.suppress(Exception):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=target, UploadId=upload)
            raise

    async def delete_upload(self, upload_id: str) -> int:
        """Delete every object under the upload's prefix."""
        return await asyncio.to_thread(self._delete_prefix, _upload_prefix(upload_id) + "/")

    def _delete_prefix(self, prefix: str) -> int:
        keys = [self.prefix + k for k in self._list(prefix)]
        self._delete_keys(keys)
        return len(keys)

    def _list(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            for item in page.get("Contents", []):
                yield str(item["Key"])[len(self.prefix) :]

    async def sweep(self, older_than: datetime) -> int:
        """Abort multipart uploads of originals left behind by a worker that died."""
        return await asyncio.to_thread(self._sweep, older_than)

    def _sweep(self, older_than: datetime) -> int:
        removed = 0
        paginator = self.client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + "originals/"):
            for item in page.get("Uploads", []):
                initiated = item["Initiated"]
                if initiated.tzinfo is None:
                    initiated = initiated.replace(tzinfo=UTC)
                if initiated < older_than:
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=item["Key"], UploadId=item["UploadId"]
                    )
                    removed += 1
        return removed

    def _exists(self, full_key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=full_key)
        except Exception as exc:
            if self._is_missing(exc):
                return False
            raise
        return True

    async def exists(self, key: str) -> bool:
        """HEAD the object."""
        return await asyncio.to_thread(self._exists, self._k(key))

    async def put_bytes(self, key: str, data: bytes) -> None:
        """PUT a small object (S3 PUTs are atomic)."""
        await asyncio.to_thread(
            self.client.put_object, Bucket=self.bucket, Key=self._k(key), Body=data
        )

    async def get_bytes(self, key: str) -> bytes:
        """GET a small object whole."""

        def get() -> bytes:
            obj = self.client.get_object(Bucket=self.bucket, Key=self._k(key))
            with contextlib.closing(obj["Body"]) as body:
                return bytes(body.read())

        return await asyncio.to_thread(get)

    async def read(self, key: str) -> AsyncIterator[bytes]:
        """Stream an object in 1 MiB blocks, each read in a thread."""
        obj = await asyncio.to_thread(self.client.get_object, Bucket=self.bucket, Key=self._k(key))
        body = obj["Body"]
        try:
            while data := await asyncio.to_thread(body.read, READ_BLOCK):
                yield bytes(data)
        finally:
            body.close()

    def open_sync(self, key: str) -> IO[bytes]:
        """Download into a spooled temporary file (memory up to 8 MiB, then a temp file)."""
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        try:
            self.client.download_fileobj(self.bucket, self._k(key), spool)
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        return spool

    def keys(self, prefix: str) -> list[str]:
        """Every key under a prefix."""
        return sorted(self._list(prefix))


# --- factory ---------------------------------------------------------------------------------


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


def create_store(settings: Settings) -> PhotoStore:
    """The photo store the settings ask for."""
    if settings.photo_store == "s3":
        return S3PhotoStore(s3_client(settings), settings.s3_bucket, settings.s3_prefix)
    return FilesystemPhotoStore(settings.photo_dir)
