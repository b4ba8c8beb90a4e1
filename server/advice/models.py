"""The prevention advice catalogue: data the administrator edits, one record per item version.

Each version of an item is its own synchronised record (``advice_items``), so a visit's tick
``{"id", "version"}`` always names a record that exists, whatever happens to the item later:
an edit adds a version (the old one stops being ``current``), retiring marks the current
version ``retired``, and nothing is ever deleted. Officers' phones receive every version by
sync (PROTOCOL.md 2.1), so a leave-behind can show the advice exactly as it was ticked.
"""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields

from server.feed import SyncedRecord

# Record ids are derived from (item, version), so every server names a version the same way.
ADVICE_NAMESPACE = uuid.UUID("6d0f3c1e-5b1a-4f43-9c55-8e0a5e2b7c41")


def advice_record_id(item_id: str, version: int) -> uuid.UUID:
    """The record id of one version of one catalogue item."""
    return uuid.uuid5(ADVICE_NAMESPACE, f"{item_id}@{version}")


class AdviceItem(SyncedRecord):
    """One version of one catalogue item - a visit records the (item_id, version) it ticked."""

    feed_collection = "advice_items"
    # Locked after visits (0), their children (1) and reports (2): no writer holds both.
    lock_rank = 3

    item_id = fields.CharField(max_length=60)
    # The item's version ("version" alone is the record's place in the change feed).
    item_version = fields.IntField()
    category = fields.CharField(max_length=40)
    title = fields.CharField(max_length=160)
    body = fields.TextField()
    # Tags such as "wide" (window locks, interior timers, double locks, exterior lights).
    tags = fields.JSONField[list[Any]](default=list)
    position = fields.IntField(default=0)
    # Only the current version of an item is in force; retired items stay for old visits.
    current = fields.BooleanField(default=True)
    retired = fields.BooleanField(default=False)

    class Meta:
        table = "advice_catalogue"
        unique_together = (("item_id", "item_version"),)
