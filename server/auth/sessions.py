"""Server-side sessions: a random token in the cookie, its SHA-256 as the key in the database."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.responses import Response
from tortoise import connections

from server.auth.models import Device, Session
from server.db import sql
from server.org.models import Officer, Role, SupervisionScope
from server.settings import Settings

# Only refresh last_seen_at this often, so reads do not all become writes.
_TOUCH_EVERY = timedelta(seconds=30)


def cookie_name(settings: Settings) -> str:
    """``__Host-doorstep`` over HTTPS (bound to the exact origin), a plain name on http."""
    return "__Host-doorstep" if settings.secure_cookies else "doorstep_session"


def token_key(token: str) -> str:
    """The database key for a session token (the token itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(
    officer: Officer, device: Device, settings: Settings, now: datetime
) -> tuple[str, Session]:
    """Create a new session (a fresh 256-bit token every sign-in); return the token and row."""
    token = secrets.token_urlsafe(32)
    session = await Session.create(
        token_hash=token_key(token),
        officer=officer,
        device=device,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=settings.session_absolute_seconds),
    )
    return token, session


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    """Attach the session cookie: HttpOnly, SameSite=Strict, Secure and __Host- over HTTPS."""
    response.set_cookie(
        cookie_name(settings),
        token,
        max_age=settings.session_absolute_seconds,
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Remove the session cookie."""
    response.delete_cookie(
        cookie_name(settings),
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )


# What the guard needs of a session, its device, officer and team: one statement by primary
# key, written once here (no query is built per request). Values are typed by the models' own
# fields, so SQLite's text timestamps and PostgreSQL's come out the same.
_LIVE_SQL = (
    "SELECT s.token_hash, s.last_seen_at, s.expires_at, s.ended_at, s.device_id, "
    "d.revoked_at, o.id AS officer_id, o.collar_number, o.display_name, o.role, o.active, "
    "o.supervision_scope, o.team_id, t.area_id "
    'FROM "session" s JOIN device d ON d.id = s.device_id '
    "JOIN officer o ON o.id = s.officer_id JOIN team t ON t.id = o.team_id "
    "WHERE s.token_hash = $1"
)


@dataclass(frozen=True)
class LiveSession:
    """A session row joined to its device, officer and team: what the guard decides on.

    Plain values, not ORM objects: every request reads one, so it is built from one indexed
    statement without model instances.
    """

    token_hash: str
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    device_id: uuid.UUID
    device_revoked_at: datetime | None
    officer_id: uuid.UUID
    collar_number: str
    display_name: str
    role: Role
    active: bool
    supervision_scope: SupervisionScope
    team_id: int
    area_id: int


@dataclass(frozen=True)
class SessionState:
    """Why a session token is or is not usable."""

    session: LiveSession | None
    reason: str  # "ok", "missing", "ended", "expired", "idle", "device_revoked", "inactive"


async def _live_session(key: str) -> LiveSession | None:
    connection = connections.get("default")
    rows = await connection.execute_query_dict(sql(connection, _LIVE_SQL), [key])
    if not rows:
        return None
    row = rows[0]
    session, device = Session._meta.fields_map, Device._meta.fields_map
    officer = Officer._meta.fields_map
    return LiveSession(
        token_hash=row["token_hash"],
        last_seen_at=session["last_seen_at"].to_python_value(row["last_seen_at"]),
        expires_at=session["expires_at"].to_python_value(row["expires_at"]),
        ended_at=session["ended_at"].to_python_value(row["ended_at"]),
        device_id=device["id"].to_python_value(row["device_id"]),
        device_revoked_at=device["revoked_at"].to_python_value(row["revoked_at"]),
        officer_id=officer["id"].to_python_value(row["officer_id"]),
        collar_number=row["collar_number"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        active=bool(row["active"]),
        supervision_scope=SupervisionScope(row["supervision_scope"]),
        team_id=int(row["team_id"]),
        area_id=int(row["area_id"]),
    )


async def check_session(token: str | None, settings: Settings, now: datetime) -> SessionState:
    """Load a session and apply the absolute, idle, revocation and account checks.

    One statement reads the session with its device, officer and team; ``last_seen_at`` is
    written only when it has moved by ``_TOUCH_EVERY`` or more (and only for a usable session),
    so most reads stay reads. Idle expiry counts from the last recorded use.
    """
    if not token:
        return SessionState(None, "missing")
    session = await _live_session(token_key(token))
    if session is None:
        return SessionState(None, "missing")
    # Revocation ends the sessions too; the device must still be told to wipe itself.
    if session.device_revoked_at is not None:
        return SessionState(session, "device_revoked")
    if session.ended_at is not None:
        return SessionState(None, "ended")
    if not session.active:
        return SessionState(session, "inactive")
    if now >= session.expires_at:
        return SessionState(session, "expired")
    if now - session.last_seen_at >= timedelta(seconds=settings.session_idle_seconds):
        return SessionState(session, "idle")
    if now - session.last_seen_at >= _TOUCH_EVERY:
        await Session.filter(token_hash=session.token_hash, ended_at__isnull=True).update(
            last_seen_at=now
        )
    return SessionState(session, "ok")


async def end_session(token_hash: str, now: datetime) -> None:
    """End a session on the server (logout)."""
    await Session.filter(token_hash=token_hash, ended_at__isnull=True).update(ended_at=now)


async def end_device_sessions(device_id: object, now: datetime) -> int:
    """End every live session of a device (revocation)."""
    return await Session.filter(device_id=device_id, ended_at__isnull=True).update(ended_at=now)
