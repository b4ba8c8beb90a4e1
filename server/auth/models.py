"""Devices (one passkey each), sessions, WebAuthn challenges, enrolment codes, rate counters,
and the notices an account's holder is shown when a device is added to their account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from server.org.models import Officer


class Device(Model):
    """A passkey on one phone or computer - revoking it locks that device out."""

    id = fields.UUIDField(primary_key=True)
    officer: fields.ForeignKeyRelation[Officer] = fields.ForeignKeyField(
        "doorstep.Officer", related_name="devices", on_delete=fields.RESTRICT
    )
    label = fields.CharField(max_length=80, default="")
    credential_id = fields.BinaryField()
    credential_id_b64 = fields.CharField(max_length=512, unique=True)
    public_key = fields.BinaryField()
    sign_count = fields.BigIntField(default=0)
    transports = fields.JSONField[list[Any]](default=list)
    aaguid = fields.CharField(max_length=36, default="")
    backup_eligible = fields.BooleanField(default=False)
    backup_state = fields.BooleanField(default=False)
    prf_enabled = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.CharField(max_length=200, default="")
    # Who issued the enrolment code it was enrolled with (None: the command line, or before
    # this was kept); the account's holder is told (``server.auth.notices``).
    code_issued_by_id = fields.UUIDField(null=True)

    class Meta:
        table = "device"


class Session(Model):
    """A server-side session - the cookie holds a random token whose hash is the key."""

    token_hash = fields.CharField(max_length=64, primary_key=True)
    officer: fields.ForeignKeyRelation[Officer] = fields.ForeignKeyField(
        "doorstep.Officer", related_name="sessions", on_delete=fields.RESTRICT
    )
    device: fields.ForeignKeyRelation[Device] = fields.ForeignKeyField(
        "doorstep.Device", related_name="sessions", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "session"


class Challenge(Model):
    """A WebAuthn challenge: stored here so any worker can finish the ceremony, used once."""

    id = fields.UUIDField(primary_key=True)
    purpose = fields.CharField(max_length=8)
    # base64url of the random challenge, as it comes back inside clientDataJSON.
    challenge = fields.CharField(max_length=128, unique=True)
    officer: fields.ForeignKeyNullableRelation[Officer] = fields.ForeignKeyField(
        "doorstep.Officer", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    enrolment_code: fields.ForeignKeyNullableRelation[EnrolmentCode] = fields.ForeignKeyField(
        "doorstep.EnrolmentCode", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webauthn_challenge"


class EnrolmentCode(Model):
    """A one-time code an administrator gives an officer to register a passkey."""

    id = fields.UUIDField(primary_key=True)
    officer: fields.ForeignKeyRelation[Officer] = fields.ForeignKeyField(
        "doorstep.Officer", related_name="enrolment_codes", on_delete=fields.RESTRICT
    )
    code_hash = fields.CharField(max_length=64, unique=True)
    created_by_id = fields.UUIDField(null=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    failed_attempts = fields.IntField(default=0)

    class Meta:
        table = "enrolment_code"


class RateCounter(Model):
    """Attempts counted per key in a fixed window, shared by every worker through the database."""

    key = fields.CharField(max_length=200, primary_key=True)
    window_start = fields.DatetimeField()
    count = fields.IntField(default=0)

    class Meta:
        table = "rate_counter"


class DeviceNotice(Model):
    """What one device of an account is told about another: shown there until acknowledged.

    Written in the enrolment's transaction (``server.auth.notices``): each device the account
    already had is told "a new device was added" (``device_added``), and the new device is
    told which devices the account already had (``device_already_there``). Each copy belongs
    to the device it is shown on, and only that device can acknowledge it.
    """

    id = fields.UUIDField(primary_key=True)
    officer: fields.ForeignKeyRelation[Officer] = fields.ForeignKeyField(
        "doorstep.Officer", related_name="device_notices", on_delete=fields.RESTRICT
    )
    kind = fields.CharField(max_length=24)
    # The device the notice is about, and the device it is shown on.
    device: fields.ForeignKeyRelation[Device] = fields.ForeignKeyField(
        "doorstep.Device", related_name="notices", on_delete=fields.RESTRICT
    )
    shown_on: fields.ForeignKeyRelation[Device] = fields.ForeignKeyField(
        "doorstep.Device", related_name="notices_shown", on_delete=fields.RESTRICT, db_index=True
    )
    # Who issued the code the device it is about was enrolled with (None: the command line).
    issued_by_id = fields.UUIDField(null=True)
    created_at = fields.DatetimeField()
    acknowledged_at = fields.DatetimeField(null=True)
    # The answer: whether the person recognises the device (None until acknowledged).
    recognised = fields.BooleanField(null=True)

    class Meta:
        table = "device_notice"
