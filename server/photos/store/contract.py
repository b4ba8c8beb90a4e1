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
