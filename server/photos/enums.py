"""What a photo shows and where its bytes are: the photo's own enumerations, used by its table,
its sync schema and the upload services."""

from __future__ import annotations

from enum import StrEnum


class PhotoCategory(StrEnum):
    """What a photo shows."""

    SCENE_OVERVIEW = "scene_overview"
    POINT_OF_ENTRY = "point_of_entry"
    DAMAGE = "damage"
    FOOTWEAR_MARK = "footwear_mark"
    PROPERTY = "property"
    OTHER = "other"


class PhotoStatus(StrEnum):
    """Where a photo's bytes are: announced, arriving, verified, or failed verification."""

    PENDING = "pending"
    UPLOADING = "uploading"
    VERIFIED = "verified"
    FAILED = "failed"
