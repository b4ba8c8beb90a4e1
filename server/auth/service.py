"""Passkey ceremonies, enrolment codes and device revocation.

Challenges live in the database (any worker can finish a ceremony), expire after five minutes
and are consumed exactly once by a conditional UPDATE. User verification is always required.
Synced passkeys report a sign count of 0 and so get no clone detection; a count that fails to
rise when either side is non-zero is refused and audited (see docs/passkeys.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

import webauthn
from tortoise.expressions import F
from tortoise.transactions import in_transaction
from webauthn.helpers import parse_authenticator_data, parse_client_data_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from server.audit.models import AuditAction
from server.audit.service import AuditEntry
from server.auth.models import Challenge, Device, EnrolmentCode, Session
from server.auth.ratelimit import clear_attempts, count_attempt
from server.auth.sessions import start_session
from server.context import RequestContext
from server.errors import BadRequest, NotFound, Unauthorized
from server.org.models import Officer

CHALLENGE_SECONDS = 5 * 60
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or typed on a phone
CODE_LENGTH = 20  # 20 symbols of 30 = 98 bits
ENROL_ATTEMPTS_PER_HOUR = 5
LOGIN_ATTEMPTS_PER_MINUTE = 30


class AuthFailed(Unauthorized):
    """A passkey ceremony that did not verify: always the same answer, whatever the reason."""

    code = "authentication_failed"
    message = "Sign-in failed. Try again with your passkey."


def b64url(data: bytes) -> str:
    """base64url without padding, as WebAuthn JSON uses."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(text: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def normalise_code(code: str) -> str:
    """Codes are shown in groups (ABCD-EFGH-...); accept them with or without separators."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """Enrolment codes are stored hashed; the code itself is shown once and never kept."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def format_code(raw: str) -> str:
    """Group a code in fours for reading aloud."""
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


async def _audit(ctx: RequestContext, entry: AuditEntry) -> None:
    await ctx.write_audit([entry])


async def issue_enrolment_code(
    collar_number: str, *, ctx: RequestContext
) -> tuple[str, EnrolmentCode]:
    """Create a one-time enrolment code for an officer; returns the code (shown once) and row."""
    settings, now = ctx.settings, ctx.now
    officer = await Officer.get_or_none(collar_number=collar_number, active=True)
    if officer is None:
        raise NotFound(f"No active officer with collar number {collar_number}.")
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    row = await EnrolmentCode.create(
        id=uuid.uuid4(),
        officer=officer,
        code_hash=code_hash(raw),
        created_by_id=ctx.principal.officer_id if ctx.principal else ctx.actor_id,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.enrolment_code_seconds),
    )
    await _audit(
        ctx,
        ctx.audit(
            AuditAction.COLLECT,
            record_type="enrolment_code",
            record_id=row.id,
            reason=f"enrolment code for officer {officer.id}",
        ),
    )
    return format_code(raw), row


async def _store_challenge(
    purpose: str,
    challenge: bytes,
    now: datetime,
    officer: Officer | None = None,
    code: EnrolmentCode | None = None,
) -> None:
    await Challenge.create(
        id=uuid.uuid4(),
        purpose=purpose,
        challenge=b64url(challenge),
        officer=officer,
        enrolment_code=code,
        created_at=now,
        expires_at=now + timedelta(seconds=CHALLENGE_SECONDS),
    )


async def _consume_challenge(credential: Any, purpose: str, now: datetime) -> Challenge:
    """Find the stored challenge this credential answers and mark it used (once only)."""
    try:
        client_data = parse_client_data_json(from_b64url(credential["response"]["clientDataJSON"]))
        challenge_text = b64url(client_data.challenge)
    except (KeyError, TypeError, ValueError, binascii.Error, WebAuthnException) as exc:
        raise AuthFailed() from exc
    challenge = await Challenge.get_or_none(challenge=challenge_text, purpose=purpose)
    if challenge is None or challenge.used_at is not None or now >= challenge.expires_at:
        raise AuthFailed()
    claimed = await Challenge.filter(id=challenge.id, used_at__isnull=True).update(used_at=now)
    if claimed != 1:  # another request used it first
        raise AuthFailed()
    return challenge


async def _usable_code(officer: Officer, code: str, now: datetime) -> EnrolmentCode | None:
    row = await EnrolmentCode.get_or_none(code_hash=code_hash(code), officer=officer)
    if row is None or row.used_at is not None or now >= row.expires_at:
        return None
    return row


async def enrol_options(collar_number: str, code: str, *, ctx: RequestContext) -> dict[str, Any]:
    """Check the one-time code and return WebAuthn registration options for the officer."""
    settings = ctx.settings
    await count_attempt(f"enrol:{collar_number}", ENROL_ATTEMPTS_PER_HOUR, 3600, ctx.now)
    await count_attempt(
        f"enrol-ip:{ctx.client_address}", ENROL_ATTEMPTS_PER_HOUR * 4, 3600, ctx.now
    )
    officer = await Officer.get_or_none(collar_number=collar_number, active=True)
    row = await _usable_code(officer, code, ctx.now) if officer else None
    if officer is None or row is None:
        if officer is not None:
            await EnrolmentCode.filter(officer=officer, used_at__isnull=True).update(
                failed_attempts=F("failed_attempts") + 1
            )
        await _audit(
            ctx,
            ctx.audit(
                AuditAction.LOGIN_FAILED,
                actor_id=officer.id if officer else None,
                record_type="enrolment",
                reason="invalid, used or expired enrolment code",
            ),
        )
        raise BadRequest(
            "That enrolment code is not valid, has been used or has expired. "
            "Ask your administrator for a new one.",
            code="invalid_enrolment_code",
            details={"field": "code"},
        )
    existing = await Device.filter(officer=officer, revoked_at__isnull=True)
    options = webauthn.generate_registration_options(
        rp_id=settings.rp_id,
        rp_name=settings.rp_name,
        user_id=officer.id.bytes,
        user_name=officer.collar_number,
        user_display_name=officer.display_name,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=d.credential_id) for d in existing],
    )
    await _store_challenge("enrol", options.challenge, ctx.now, officer, row)
    document: dict[str, Any] = json.loads(webauthn.options_to_json(options))
    # PRF lets the app derive a key for encrypting victims' data on the phone.
    document["extensions"] = {**document.get("extensions", {}), "prf": {}, "credProps": True}
    return document


def _transports(credential: dict[str, Any]) -> list[str]:
    raw = credential.get("response", {}).get("transports") or []
    known = {t.value for t in AuthenticatorTransport}
    return [t for t in raw if isinstance(t, str) and t in known][:8]


async def enrol_verify(
    credential: dict[str, Any], label: str, *, ctx: RequestContext
) -> tuple[str, Device]:
    """Verify the new passkey, store it as a device, consume the code, and start a session."""
    settings = ctx.settings
    challenge = await _consume_challenge(credential, "enrol", ctx.now)
    officer = await Officer.get_or_none(id=challenge.officer_id, active=True)  # type: ignore[attr-defined]
    code = await EnrolmentCode.get_or_none(id=challenge.enrolment_code_id)  # type: ignore[attr-defined]
    if officer is None or code is None or code.used_at is not None or ctx.now >= code.expires_at:
        raise BadRequest(
            "That enrolment code has been used or has expired.", code="invalid_enrolment_code"
        )
    try:
        verified = webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=from_b64url(challenge.challenge),
            expected_rp_id=settings.rp_id,
            expected_origin=settings.origin,
            require_user_verification=True,
        )
    except (WebAuthnException, KeyError, TypeError, ValueError) as exc:
        await _audit(
            ctx,
            ctx.audit(
                AuditAction.LOGIN_FAILED,
                actor_id=officer.id,
                record_type="enrolment",
                reason="passkey registration did not verify",
            ),
        )
        raise AuthFailed() from exc
    extensions = credential.get("clientExtensionResults") or {}
    prf = extensions.get("prf") if isinstance(extensions, dict) else None
    async with in_transaction() as connection:
        used = (
            await EnrolmentCode.filter(id=code.id, used_at__isnull=True)
            .using_db(connection)
            .update(used_at=ctx.now)
        )
        if used != 1:
            raise BadRequest("That enrolment code has been used.", code="invalid_enrolment_code")
        device = await Device.create(
            id=uuid.uuid4(),
            officer=officer,
            label=label[:80],
            credential_id=verified.credential_id,
            credential_id_b64=b64url(verified.credential_id),
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=_transports(credential),
            aaguid=str(verified.aaguid),
            backup_eligible=verified.credential_device_type.value == "multi_device",
            backup_state=verified.credential_backed_up,
            prf_enabled=bool(isinstance(prf, dict) and prf.get("enabled")),
            using_db=connection,
        )
    token, _ = await start_session(officer, device, settings, ctx.now)
    await clear_attempts(f"enrol:{officer.collar_number}")
    await _audit(ctx, _device_entry(AuditAction.LOGIN, device, ctx, "passkey enrolled", officer))
    return token, device


async def login_options(*, ctx: RequestContext) -> dict[str, Any]:
    """Options for a discoverable-credential sign-in (no username asked)."""
    settings = ctx.settings
    await count_attempt(f"login-ip:{ctx.client_address}", LOGIN_ATTEMPTS_PER_MINUTE, 60, ctx.now)
    options = webauthn.generate_authentication_options(
        rp_id=settings.rp_id,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    await _store_challenge("login", options.challenge, ctx.now)
    document: dict[str, Any] = json.loads(webauthn.options_to_json(options))
    return document


def _device_entry(
    action: AuditAction,
    device: Device,
    ctx: RequestContext,
    reason: str = "",
    officer: Officer | None = None,
) -> AuditEntry:
    """An audit entry about one device and its officer (sign-in events)."""
    return ctx.audit(
        action,
        actor_id=(officer or device.officer).id,
        device_id=device.id,
        record_type="device",
        record_id=device.id,
        reason=reason,
    )


async def login_verify(credential: dict[str, Any], *, ctx: RequestContext) -> tuple[str, Device]:
    """Verify a passkey assertion and start a new session on its device."""
    settings = ctx.settings
    await count_attempt(f"login-ip:{ctx.client_address}", LOGIN_ATTEMPTS_PER_MINUTE, 60, ctx.now)
    raw_id = credential.get("rawId") or credential.get("id")
    device = None
    if isinstance(raw_id, str) and len(raw_id) <= 512:
        device = await Device.get_or_none(credential_id_b64=raw_id.rstrip("=")).select_related(
            "officer"
        )
    challenge = await _consume_challenge(credential, "login", ctx.now)
    if device is None:
        await _audit(
            ctx,
            ctx.audit(AuditAction.LOGIN_FAILED, record_type="device", reason="unknown credential"),
        )
        raise AuthFailed()
    from server.auth.guard import DeviceRevoked

    if device.revoked_at is not None:
        await _audit(ctx, _device_entry(AuditAction.LOGIN_FAILED, device, ctx, "revoked device"))
        raise DeviceRevoked()
    failure = _device_entry(
        AuditAction.LOGIN_FAILED, device, ctx, "passkey assertion did not verify"
    )
    try:
        claimed = parse_authenticator_data(
            from_b64url(credential["response"]["authenticatorData"])
        ).sign_count
    except (KeyError, TypeError, ValueError, binascii.Error, WebAuthnException) as exc:
        await _audit(ctx, failure)
        raise AuthFailed() from exc
    if (claimed > 0 or device.sign_count > 0) and claimed <= device.sign_count:
        reason = (
            f"sign count did not rise ({claimed} <= {device.sign_count}): "
            "possible cloned authenticator"
        )
        await _audit(ctx, _device_entry(AuditAction.LOGIN_FAILED, device, ctx, reason))
        raise AuthFailed()
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential,
            expected_challenge=from_b64url(challenge.challenge),
            expected_rp_id=settings.rp_id,
            expected_origin=settings.origin,
            credential_public_key=device.public_key,
            credential_current_sign_count=device.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, KeyError, TypeError, ValueError) as exc:
        await _audit(ctx, failure)
        raise AuthFailed() from exc
    if not device.officer.active:
        await _audit(ctx, failure)
        raise AuthFailed()
    # Compare-and-set: two assertions racing with one count cannot both win.
    updated = await Device.filter(id=device.id, sign_count=device.sign_count).update(
        sign_count=verified.new_sign_count,
        backup_state=verified.credential_backed_up,
        last_used_at=ctx.now,
    )
    if updated != 1:
        await _audit(ctx, failure)
        raise AuthFailed()
    token, _ = await start_session(device.officer, device, settings, ctx.now)
    await clear_attempts(f"login-ip:{ctx.client_address}")
    await _audit(ctx, _device_entry(AuditAction.LOGIN, device, ctx))
    return token, device


async def revoke_device(device_id: uuid.UUID, reason: str, *, ctx: RequestContext) -> Device:
    """Disable a device and end its sessions at once; its next request is told to wipe."""
    now = ctx.now
    async with in_transaction() as connection:
        device = await Device.filter(id=device_id).using_db(connection).first()
        if device is None:
            raise NotFound("No such device.")
        if device.revoked_at is None:
            device.revoked_at = now
            device.revoked_reason = reason[:200]
            await device.save(using_db=connection, update_fields=["revoked_at", "revoked_reason"])
        await (
            Session.filter(device_id=device.id, ended_at__isnull=True)
            .using_db(connection)
            .update(ended_at=now)
        )
        await ctx.write_audit(
            [
                ctx.audit(
                    AuditAction.REVOKE,
                    device_id=device.id,
                    record_type="device",
                    record_id=device.id,
                    reason=reason[:500],
                )
            ],
            connection,
        )
    return device
