"""What the sync engine keeps: clients with their acknowledged seq and every mutation received."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from server.auth.models import Device
    from server.org.models import Officer


class SyncClient(Model):
    """One installation of the app (its client_id), with the last seq it has had acknowledged."""

    id = fields.UUIDField(primary_key=True)
    officer: fields.ForeignKeyRelation[Officer] = fields.ForeignKeyField(
        "doorstep.Officer", related_name="sync_clients", on_delete=fields.RESTRICT
    )
    device: fields.ForeignKeyNullableRelation[Device] = fields.ForeignKeyField(
        "doorstep.Device", related_name="sync_clients", null=True, on_delete=fields.RESTRICT
    )
    last_seq = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sync_client"


class ReceivedMutation(Model):
    """Every mutation a client pushed, with its digest and outcome: kept even when rejected."""

    id = fields.BigIntField(primary_key=True)
    client: fields.ForeignKeyRelation[SyncClient] = fields.ForeignKeyField(
        "doorstep.SyncClient", related_name="mutations", on_delete=fields.RESTRICT
    )
    seq = fields.BigIntField()
    digest = fields.CharField(max_length=64)
    collection = fields.CharField(max_length=20)
    record_id = fields.UUIDField()
    op = fields.CharField(max_length=8)
    base_rev = fields.IntField(null=True)
    fields_json = fields.JSONField[dict[str, Any]](default=dict)
    device_at = fields.CharField(max_length=40, default="")
    status = fields.CharField(max_length=10)
    rev = fields.IntField(null=True)
    error = fields.JSONField[dict[str, Any] | None](null=True)
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "received_mutation"
        unique_together = (("client_id", "seq"),)
