"""Request and response shapes for sign-in, the caller's profile and device administration."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.org.schemas import Collar, OfficerOut, TeamOut
from server.validation import Strict


class EnrolOptionsRequest(Strict):
    """Start enrolment: the officer's collar number and the one-time code they were given."""

    collar: Collar
    code: Annotated[str, Field(min_length=8, max_length=40)]


class CredentialRequest(Strict):
    """Finish a ceremony: the browser's ``PublicKeyCredential.toJSON()``."""

    credential: dict[str, Any]
    label: Annotated[str, Field(max_length=80)] = ""


class EmptyRequest(Strict):
    """A POST that needs no fields (send ``{}``)."""


class WebAuthnOptions(BaseModel):
    """WebAuthn options JSON, as the browser's ``parse*OptionsFromJSON`` functions take it."""

    model_config = ConfigDict(extra="allow")
    challenge: str


class DeviceOut(BaseModel):
    """A passkey (one per device)."""

    id: uuid.UUID
    officer_id: uuid.UUID
    label: str
    aaguid: str
    backup_eligible: bool
    backup_state: bool
    prf_enabled: bool
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class SessionStarted(BaseModel):
    """Answer to a successful enrolment or sign-in (the session is in the cookie)."""

    officer: OfficerOut
    device: DeviceOut


class AppSettings(BaseModel):
    """The server settings the app needs."""

    force_name: str
    origin: str
    rp_id: str
    crime_reference_pattern: str
    session_idle_seconds: int
    session_absolute_seconds: int
    officers_see_team_visits: bool
    attendance_target_seconds: int
    device_lock_idle_seconds: int
    device_purge_grace_seconds: int
    device_without_prf: str


class NoticeIssuer(BaseModel):
    """Who issued the enrolment code a device was added with."""

    id: uuid.UUID
    display_name: str
    collar_number: str


class DeviceNoticeOut(BaseModel):
    """What this device is told about another device of the same account, to be acknowledged.

    ``device_added``: a new device was added to the account since this one (``can_revoke``:
    answering ``recognised: false`` revokes it). ``device_already_there``: the account already
    had this other device when this one was added (an answer is recorded, not acted on).
    """

    id: uuid.UUID
    kind: Literal["device_added", "device_already_there"]
    # Ready to show, e.g. "A new device was added to your account on 23 November 2026 at
    # 09:00 UTC (Pixel 8), with an enrolment code issued by Admin Jo Bloggs (9001)."
    message: str
    # When the other device was added.
    added_at: datetime
    # The other device (its label, and whether it has been revoked since).
    device: DeviceOut
    # Who issued the other device's enrolment code (None: the server's command line).
    issued_by: NoticeIssuer | None
    # The code was issued from this very account.
    issued_by_self: bool
    can_revoke: bool
    acknowledged_at: datetime | None
    # The answer given (None until acknowledged).
    recognised: bool | None


class NoticeAck(Strict):
    """The person's answer to a notice: the other device is theirs, or not (a ``device_added``
    device that is not theirs is revoked at once)."""

    recognised: bool = True


class Me(BaseModel):
    """The signed-in caller: who, where, on which device, and the settings in force.

    ``notices`` lists what the person must see before carrying on: the other devices of their
    account this device has been told about and has not yet acknowledged, oldest first.
    """

    officer: OfficerOut
    team: TeamOut
    device: DeviceOut
    settings: AppSettings
    notices: list[DeviceNoticeOut]


class LoggedOut(BaseModel):
    """Logout always succeeds."""

    logged_out: bool


class EnrolmentCodeOut(BaseModel):
    """A one-time code, shown once to the administrator to pass to the officer."""

    officer_id: uuid.UUID
    code: str
    expires_at: datetime


class DeviceList(BaseModel):
    """Devices, newest first."""

    devices: list[DeviceOut]


class DeviceQuery(Strict):
    """Filter devices by officer."""

    officer_id: uuid.UUID | None = None


class RevokeRequest(Strict):
    """Why a device is being revoked (kept in the audit log)."""

    reason: Annotated[str, Field(min_length=3, max_length=200)]
