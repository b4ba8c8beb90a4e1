"""Server-side sessions: a random token in the cookie, its SHA-256 as the key in the database."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.responses import Response

from server.auth.models import Device, Session
from server.org.models import Officer
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


@dataclass(frozen=True)
class SessionState:
    """Why a session token is or is not usable."""

    session: Session | None
    reason: str  # "ok", "missing", "ended", "expired", "idle", "device_revoked", "inactive"


async def check_session(token: str | None, settings: Settings, now: datetime) -> SessionState:
    """Load a session and apply the absolute, idle, revocation and account checks."""
    if not token:
        return SessionState(None, "missing")
    session = (
        await Session.filter(token_hash=token_key(token))
        .select_related("device", "officer__team")
        .first()
    )
    if session is None:
        return SessionState(None, "missing")
    # Revocation ends the sessions too; the device must still be told to wipe itself.
    if session.device.revoked_at is not None:
        return SessionState(session, "device_revoked")
    if session.ended_at is not None:
        return SessionState(None, "ended")
    if not session.officer.active:
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
