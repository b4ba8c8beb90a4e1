"""Running whole-file SHA-256 of uploads in progress, so completion need not read them back.

Each PATCH feeds its bytes to the hash of everything accepted before it, in the same worker
step that stores them (``store.write_chunk``). Once the chunk is accepted the hash is kept
here, in this worker's memory, beside the exact list of parts it covers; the next chunk
carries on from a copy of it only if the upload's accepted parts are still that list (the
database's, read under the chunk's lock). A part's name is made from its PATCH's lock token
and its file is never written again, so a hash kept for a list of names describes those
parts' bytes. At the last chunk the whole file's hash is then known, and the store can stage
the parts without hashing them again (``PhotoStore.stage``'s ``known_sha256``).

Nothing here is durable or shared: a chunk taken by another worker, after a restart, or after
an eviction finds no kept hash, and completion hashes the parts as it joins them, as always.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

# Open uploads whose running hash a worker keeps (each a few hundred bytes); the least
# recently used goes first.
KEPT_UPLOADS = 4096

Sha256 = Any  # hashlib's HASH object (its class is private)


def _covered(parts: Sequence[dict[str, Any]]) -> tuple[tuple[str, int], ...]:
    return tuple((str(p["name"]), int(p["size"])) for p in parts)


class RunningHashes:
    """The running SHA-256 of each open upload, by upload id, with the parts it covers."""

    def __init__(self, limit: int = KEPT_UPLOADS) -> None:
        self._limit = limit
        self._kept: OrderedDict[uuid.UUID, tuple[tuple[tuple[str, int], ...], Sha256]] = (
            OrderedDict()
        )

    def resume(self, upload_id: uuid.UUID, accepted: Sequence[dict[str, Any]]) -> Sha256 | None:
        """A hash of the ``accepted`` parts to carry on from (a fresh one when there are
        none yet), or None if this worker has none for exactly those parts."""
        if not accepted:
            return hashlib.sha256()
        kept = self._kept.get(upload_id)
        if kept is None or kept[0] != _covered(accepted):
            return None
        return kept[1].copy()

    def keep(
        self, upload_id: uuid.UUID, accepted: Sequence[dict[str, Any]], digest: Sha256
    ) -> None:
        """Remember ``digest`` as the hash of exactly the ``accepted`` parts."""
        self._kept[upload_id] = (_covered(accepted), digest)
        self._kept.move_to_end(upload_id)
        while len(self._kept) > self._limit:
            self._kept.popitem(last=False)

    def forget(self, upload_id: uuid.UUID) -> None:
        """Drop an upload's hash (its last chunk has come)."""
        self._kept.pop(upload_id, None)


# This worker's running hashes (one event loop per worker process touches them).
running_hashes = RunningHashes()
