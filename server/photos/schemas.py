"""The photo at the edge: its record as the phone syncs it, and the tus ``Upload-Metadata``.

``PhotoRecord`` is the ``photos`` collection's sync schema (its leaves are the paths a phone may
write); the bytes themselves arrive separately by tus, described by ``UploadMetadata``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.photos.enums import PhotoCategory
from server.validation import Strict, Timestamp

ContentType = Literal["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"]
# Keys browser tus clients add on their own; accepted and never used.
IGNORED_METADATA_KEYS = frozenset({"filename", "filetype"})


class PhotoRecord(Strict):
    """A photo's metadata; its bytes arrive by resumable upload and are checked against sha256."""

    visit_id: Annotated[str, Field(pattern=r"^[0-9a-fA-F\-]{36}$")] | None = None
    category: PhotoCategory | None = None
    caption: Annotated[str, Field(max_length=500)] | None = None
    taken_at: Timestamp | None = None
    byte_size: Annotated[int, Field(ge=1, le=200 * 1024 * 1024)] | None = None
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    content_type: Annotated[str, Field(pattern=r"^image/(jpeg|png|webp|heic|heif)$")] | None = None


class UploadMetadata(BaseModel):
    """Which photo the bytes are for, and what the phone says they are."""

    model_config = ConfigDict(extra="forbid")

    photo_id: uuid.UUID
    visit_id: uuid.UUID
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    content_type: ContentType
