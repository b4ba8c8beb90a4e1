"""Photo metadata (the bytes arrive separately by resumable upload)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from server.syncing.records import SyncedRecord
from server.visits.enums import PhotoCategory, PhotoStatus

if TYPE_CHECKING:
    from server.visits.models import Visit


class Photo(SyncedRecord):
    """One evidential photo: what the officer declared, and whether the bytes are verified."""

    visit: fields.ForeignKeyRelation[Visit] = fields.ForeignKeyField(
        "doorstep.Visit", related_name="photos", on_delete=fields.RESTRICT
    )
    category = fields.CharEnumField(PhotoCategory, max_length=16, null=True)
    caption = fields.CharField(max_length=500, null=True)
    taken_at = fields.DatetimeField(null=True)
    byte_size = fields.BigIntField(null=True)
    sha256 = fields.CharField(max_length=64, null=True)
    content_type = fields.CharField(max_length=40, null=True)
    status = fields.CharEnumField(PhotoStatus, max_length=12, default=PhotoStatus.PENDING)
    status_message = fields.CharField(max_length=200, null=True)
    verified_at = fields.DatetimeField(null=True)

    class Meta:
        table = "photo"
