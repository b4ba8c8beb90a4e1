"""Issue 14 item 7 (server): signatures first, and a credential id enrolled twice is a 4xx.

Whoever knows a credential id (it is not a secret) but not its private key must learn nothing
about the credential and raise no alarm: a forged assertion gets the same 401 whatever state
the credential is in, and only a verified one is told "revoked" or audited as a possible clone
(SECURITY.md item 36).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Awaitable, Callable

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from harness.authenticator import SoftAuthenticator
from harness.passkeys import ORIGIN, enrol, login
from server.audit.models import AuditAction, AuditEvent
from server.auth.models import Device, EnrolmentCode
from server.auth.service import issue_enrolment_code
from server.clock import FixedClock
from server.context import RequestContext
from server.org.models import Role
from server.org.service import create_officer
from server.settings import Settings
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
MakeClient = Callable[[], httpx.AsyncClient]


def forger_of(victim: SoftAuthenticator) -> SoftAuthenticator:
    """An authenticator holding the victim's credential id and user handle, but its own key."""
    forger = SoftAuthenticator()
    forger.credentials = [
        dataclasses.replace(c, private_key=ec.generate_private_key(ec.SECP256R1()))
        for c in victim.credentials
    ]
    return forger


async def _reasons() -> list[str]:
    return [r.reason for r in await AuditEvent.filter(action=AuditAction.LOGIN_FAILED)]


async def test_forged_assertion_for_a_revoked_credential_gets_the_generic_401(
    enrolled: Enrolled, make_client: MakeClient
) -> None:
    admin = await enrolled(role="admin")
    officer = await enrolled()
    revoke = await admin.client.post(
        f"/api/admin/devices/{officer.device_id}/revoke", json={"reason": "phone lost on patrol"}
    )
    assert revoke.status_code == 200

    response = await login(make_client(), forger_of(officer.authenticator))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert "clear-site-data" not in response.headers
    assert not [r for r in await _reasons() if "revoked" in r]
    # The real passkey, verified, is still told to wipe.
    real = await login(officer.client, officer.authenticator)
    assert real.json()["error"]["code"] == "device_revoked"
    assert any("revoked" in r for r in await _reasons())


async def test_forged_assertion_with_a_low_sign_count_writes_no_clone_alert(
    enrolled: Enrolled, make_client: MakeClient
) -> None:
    officer = await enrolled()
    assert (await login(officer.client, officer.authenticator, sign_count=10)).status_code == 200

    response = await login(make_client(), forger_of(officer.authenticator), sign_count=5)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert not [r for r in await _reasons() if "clone" in r or "sign count" in r]
    failed = await AuditEvent.get(action=AuditAction.LOGIN_FAILED)
    assert failed.actor_id is None  # nobody is named as having tried: it did not verify
    assert (await Device.get(id=officer.device_id)).sign_count == 10
    # A verified assertion whose count went back is the clone alert.
    cloned = await login(officer.client, officer.authenticator, sign_count=7)
    assert cloned.status_code == 401
    assert any("possible cloned authenticator" in r for r in await _reasons())


def _same_credential_id(monkeypatch: pytest.MonkeyPatch, credential_id: bytes) -> None:
    """Make every new soft credential get ``credential_id`` (an attacker replaying one)."""
    real = os.urandom
    monkeypatch.setattr(
        "harness.authenticator.os.urandom", lambda n: credential_id if n == 32 else real(n)
    )


async def _officer_with_code(collar: str, settings: Settings, clock: FixedClock) -> str:
    await create_officer(collar_number=collar, display_name="PC", role=Role.OFFICER, team_name="T")
    code, _ = await issue_enrolment_code(collar, ctx=RequestContext.system(settings, clock.now()))
    return code


async def test_enrolling_a_credential_id_that_already_exists_is_409_not_500(
    enrolled: Enrolled,
    make_client: MakeClient,
    settings: Settings,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = await enrolled()
    _same_credential_id(monkeypatch, first.authenticator.credentials[0].credential_id)
    code = await _officer_with_code("4401", settings, clock)

    response = await enrol(make_client(), SoftAuthenticator(), "4401", code)

    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "credential_exists"
    assert await Device.all().count() == 1
    row = await EnrolmentCode.get(officer__collar_number="4401")
    assert row.used_at is None  # the code is not burnt by the refusal


async def test_two_enrolments_racing_with_one_credential_id_are_200_and_409(
    db: str,
    make_client: MakeClient,
    settings: Settings,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _same_credential_id(monkeypatch, os.urandom(32))
    codes = [await _officer_with_code(c, settings, clock) for c in ("4402", "4403")]
    clients = [make_client(), make_client()]
    authenticators = [SoftAuthenticator(), SoftAuthenticator()]
    credentials = []
    for client, authenticator, collar, code in zip(
        clients, authenticators, ("4402", "4403"), codes, strict=True
    ):
        options = await client.post(
            "/api/auth/enrol/options", json={"collar": collar, "code": code}
        )
        credentials.append(authenticator.create(options.json(), ORIGIN))

    answers = await asyncio.gather(
        *(
            client.post("/api/auth/enrol/verify", json={"credential": credential})
            for client, credential in zip(clients, credentials, strict=True)
        )
    )

    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    assert await Device.all().count() == 1
