"""The statutory audit log (DPA 2018 s.62): who did what to which record, when and why."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class AuditAction(StrEnum):
    """The kinds of processing s.62 asks to be logged, plus sign-in events."""

    COLLECT = "collect"
    ALTER = "alter"
    CONSULT = "consult"
    DISCLOSE = "disclose"
    COMBINE = "combine"
    ERASE = "erase"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    DENIED = "denied"
    REVOKE = "revoke"


class AuditEvent(Model):
    """One audit row - never holds victims' personal data, only identifiers."""

    # Allocated from AuditChainHead in the writing transaction, so the chain has no gaps.
    id = fields.BigIntField(primary_key=True, generated=False)
    at = fields.DatetimeField()
    actor_id = fields.UUIDField(null=True)
    device_id = fields.UUIDField(null=True)
    action = fields.CharEnumField(AuditAction, max_length=16)
    record_type = fields.CharField(max_length=40, default="")
    record_id = fields.CharField(max_length=64, default="")
    reason = fields.CharField(max_length=500, default="")
    recipient = fields.CharField(max_length=200, default="")
    request_id = fields.CharField(max_length=64, default="")
    # Each row's hash covers its content and the previous row's hash (tamper evidence).
    prev_hash = fields.CharField(max_length=64, default="")
    row_hash = fields.CharField(max_length=64, default="")
    # The id of the HMAC key row_hash is made with; "" for rows from before keyed hashing
    # (plain SHA-256), which are accepted only before the first keyed row (server/audit/chain.py).
    key_id = fields.CharField(max_length=16, default="", db_default="")

    class Meta:
        table = "audit_event"
        # Reading the log (server/audit_trail/): a record's rows, and one person's.
        indexes = (("record_type", "record_id"), ("actor_id",))


class AuditChainHead(Model):
    """The last audit row's id and hash - locked by each writer so the chain stays linear."""

    id = fields.IntField(primary_key=True)
    last_id = fields.BigIntField(default=0)
    last_hash = fields.CharField(max_length=64, default="")

    class Meta:
        table = "audit_chain_head"
