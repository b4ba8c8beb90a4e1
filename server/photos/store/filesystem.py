"""The filesystem photo store: bytes under one directory on a local (or shared) disk.

For one machine (``DOORSTEP_PHOTO_STORE=fs``). Files are written off the event loop; an
original is assembled in ``tmp/``, fsynced, made read-only and hard-linked into place, which
fails rather than replace a file already there: a reader never sees half a file and no
original is ever rewritten or replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO

from server.photos.store.contract import READ_BLOCK, Assembled, PartMissing, StoredPart
from server.photos.store.keys import checked_key, original_key, part_name, upload_prefix

# The filesystem backend writes in blocks of this size, off the event loop.
FS_WRITE_BUFFER = 1024 * 1024


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
        path = self._path(f"{upload_prefix(upload_id)}/{name}")
        handle = await asyncio.to_thread(_create, path)
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
        prefix = upload_prefix(upload_id)
        for part in parts:
            await asyncio.to_thread(_unlink, self._path(f"{prefix}/{part.name}"))

    async def stage(
        self, upload_id: str, parts: Sequence[StoredPart], expected_sha256: str
    ) -> Assembled:
        """Copy the parts into a temporary file while hashing, fsynced; kept there if it matches."""
        return await asyncio.to_thread(self._stage, upload_id, list(parts), expected_sha256)

    def _stage(self, upload_id: str, parts: list[StoredPart], expected_sha256: str) -> Assembled:
        prefix = upload_prefix(upload_id)
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
            if self._path(key).exists():
                _unlink(tmp)  # the same bytes are already stored: one blob per content
                return Assembled(actual, size, key)
            os.chmod(tmp, 0o440)  # originals are evidence: never rewritten in place
            return Assembled(actual, size, key, staged=tmp)
        except BaseException:
            _unlink(tmp)
            raise

    async def promote(self, assembled: Assembled) -> None:
        """Hard-link the staged file at its key (which fails if anything is there), then drop
        the temporary name: an original is never replaced, even by a racing twin."""
        if isinstance(assembled.staged, Path) and assembled.key is not None:
            await asyncio.to_thread(self._promote, assembled.staged, assembled.key)

    def _promote(self, staged: Path, key: str) -> None:
        final = self._path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(staged, final)
        except FileExistsError:
            pass  # the same content arrived first by another upload: keep that file as it is
        else:
            _fsync_dir(final.parent)
        _unlink(staged)

    async def discard(self, assembled: Assembled) -> None:
        """Remove the staged temporary file."""
        if isinstance(assembled.staged, Path):
            await asyncio.to_thread(_unlink, assembled.staged)

    async def delete_upload(self, upload_id: str) -> int:
        """Remove the upload's part directory."""
        return await asyncio.to_thread(self._delete_upload, upload_id)

    def _delete_upload(self, upload_id: str) -> int:
        folder = self._path(upload_prefix(upload_id))
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

    async def erase(self, key: str) -> int:
        """Unlink the file, or every file under the folder ``key`` (erasure)."""
        return await asyncio.to_thread(self._erase, key)

    def _erase(self, key: str) -> int:
        path = self._path(key)
        if path.is_file():
            _unlink(path)
            return 1
        if not path.is_dir():
            return 0
        files = [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            _unlink(file)
        for folder in sorted((p for p in path.rglob("*") if p.is_dir()), reverse=True):
            with contextlib.suppress(OSError):
                folder.rmdir()
        with contextlib.suppress(OSError):
            path.rmdir()
        return len(files)

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


def _create(path: Path) -> IO[bytes]:
    """Open a new file for writing (its folder made if need be); fails if it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("xb")


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
