"""The prevention advice catalogue: data the administrator edits, versioned per item."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class AdviceItem(Model):
    """One version of one catalogue item - a visit records the (item_id, version) it ticked."""

    id = fields.IntField(primary_key=True)
    item_id = fields.CharField(max_length=60)
    version = fields.IntField()
    category = fields.CharField(max_length=40)
    title = fields.CharField(max_length=160)
    body = fields.TextField()
    # Tags such as "wide" (window locks, interior timers, double locks, exterior lights).
    tags = fields.JSONField[list[Any]](default=list)
    position = fields.IntField(default=0)
    # Only the current version of an item is in force; retired items stay for old visits.
    current = fields.BooleanField(default=True)
    retired = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "advice_item"
        unique_together = (("item_id", "version"),)
