"""The S3 photo store: bytes in an S3-compatible bucket, nothing on local disk.

For several workers (``DOORSTEP_PHOTO_STORE=s3``); boto3 is blocking, so every call runs in a
worker thread, and memory per request stays bounded by the piece and part sizes below.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import tempfile
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from server.photos.store.contract import READ_BLOCK, Assembled, Digest, PartMissing, StoredPart
from server.photos.store.keys import checked_key, original_key, part_name, upload_prefix

# The S3 backend stores a chunk as objects of at most this size (its memory bound per PATCH).
S3_PIECE_BYTES = 4 * 1024 * 1024
# Parts of the multipart upload that assembles an original (S3's minimum is 5 MiB).
S3_PART_BYTES = 8 * 1024 * 1024


# What S3 answers when a conditional write finds an object already at the key (412), or
# races another conditional write to it (409).
_ALREADY_THERE = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}


@dataclass
class _Multipart:
    """A staged original: an open multipart upload, every part sent, ready to complete."""

    key: str
    upload_id: str
    parts: list[dict[str, Any]] = field(default_factory=list)


class S3PhotoStore:
    """Bytes in an S3-compatible bucket; boto3 calls run in worker threads.

    A PATCH body is stored as objects of at most ``piece_bytes`` each, so a worker holds at most
    one piece of a chunk in memory and nothing on disk; completion streams the pieces back in
    order, hashing them, into a multipart upload addressed by the declared SHA-256, which is
    completed only if the hash matches and the photo is verified (aborted otherwise, so no
    object appears), and then only if no object has that key yet.
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
        self,
        upload_id: str,
        offset: int,
        token: str,
        body: AsyncIterator[bytes],
        digests: Sequence[Digest] = (),
    ) -> list[StoredPart]:
        """Store the body as pieces of at most ``piece_bytes``, each one hashed and PUT in a
        thread."""
        prefix = upload_prefix(upload_id)
        parts: list[StoredPart] = []
        start = offset
        buffer = bytearray()

        def put(key: str, data: bytes) -> None:
            for digest in digests:
                digest.update(data)
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

        async def flush(data: bytes) -> None:
            nonlocal start
            name = part_name(start, token)
            await asyncio.to_thread(put, self._k(f"{prefix}/{name}"), data)
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
        prefix = upload_prefix(upload_id)
        keys = [self._k(f"{prefix}/{p.name}") for p in parts]
        await asyncio.to_thread(self._delete_keys, keys)

    def _delete_keys(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            batch = keys[start : start + 1000]
            self.client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
            )

    async def stage(
        self,
        upload_id: str,
        parts: Sequence[StoredPart],
        expected_sha256: str,
        known_sha256: str | None = None,
    ) -> Assembled:
        """Stream the pieces into a multipart upload while hashing (bounded memory), every
        part sent but the upload left open: the original appears only when promoted.

        The pieces are read back whatever ``known_sha256`` says (the bytes must be sent to
        the multipart upload anyway), so they are hashed as they go."""
        return await asyncio.to_thread(self._stage, upload_id, list(parts), expected_sha256)

    def _stage(self, upload_id: str, parts: list[StoredPart], expected_sha256: str) -> Assembled:
        prefix = upload_prefix(upload_id)
        key = original_key(expected_sha256)
        target = self._k(key)
        multipart = self.client.create_multipart_upload(Bucket=self.bucket, Key=target)
        staged = _Multipart(target, multipart["UploadId"])
        digest = hashlib.sha256()
        size = 0
        buffer = bytearray()
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
                            self._send(staged, bytes(buffer))
                            buffer = bytearray()
                finally:
                    stream.close()
            actual = digest.hexdigest()
            if actual != expected_sha256 or self._exists(target):
                # A mismatch stores nothing; identical bytes already stored stay one blob.
                self._abort(staged)
                return Assembled(actual, size, key if actual == expected_sha256 else None)
            if buffer or not staged.parts:
                self._send(staged, bytes(buffer))
            return Assembled(actual, size, key, staged=staged)
        except BaseException:
            with contextlib.suppress(Exception):
                self._abort(staged)
            raise

    def _send(self, staged: _Multipart, data: bytes) -> None:
        number = len(staged.parts) + 1
        answer = self.client.upload_part(
            Bucket=self.bucket,
            Key=staged.key,
            UploadId=staged.upload_id,
            PartNumber=number,
            Body=data,
        )
        staged.parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def _abort(self, staged: _Multipart) -> None:
        self.client.abort_multipart_upload(
            Bucket=self.bucket, Key=staged.key, UploadId=staged.upload_id
        )

    async def promote(self, assembled: Assembled) -> None:
        """Complete the multipart upload only if no object has the key (``If-None-Match: *``):
        an original already there, however it got there, is never replaced."""
        if isinstance(assembled.staged, _Multipart):
            await asyncio.to_thread(self._promote, assembled.staged)

    def _promote(self, staged: _Multipart) -> None:
        try:
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=staged.key,
                UploadId=staged.upload_id,
                MultipartUpload={"Parts": staged.parts},
                IfNoneMatch="*",
            )
        except Exception as exc:
            code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
            if code not in _ALREADY_THERE or not self._exists(staged.key):
                raise
            # The same content was stored first by another upload: keep that object.
            with contextlib.suppress(Exception):
                self._abort(staged)

    async def discard(self, assembled: Assembled) -> None:
        """Abort the multipart upload: its parts go, and no object ever appeared."""
        if isinstance(assembled.staged, _Multipart):
            await asyncio.to_thread(self._abort, assembled.staged)

    async def delete_upload(self, upload_id: str) -> int:
        """Delete every object under the upload's prefix."""
        return await asyncio.to_thread(self._delete_prefix, upload_prefix(upload_id) + "/")

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

    async def erase(self, key: str) -> int:
        """Delete the object, or every object under ``key/``, with every stored version."""
        return await asyncio.to_thread(self._erase, self._k(key))

    def _erase(self, full_key: str) -> int:
        """Versions and delete markers both go, so a versioned bucket keeps nothing back."""
        found: list[dict[str, str]] = []
        paginator = self.client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=full_key):
            for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                name = str(item["Key"])
                if name == full_key or name.startswith(full_key + "/"):
                    found.append({"Key": name, "VersionId": str(item["VersionId"])})
        for start in range(0, len(found), 1000):
            self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": found[start : start + 1000], "Quiet": True}
            )
        return len({f["Key"] for f in found})

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
