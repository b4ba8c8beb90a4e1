"""Request and response shapes for sign-in, the caller's profile and device administration."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

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


class Me(BaseModel):
    """The signed-in caller: who, where, on which device, and the settings in force."""

    officer: OfficerOut
    team: TeamOut
    device: DeviceOut
    settings: AppSettings


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
