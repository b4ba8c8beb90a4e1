"""Passkey enrolment and sign-in through the real endpoints and the real webauthn checks."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from harness.authenticator import SoftAuthenticator
from harness.passkeys import ORIGIN, enrol, login, login_credential
from server.audit.models import AuditAction, AuditEvent
from server.auth.models import Device, EnrolmentCode, Session
from server.auth.service import issue_enrolment_code
from server.clock import FixedClock
from server.context import RequestContext
from server.org.models import Role
from server.org.service import create_officer
from server.settings import Settings
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]


async def test_enrol_then_me_shows_officer_team_and_settings(enrolled: Enrolled) -> None:
    person = await enrolled()
    response = await person.client.get("/api/me")
    assert response.status_code == 200
    me = response.json()
    assert me["officer"]["collar_number"] == person.officer.collar_number
    assert me["team"]["name"] == "Worcester Response A"
    assert me["team"]["area_name"] == "South Worcestershire"
    assert me["device"]["id"] == person.device_id
    assert me["settings"]["session_idle_seconds"] == 1800


async def test_enrol_options_are_webauthn_json_with_uv_resident_key_and_prf(
    db: str, settings: Settings, clock: FixedClock, client: httpx.AsyncClient
) -> None:
    await create_officer(collar_number="77", display_name="PC A", role=Role.OFFICER, team_name="T")
    code, _ = await issue_enrolment_code("77", ctx=RequestContext.system(settings, clock.now()))
    response = await client.post("/api/auth/enrol/options", json={"collar": "77", "code": code})
    options = response.json()
    assert options["rp"] == {"id": "localhost", "name": "Doorstep"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["attestation"] == "none"
    assert "prf" in options["extensions"]
    assert len(options["challenge"]) >= 43


async def test_enrol_stores_credential_with_flags_aaguid_and_label(
    db: str, settings: Settings, clock: FixedClock, client: httpx.AsyncClient
) -> None:
    await create_officer(collar_number="78", display_name="PC B", role=Role.OFFICER, team_name="T")
    code, _ = await issue_enrolment_code("78", ctx=RequestContext.system(settings, clock.now()))
    aaguid = bytes(range(16))
    response = await enrol(
        client,
        SoftAuthenticator(),
        "78",
        code,
        label="Pixel 8",
        aaguid=aaguid,
        backup_eligible=True,
        backup_state=True,
    )
    assert response.status_code == 200, response.text
    device = await Device.get(id=response.json()["device"]["id"])
    assert device.label == "Pixel 8"
    assert device.backup_eligible is True
    assert device.backup_state is True
    assert device.aaguid == "00010203-0405-0607-0809-0a0b0c0d0e0f"
    assert device.prf_enabled is True
    assert device.transports == ["internal"]


async def test_login_with_discoverable_passkey_starts_new_session(enrolled: Enrolled) -> None:
    person = await enrolled()
    old_cookie = person.client.cookies.get("doorstep_session")
    response = await login(person.client, person.authenticator)
    assert response.status_code == 200, response.text
    new_cookie = person.client.cookies.get("doorstep_session")
    assert new_cookie
    assert new_cookie != old_cookie
    assert (await person.client.get("/api/me")).status_code == 200
    assert await AuditEvent.filter(action=AuditAction.LOGIN).count() == 2


async def test_login_replayed_assertion_is_401(enrolled: Enrolled) -> None:
    person = await enrolled()
    credential = await login_credential(person.client, person.authenticator)
    first = await person.client.post("/api/auth/login/verify", json={"credential": credential})
    assert first.status_code == 200
    replay = await person.client.post("/api/auth/login/verify", json={"credential": credential})
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "authentication_failed"


async def test_login_assertion_for_another_origin_is_401(enrolled: Enrolled) -> None:
    person = await enrolled()
    credential = await login_credential(
        person.client, person.authenticator, origin="https://evil.example"
    )
    response = await person.client.post("/api/auth/login/verify", json={"credential": credential})
    assert response.status_code == 401


async def test_login_for_another_rp_id_is_401(enrolled: Enrolled) -> None:
    person = await enrolled()
    credential = await login_credential(
        person.client, person.authenticator, rp_id_override="evil.example"
    )
    response = await person.client.post("/api/auth/login/verify", json={"credential": credential})
    assert response.status_code == 401


async def test_login_without_user_verification_is_401(enrolled: Enrolled) -> None:
    person = await enrolled()
    response = await login(person.client, person.authenticator, user_verified=False)
    assert response.status_code == 401


async def test_enrol_without_user_verification_is_401(
    db: str, settings: Settings, clock: FixedClock, client: httpx.AsyncClient
) -> None:
    await create_officer(collar_number="79", display_name="PC C", role=Role.OFFICER, team_name="T")
    code, _ = await issue_enrolment_code("79", ctx=RequestContext.system(settings, clock.now()))
    response = await enrol(client, SoftAuthenticator(), "79", code, user_verified=False)
    assert response.status_code == 401
    assert await Device.all().count() == 0
    code_row = await EnrolmentCode.get()
    assert code_row.used_at is None  # a failed ceremony does not burn the code


async def test_login_sign_count_regression_is_401_and_audited(enrolled: Enrolled) -> None:
    person = await enrolled()
    assert (await login(person.client, person.authenticator, sign_count=10)).status_code == 200
    response = await login(person.client, person.authenticator, sign_count=5)
    assert response.status_code == 401
    rows = await AuditEvent.filter(action=AuditAction.LOGIN_FAILED)
    assert len(rows) == 1
    assert "sign count" in rows[0].reason
    assert rows[0].device_id is not None
    device = await Device.get(id=person.device_id)
    assert device.sign_count == 10


async def test_login_synced_passkey_with_zero_count_is_accepted(enrolled: Enrolled) -> None:
    person = await enrolled()
    # Synced passkeys always report 0: no clone detection, but sign-in works.
    assert (await login(person.client, person.authenticator, sign_count=0)).status_code == 200
    assert (await login(person.client, person.authenticator, sign_count=0)).status_code == 200


async def test_login_unknown_credential_is_401_and_audited(enrolled: Enrolled) -> None:
    person = await enrolled()
    credential = await login_credential(person.client, person.authenticator)
    credential["id"] = credential["rawId"] = "AAAAAAAAAAAAAAAAAAAAAA"
    response = await person.client.post("/api/auth/login/verify", json={"credential": credential})
    assert response.status_code == 401
    assert await AuditEvent.filter(action=AuditAction.LOGIN_FAILED).count() == 1


async def test_enrol_reused_code_is_400(
    db: str, settings: Settings, clock: FixedClock, client: httpx.AsyncClient
) -> None:
    await create_officer(collar_number="80", display_name="PC D", role=Role.OFFICER, team_name="T")
    code, _ = await issue_enrolment_code("80", ctx=RequestContext.system(settings, clock.now()))
    assert (await enrol(client, SoftAuthenticator(), "80", code)).status_code == 200
    again = await client.post("/api/auth/enrol/options", json={"collar": "80", "code": code})
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid_enrolment_code"


async def test_enrol_expired_code_is_400(
    db: str, settings: Settings, clock: FixedClock, client: httpx.AsyncClient
) -> None:
    await create_officer(collar_number="81", display_name="PC E", role=Role.OFFICER, team_name="T")
    code, _ = await issue_enrolment_code("81", ctx=RequestContext.system(settings, clock.now()))
    clock.advance(seconds=settings.enrolment_code_seconds + 1)
    response = await client.post("/api/auth/enrol/options", json={"collar": "81", "code": code})
    assert response.status_code == 400


async def test_enrol_code_used_between_options_and_verify_is_400(
    db: str, settings: Settings, clock: FixedClock, make_client: Callable[[], httpx.AsyncClient]
) -> None:
    await create_officer(collar_number="82", display_name="PC F", role=Role.OFFICER, team_name="T")
    code, _ = await issue_enrolment_code("82", ctx=RequestContext.system(settings, clock.now()))
    a, b = make_client(), make_client()
    phone_a, phone_b = SoftAuthenticator(), SoftAuthenticator()
    options_a = (
        await a.post("/api/auth/enrol/options", json={"collar": "82", "code": code})
    ).json()
    options_b = (
        await b.post("/api/auth/enrol/options", json={"collar": "82", "code": code})
    ).json()
    first = await a.post(
        "/api/auth/enrol/verify", json={"credential": phone_a.create(options_a, ORIGIN)}
    )
    second = await b.post(
        "/api/auth/enrol/verify", json={"credential": phone_b.create(options_b, ORIGIN)}
    )
    assert first.status_code == 200
    assert second.status_code == 400
    assert await Device.all().count() == 1


async def test_challenge_older_than_five_minutes_is_refused(
    enrolled: Enrolled, clock: FixedClock
) -> None:
    person = await enrolled()
    credential = await login_credential(person.client, person.authenticator)
    clock.advance(minutes=5, seconds=1)
    response = await person.client.post("/api/auth/login/verify", json={"credential": credential})
    assert response.status_code == 401


async def test_revoked_device_gets_401_device_revoked_with_clear_site_data(
    enrolled: Enrolled,
) -> None:
    admin = await enrolled(role="admin")
    officer = await enrolled()
    revoke = await admin.client.post(
        f"/api/admin/devices/{officer.device_id}/revoke", json={"reason": "phone lost on patrol"}
    )
    assert revoke.status_code == 200, revoke.text
    response = await officer.client.get("/api/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "device_revoked"
    assert response.headers["clear-site-data"] == '"cache", "cookies", "storage"'
    # Signing in again with the revoked passkey is refused the same way.
    again = await login(officer.client, officer.authenticator)
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "device_revoked"
    assert await Session.filter(device_id=officer.device_id, ended_at__isnull=True).count() == 0


async def test_logout_ends_server_session_and_old_cookie_is_401(enrolled: Enrolled) -> None:
    person = await enrolled()
    cookie = person.client.cookies.get("doorstep_session")
    response = await person.client.post("/api/auth/logout", json={})
    assert response.status_code == 200
    assert response.headers["clear-site-data"] == '"cache", "cookies"'
    person.client.cookies.set("doorstep_session", cookie or "")
    reuse = await person.client.get("/api/me")
    assert reuse.status_code == 401


async def test_logout_does_not_make_the_browser_delete_unsent_work(enrolled: Enrolled) -> None:
    # "storage" would delete IndexedDB, and with it any officer's unsent work on a shared phone
    # (SECURITY.md 33): only a revoked device gets it; the app wipes its own officer's data.
    person = await enrolled()
    response = await person.client.post("/api/auth/logout", json={})
    directives = {d.strip() for d in response.headers["clear-site-data"].split(",")}
    assert '"storage"' not in directives
    assert '"*"' not in directives
    assert '"cookies"' in directives


async def test_session_idle_timeout_is_enforced(
    enrolled: Enrolled, clock: FixedClock, settings: Settings
) -> None:
    person = await enrolled()
    clock.advance(seconds=settings.session_idle_seconds - 10)
    assert (await person.client.get("/api/me")).status_code == 200
    clock.advance(seconds=settings.session_idle_seconds + 1)
    response = await person.client.get("/api/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_expired"
    assert "clear-site-data" not in response.headers  # expiry must not wipe unsynced work


async def test_session_absolute_timeout_is_enforced_even_when_active(
    enrolled: Enrolled, clock: FixedClock, settings: Settings
) -> None:
    person = await enrolled()
    elapsed = 0
    while elapsed + 600 < settings.session_absolute_seconds:
        clock.advance(seconds=600)
        elapsed += 600
        assert (await person.client.get("/api/me")).status_code == 200
    clock.advance(seconds=settings.session_absolute_seconds - elapsed)
    assert (await person.client.get("/api/me")).status_code == 401


async def test_session_cookie_is_httponly_samesite_strict_and_random(enrolled: Enrolled) -> None:
    person = await enrolled()
    response = await login(person.client, person.authenticator)
    set_cookie = response.headers["set-cookie"]
    assert set_cookie.startswith("doorstep_session=")
    assert "HttpOnly" in set_cookie
    assert "SameSite=strict" in set_cookie or "SameSite=Strict" in set_cookie
    token = set_cookie.split(";")[0].split("=", 1)[1]
    assert len(token) >= 43  # 32 random bytes, base64url


async def test_session_cookie_over_https_is_host_prefixed_and_secure(
    db: str, tmp_path: Any, database_url: str, clock: FixedClock
) -> None:
    from server.app import create_app

    settings = Settings(
        database_url=database_url,
        origin="https://doorstep.example.police.uk",
        rp_id="doorstep.example.police.uk",
        photo_dir=tmp_path,
    )
    app = create_app(settings, clock=clock, manage_orm=False)
    await create_officer(collar_number="90", display_name="PC H", role=Role.OFFICER, team_name="T")
    code, _ = await issue_enrolment_code("90", ctx=RequestContext.system(settings, clock.now()))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="https://doorstep.example.police.uk",
        headers={"Origin": "https://doorstep.example.police.uk"},
    ) as c:
        response = await enrol(
            c, SoftAuthenticator(), "90", code, origin="https://doorstep.example.police.uk"
        )
    assert response.status_code == 200, response.text
    set_cookie = response.headers["set-cookie"]
    assert set_cookie.startswith("__Host-doorstep=")
    assert "Secure" in set_cookie
    assert "Path=/" in set_cookie
    assert "Domain" not in set_cookie


async def test_state_change_from_foreign_origin_is_403(enrolled: Enrolled) -> None:
    person = await enrolled()
    response = await person.client.post(
        "/api/auth/logout", json={}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "bad_origin"
    cross_site = await person.client.post(
        "/api/visits/validate", json={}, headers={"Origin": "", "Sec-Fetch-Site": "cross-site"}
    )
    assert cross_site.status_code == 403
    assert (await person.client.get("/api/me")).status_code == 200


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@hyp_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    garbage=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=40),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "id",
                        "rawId",
                        "type",
                        "response",
                        "clientDataJSON",
                        "authenticatorData",
                        "signature",
                        "userHandle",
                        "attestationObject",
                        "clientExtensionResults",
                    ]
                )
                | st.text(max_size=8),
                children,
                max_size=6,
            )
        ),
        max_leaves=20,
    )
)
async def test_login_and_enrol_fuzzed_credential_json_is_4xx_never_5xx(
    client: httpx.AsyncClient, garbage: Any
) -> None:
    for path in ("/api/auth/login/verify", "/api/auth/enrol/verify"):
        body = {"credential": garbage} if isinstance(garbage, dict) else {"credential": {}}
        response = await client.post(
            path, content=json.dumps(body), headers={"content-type": "application/json"}
        )
        assert 400 <= response.status_code < 500, response.text


async def test_login_credential_with_mangled_fields_is_4xx(enrolled: Enrolled) -> None:
    person = await enrolled()
    good = await login_credential(person.client, person.authenticator)
    mutations: list[dict[str, Any]] = []
    for key in ("clientDataJSON", "authenticatorData", "signature", "userHandle"):
        for value in (None, 123, "", "!!!not-base64!!!", "AAAA"):
            bad = json.loads(json.dumps(good))
            bad["response"][key] = value
            mutations.append(bad)
    for bad in mutations:
        response = await person.client.post("/api/auth/login/verify", json={"credential": bad})
        assert 400 <= response.status_code < 500, (bad, response.text)
