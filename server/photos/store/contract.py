"""The contract every photo store keeps, and the values and errors it speaks in.

Upload state (offset, the list of accepted chunks) lives in the database, not in a store, so
any worker can carry on an upload another one started; a store only keeps bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, Protocol

# Both backends read, copy and stream objects in blocks of this size.
READ_BLOCK = 1024 * 1024


class Digest(Protocol):
    """A running hash (``hashlib.sha256()``): a store feeds it every byte it stores."""

    def update(self, data: bytes, /) -> None:
        """Hash ``data`` after everything given before."""


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
    """The result of joining an upload's chunks: the whole file's hash, and where it goes.

    ``key`` is None when the hash did not match the declared one: nothing was stored.
    ``staged`` is the backend's handle on assembled bytes not yet in place (a temporary file,
    an open multipart upload): ``promote`` puts them at ``key``, ``discard`` drops them. It is
    None when there is nothing to put: a mismatch, or these very bytes already stored.
    """

    sha256: str
    size: int
    key: str | None
    staged: object = None


class PhotoStore(Protocol):
    """What the upload and photo services need from a place that keeps bytes."""

    kind: str

    async def write_chunk(
        self,
        upload_id: str,
        offset: int,
        token: str,
        body: AsyncIterator[bytes],
        digests: Sequence[Digest] = (),
    ) -> list[StoredPart]:
        """Stream one PATCH body into the store as one or more parts (removed if it fails).

        Every byte stored is fed to each of ``digests`` in order, in the same worker-thread
        step that stores it, so a digest describes exactly the bytes in the parts returned.
        """
        ...

    async def discard_parts(self, upload_id: str, parts: Sequence[StoredPart]) -> None:
        """Remove parts that were written but not accepted (bad checksum, lost race)."""
        ...

    async def stage(
        self,
        upload_id: str,
        parts: Sequence[StoredPart],
        expected_sha256: str,
        known_sha256: str | None = None,
    ) -> Assembled:
        """Join the parts in order while hashing, set aside: nothing appears under ``key`` yet.

        ``known_sha256`` is the SHA-256 of the parts' bytes as this same request stored them
        (``write_chunk``'s digests): in practice a whole file sent in one PATCH. It proves
        those bytes only while they cannot have changed since, so a store trusts it only to
        take over a single part at once (the filesystem renames it into place: no copy, no
        second read), to find these very bytes already stored, or to refuse without reading
        (it does not match). Parts that waited
        in the store between requests are always hashed again as they are joined. The
        caller then promotes (the photo is verified) or discards (it is not, after all).
        """
        ...

    async def promote(self, assembled: Assembled) -> None:
        """Put staged bytes in place at ``assembled.key``, never replacing an object there.

        An original is content-addressed: an object already at its key holds the same bytes
        and may be another photo's evidence, so it is left exactly as it is.
        """
        ...

    async def discard(self, assembled: Assembled) -> None:
        """Drop staged bytes that will not be promoted (nothing is ever removed from ``key``)."""
        ...

    async def delete_upload(self, upload_id: str) -> int:
        """Remove every part stored for an upload (accepted or not); return how many."""
        ...

    async def sweep(self, older_than: datetime) -> int:
        """Remove leftovers of assemblies interrupted before ``older_than``; return how many."""
        ...

    async def erase(self, key: str) -> int:
        """Remove an object, or every object under ``key/``, for good; return how many.

        For lawful erasure (``server.retention``) only: on a versioned bucket every stored
        version goes too. Nothing there is not an error.
        """
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


async def assemble(
    store: PhotoStore,
    upload_id: str,
    parts: Sequence[StoredPart],
    expected_sha256: str,
    known_sha256: str | None = None,
) -> Assembled:
    """Stage and promote at once (tooling and tests; uploads promote inside their commit)."""
    assembled = await store.stage(upload_id, parts, expected_sha256, known_sha256)
    await store.promote(assembled)
    return assembled
