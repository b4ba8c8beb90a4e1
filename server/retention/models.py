"""What erasure leaves to do outside the database: photo objects still to remove."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ErasureObject(Model):
    """A photo store object (or folder of objects) an erasure still has to remove.

    Queued in the erasing transaction and removed from the store after it commits; a run of
    ``doorstep retention --apply`` retries whatever a failure (an unreachable bucket) left,
    so an erased photo's bytes cannot outlive the erasure unnoticed. The row goes once the
    object is gone.
    """

    key = fields.CharField(max_length=200, primary_key=True)
    queued_at = fields.DatetimeField()

    class Meta:
        table = "erasure_object"
