"""The sign-in ceremony with a discoverable passkey, ending in a session (enrolment, the other
ceremony, is in ``server.auth.registration``).

Each answers a challenge kept by ``server.auth.challenges`` (any worker can finish a ceremony,
and each challenge is used once). User verification is always required.
Synced passkeys report a sign count of 0 and so get no clone detection; a count that fails to
rise when either side is non-zero is refused and audited (see docs/passkeys.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import webauthn
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import UserVerificationRequirement

from server.audit.models import AuditAction
from server.audit.service import AuditEntry
from server.auth.challenges import AuthFailed, consume_challenge, from_b64url, store_challenge
from server.auth.models import Device
from server.auth.ratelimit import address_key, count_attempt
from server.auth.sessions import start_session
from server.context import RequestContext
from server.org.models import Officer


@dataclass(frozen=True)
class SignedIn:
    """A ceremony that verified: the new session's token (for the cookie), device and officer."""

    token: str
    device: Device
    officer: Officer


async def audit_one(ctx: RequestContext, entry: AuditEntry) -> None:
    """Write one audit entry now, in its own transaction (a failed ceremony rolls back)."""
    await ctx.write_audit([entry])


async def login_options(*, ctx: RequestContext) -> dict[str, Any]:
    """Options for a discoverable-credential sign-in (no username asked).

    Each stores a challenge, so one address may ask for a generous number a minute (a whole
    force may share it; see ``server.auth.ratelimit``): beyond that, 429 with Retry-After.
    """
    settings = ctx.settings
    per_minute = settings.signin_per_address_per_minute
    await count_attempt(f"signin:{address_key(ctx.client_address)}", per_minute, 60, ctx.now)
    options = webauthn.generate_authentication_options(
        rp_id=settings.rp_id,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    await store_challenge("login", options.challenge, ctx.now)
    document: dict[str, Any] = json.loads(webauthn.options_to_json(options))
    return document


def device_entry(
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


async def _presented_device(credential: dict[str, Any]) -> Device | None:
    """The device whose credential id the assertion names (None for an unknown or odd id)."""
    raw_id = credential.get("rawId") or credential.get("id")
    if not isinstance(raw_id, str) or len(raw_id) > 512:
        return None
    return await Device.get_or_none(credential_id_b64=raw_id.rstrip("=")).select_related("officer")


async def login_verify(credential: dict[str, Any], *, ctx: RequestContext) -> SignedIn:
    """Verify a passkey assertion and start a new session on its device.

    Signatures first (SECURITY.md item 36). A credential id is no secret (the phone shows it,
    it travels in every assertion), so anyone may present one; only the key holder can sign.
    The assertion is therefore checked against the stored public key before anything about
    the credential's state is looked at: until it verifies, every failure gets the same 401
    and an audit row that names no officer. Only a verified assertion is told its device is
    revoked (so the phone wipes itself) or audited as a possible clone, so nobody can make a
    clone alert, or learn that a device was revoked, with an id alone.

    It has no attempt limit of its own: the challenge is consumed first, so a verify that
    answers no live challenge is refused before any lookup or audit row, and each one that
    does has used up one of its address's sign-in options. Counting per credential before the
    signature verifies would let whoever knows a credential id lock its officer out.
    """
    settings = ctx.settings
    challenge = await consume_challenge(credential, "login", ctx.now)
    device = await _presented_device(credential)
    if device is None:
        await audit_one(
            ctx,
            ctx.audit(AuditAction.LOGIN_FAILED, record_type="device", reason="unknown credential"),
        )
        raise AuthFailed()
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential,
            expected_challenge=from_b64url(challenge.challenge),
            expected_rp_id=settings.rp_id,
            expected_origin=settings.origin,
            credential_public_key=device.public_key,
            # The library compares counts before it checks the signature; ours comes after.
            credential_current_sign_count=0,
            require_user_verification=True,
        )
    except (WebAuthnException, KeyError, TypeError, ValueError) as exc:
        unverified = ctx.audit(
            AuditAction.LOGIN_FAILED,
            record_type="device",
            record_id=device.id,
            reason="passkey assertion did not verify",
        )
        await audit_one(ctx, unverified)
        raise AuthFailed() from exc
    from server.auth.guard import DeviceRevoked

    if device.revoked_at is not None:
        await audit_one(ctx, device_entry(AuditAction.LOGIN_FAILED, device, ctx, "revoked device"))
        raise DeviceRevoked()
    claimed = verified.new_sign_count
    if (claimed > 0 or device.sign_count > 0) and claimed <= device.sign_count:
        reason = (
            f"sign count did not rise ({claimed} <= {device.sign_count}): "
            "possible cloned authenticator"
        )
        await audit_one(ctx, device_entry(AuditAction.LOGIN_FAILED, device, ctx, reason))
        raise AuthFailed()
    if not device.officer.active:
        await audit_one(
            ctx, device_entry(AuditAction.LOGIN_FAILED, device, ctx, "inactive account")
        )
        raise AuthFailed()
    # Compare-and-set: two assertions racing with one count cannot both win.
    updated = await Device.filter(id=device.id, sign_count=device.sign_count).update(
        sign_count=verified.new_sign_count,
        backup_state=verified.credential_backed_up,
        last_used_at=ctx.now,
    )
    if updated != 1:
        raced = "sign count changed by a concurrent sign-in"
        await audit_one(ctx, device_entry(AuditAction.LOGIN_FAILED, device, ctx, raced))
        raise AuthFailed()
    token, _ = await start_session(device.officer, device, settings, ctx.now)
    await audit_one(ctx, device_entry(AuditAction.LOGIN, device, ctx))
    return SignedIn(token, device, device.officer)
