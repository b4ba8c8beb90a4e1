"""The tus ``Upload-Metadata`` a phone sends when it creates an upload."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

ContentType = Literal["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"]
# Keys browser tus clients add on their own; accepted and never used.
IGNORED_METADATA_KEYS = frozenset({"filename", "filetype"})


class UploadMetadata(BaseModel):
    """Which photo the bytes are for, and what the phone says they are."""

    model_config = ConfigDict(extra="forbid")

    photo_id: uuid.UUID
    visit_id: uuid.UUID
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    content_type: ContentType
