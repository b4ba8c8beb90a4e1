"""Enrolment: a one-time code from an administrator, then a new passkey as a new device.

The code (``server.auth.enrolment``) is checked at ``enrol_options``, which answers WebAuthn
registration options against a stored challenge (``server.auth.challenges``); ``enrol_verify``
checks the new passkey, consumes the code and stores the device in one transaction - with the
notice the account's other devices will show and the audit row naming the code's issuer
(``server.auth.notices``) - then signs the officer in. User verification is always required.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import webauthn
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction
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
from server.auth.ceremonies import SignedIn, audit_one, device_entry
from server.auth.challenges import (
    AuthFailed,
    b64url,
    consume_challenge,
    from_b64url,
    store_challenge,
)
from server.auth.enrolment import usable_code
from server.auth.models import Device, EnrolmentCode
from server.auth.notices import record_device_added
from server.auth.ratelimit import (
    ENROL_FAILURES_PER_ADDRESS_PER_HOUR,
    ENROL_STARTS_PER_CODE_PER_HOUR,
    address_key,
    count_attempt,
)
from server.auth.sessions import start_session
from server.context import RequestContext
from server.errors import BadRequest, Conflict
from server.org.models import Officer


async def enrol_options(collar_number: str, code: str, *, ctx: RequestContext) -> dict[str, Any]:
    """Check the one-time code and return WebAuthn registration options for the officer.

    The code is checked first, and a valid one is never refused for its address: it is the
    key its own small budget is counted on (only its holder can use that up). Only failures
    count against the address, so guesses against a collar number - printed on the uniform -
    lock nobody out; see ``server.auth.ratelimit``.
    """
    settings = ctx.settings
    officer = await Officer.get_or_none(collar_number=collar_number, active=True)
    row = await usable_code(officer, code, ctx.now) if officer else None
    if officer is None or row is None:
        await count_attempt(
            f"enrol-fail:{address_key(ctx.client_address)}",
            ENROL_FAILURES_PER_ADDRESS_PER_HOUR,
            3600,
            ctx.now,
        )
        # Nobody is named as the actor: whoever typed it is unknown, the collar is public.
        await audit_one(
            ctx,
            ctx.audit(
                AuditAction.LOGIN_FAILED,
                record_type="enrolment",
                record_id=officer.id if officer else "",
                reason="invalid, used or expired enrolment code",
            ),
        )
        raise BadRequest(
            "That enrolment code is not valid, has been used or has expired. "
            "Ask your administrator for a new one.",
            code="invalid_enrolment_code",
            details={"field": "code"},
        )
    await count_attempt(f"enrol-code:{row.id}", ENROL_STARTS_PER_CODE_PER_HOUR, 3600, ctx.now)
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
    await store_challenge("enrol", options.challenge, ctx.now, officer, row)
    document: dict[str, Any] = json.loads(webauthn.options_to_json(options))
    # PRF lets the app derive a key for encrypting victims' data on the phone.
    document["extensions"] = {**document.get("extensions", {}), "prf": {}, "credProps": True}
    return document


def _transports(credential: dict[str, Any]) -> list[str]:
    raw = credential.get("response", {}).get("transports") or []
    known = {t.value for t in AuthenticatorTransport}
    return [t for t in raw if isinstance(t, str) and t in known][:8]


async def _enrolment_failed(
    ctx: RequestContext, officer: Officer, reason: str, record_id: object = ""
) -> None:
    """Audit a ceremony that a valid code's holder started (so the officer is the actor)."""
    entry = ctx.audit(
        AuditAction.LOGIN_FAILED,
        actor_id=officer.id,
        record_type="enrolment",
        record_id=record_id,
        reason=reason,
    )
    await audit_one(ctx, entry)


async def _refuse_known_credential(
    credential_id_b64: str, officer: Officer, ctx: RequestContext
) -> None:
    """409 (audited) if the insert failed because this credential id is already a device.

    The unique index decides, so two enrolments racing with one credential id get 200 and
    409, as one after the other does; the transaction has rolled back, so the code is unused.
    Any other integrity failure is not ours to explain and stays a server error.
    """
    existing = await Device.get_or_none(credential_id_b64=credential_id_b64)
    if existing is None:
        return
    await _enrolment_failed(ctx, officer, "passkey already enrolled as another device", existing.id)
    raise Conflict(
        "This passkey is already registered. Use it to sign in, or create a new one.",
        code="credential_exists",
    )


async def enrol_verify(credential: dict[str, Any], label: str, *, ctx: RequestContext) -> SignedIn:
    """Verify the new passkey, store it as a device, consume the code, and start a session."""
    settings = ctx.settings
    challenge = await consume_challenge(credential, "enrol", ctx.now)
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
        await EnrolmentCode.filter(id=code.id).update(failed_attempts=F("failed_attempts") + 1)
        await _enrolment_failed(ctx, officer, "passkey registration did not verify")
        raise AuthFailed() from exc
    extensions = credential.get("clientExtensionResults") or {}
    prf = extensions.get("prf") if isinstance(extensions, dict) else None
    credential_id_b64 = b64url(verified.credential_id)
    try:
        async with in_transaction() as connection:
            used = (
                await EnrolmentCode.filter(id=code.id, used_at__isnull=True)
                .using_db(connection)
                .update(used_at=ctx.now)
            )
            if used != 1:
                raise BadRequest(
                    "That enrolment code has been used.", code="invalid_enrolment_code"
                )
            device = await Device.create(
                id=uuid.uuid4(),
                officer=officer,
                label=label[:80],
                credential_id=verified.credential_id,
                credential_id_b64=credential_id_b64,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=_transports(credential),
                aaguid=str(verified.aaguid),
                backup_eligible=verified.credential_device_type.value == "multi_device",
                backup_state=verified.credential_backed_up,
                prf_enabled=bool(isinstance(prf, dict) and prf.get("enabled")),
                code_issued_by_id=code.created_by_id,
                using_db=connection,
            )
            await record_device_added(officer, device, code, ctx=ctx, connection=connection)
    except IntegrityError:
        await _refuse_known_credential(credential_id_b64, officer, ctx)
        raise
    token, _ = await start_session(officer, device, settings, ctx.now)
    await audit_one(ctx, device_entry(AuditAction.LOGIN, device, ctx, "passkey enrolled", officer))
    return SignedIn(token, device, officer)
