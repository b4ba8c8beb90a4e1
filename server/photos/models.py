"""Photo metadata (the bytes arrive separately by resumable upload) and the uploads' state."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from server.feed import SyncedRecord
from server.photos.enums import PhotoCategory, PhotoStatus

if TYPE_CHECKING:
    from server.visits.models import Visit


class DerivativeStatus(StrEnum):
    """Whether the display copy and thumbnail of a verified original exist."""

    NONE = "none"  # no verified original yet
    PENDING = "pending"  # original verified, derivatives not made yet
    READY = "ready"
    FAILED = "failed"  # the original could not be decoded; it is kept unchanged


class Photo(SyncedRecord):
    """One evidential photo: what the officer declared, and whether the bytes are verified."""

    feed_collection = "photos"

    visit: fields.ForeignKeyRelation[Visit] = fields.ForeignKeyField(
        "doorstep.Visit", related_name="photos", on_delete=fields.RESTRICT, db_index=True
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

    # Server-kept facts about the verified original (never written by the phone).
    original_key = fields.CharField(max_length=200, null=True)
    original_sha256 = fields.CharField(max_length=64, null=True)
    original_content_type = fields.CharField(max_length=40, null=True)
    original_bytes = fields.BigIntField(null=True)
    display_key = fields.CharField(max_length=200, null=True)
    thumb_key = fields.CharField(max_length=200, null=True)
    derivative_status = fields.CharEnumField(
        DerivativeStatus, max_length=8, default=DerivativeStatus.NONE
    )
    derivative_message = fields.CharField(max_length=200, null=True)

    class Meta:
        table = "photo"


class UploadState(StrEnum):
    """Where one tus upload is."""

    OPEN = "open"  # receiving chunks
    COMPLETE = "complete"  # every byte arrived and the whole file matched its SHA-256
    FAILED = "failed"  # every byte arrived but the whole file did not match
    EXPIRED = "expired"  # abandoned, and its chunks removed


class Upload(Model):
    """The state of one resumable upload, kept in the database so any worker can resume it.

    ``upload_offset`` only moves by a conditional UPDATE made by the holder of ``lock_token``,
    so two PATCHes racing on one upload cannot both append.
    """

    id = fields.UUIDField(primary_key=True)
    photo: fields.ForeignKeyRelation[Photo] = fields.ForeignKeyField(
        "doorstep.Photo", related_name="uploads", on_delete=fields.RESTRICT
    )
    officer_id = fields.UUIDField()
    upload_length = fields.BigIntField()
    upload_offset = fields.BigIntField(default=0)
    sha256 = fields.CharField(max_length=64)
    content_type = fields.CharField(max_length=40)
    state = fields.CharEnumField(UploadState, max_length=8, default=UploadState.OPEN)
    message = fields.CharField(max_length=200, null=True)
    # The accepted chunks in order: [{"name": store part name, "size": bytes}].
    parts = fields.JSONField[list[Any]](default=list)
    lock_token = fields.CharField(max_length=32, null=True)
    locked_until = fields.DatetimeField(null=True)
    # True once the chunks in the store are gone (after completion, failure or expiry).
    purged = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "photo_upload"
        # (officer_id, state, expires_at): counting an officer's open uploads (the cap). At
        # most one open upload per photo is a partial unique index, made with the triggers
        # that keep a verified original unchanged by the migration ``*_evidence_immutable``
        # (the ORM can describe neither).
        indexes = (
            ("state", "expires_at"),
            ("purged", "expires_at"),
            ("officer_id", "state", "expires_at"),
        )
