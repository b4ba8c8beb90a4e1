"""Prove SoftAuthenticator output against the real py_webauthn 3.0 verifiers.

Exception families in webauthn 3.0.1 (webauthn/helpers/exceptions.py, all subclass
WebAuthnException):
- verify_registration_response accepts a JSON string, a dict or a RegistrationCredential;
  str/dict go through parse_registration_credential_json, which raises InvalidJSONStructure
  for missing/ill-typed fields. Every semantic check (challenge, origin, rpIdHash, UP, UV,
  alg, attestation) raises InvalidRegistrationResponse.
- verify_authentication_response accepts a JSON string, a dict or an AuthenticationCredential;
  parsing raises InvalidJSONStructure, every semantic check (challenge, origin, rpIdHash, UP,
  UV, sign count, signature) raises InvalidAuthenticationResponse.
- Inconsistent backup flags (BS without BE) escape uncaught from parse_backup_flags as
  InvalidBackupFlags.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import webauthn
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidBackupFlags,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    CredentialDeviceType,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from harness.authenticator import (
    FLAG_ED,
    AuthenticatorError,
    SoftAuthenticator,
    b64url_decode,
    b64url_encode,
)

ORIGIN = "http://localhost:8000"
RP_ID = "localhost"
USER_ID = b"user-0001"


def reg_options(user_id: bytes = USER_ID) -> dict[str, Any]:
    """Return parsed JSON registration options requiring resident key and UV."""
    opts = webauthn.generate_registration_options(
        rp_id=RP_ID,
        rp_name="Doorstep",
        user_id=user_id,
        user_name="alice@example.com",
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
    )
    parsed: dict[str, Any] = json.loads(webauthn.options_to_json(opts))
    return parsed


def auth_options(rp_id: str = RP_ID) -> dict[str, Any]:
    """Return parsed JSON authentication options with empty allowCredentials."""
    opts = webauthn.generate_authentication_options(
        rp_id=rp_id, user_verification=UserVerificationRequirement.REQUIRED
    )
    parsed: dict[str, Any] = json.loads(webauthn.options_to_json(opts))
    return parsed


def verify_reg(cred: Any, options: dict[str, Any], **kw: Any) -> Any:
    """Verify a registration response with the test defaults."""
    args: dict[str, Any] = dict(
        expected_challenge=b64url_decode(options["challenge"]),
        expected_origin=ORIGIN,
        expected_rp_id=RP_ID,
        require_user_verification=True,
    )
    args.update(kw)
    return webauthn.verify_registration_response(credential=cred, **args)


def verify_auth(
    cred: Any, options: dict[str, Any], public_key: bytes, count: int, **kw: Any
) -> Any:
    """Verify an authentication response with the test defaults."""
    args: dict[str, Any] = dict(
        expected_challenge=b64url_decode(options["challenge"]),
        expected_origin=ORIGIN,
        expected_rp_id=RP_ID,
        credential_public_key=public_key,
        credential_current_sign_count=count,
        require_user_verification=True,
    )
    args.update(kw)
    return webauthn.verify_authentication_response(credential=cred, **args)


@pytest.fixture
def registered() -> tuple[SoftAuthenticator, Any]:
    """Return an authenticator with one verified registration."""
    authn = SoftAuthenticator()
    options = reg_options()
    return authn, verify_reg(authn.create(options, ORIGIN), options)


def test_register_and_login_round_trip() -> None:
    authn = SoftAuthenticator()
    options = reg_options()
    cred = authn.create(options, ORIGIN)
    assert set(cred) == {
        "id",
        "rawId",
        "type",
        "response",
        "clientExtensionResults",
        "authenticatorAttachment",
    }
    assert cred["type"] == "public-key"
    assert cred["authenticatorAttachment"] == "platform"
    assert cred["response"]["publicKeyAlgorithm"] == -7
    assert cred["response"]["transports"] == ["internal"]
    assert not any("=" in v for v in cred["response"].values() if isinstance(v, str))
    client_data = json.loads(b64url_decode(cred["response"]["clientDataJSON"]))
    assert client_data == {
        "type": "webauthn.create",
        "challenge": options["challenge"],
        "origin": ORIGIN,
        "crossOrigin": False,
    }

    reg = verify_reg(json.dumps(cred), options)  # JSON string form is accepted too
    assert reg.credential_id == b64url_decode(cred["id"])
    assert reg.user_verified
    assert reg.sign_count == 0
    assert reg.aaguid == "00000000-0000-0000-0000-000000000000"
    assert reg.credential_device_type == CredentialDeviceType.SINGLE_DEVICE

    count = reg.sign_count
    for _ in range(2):
        options_a = auth_options()
        assert options_a["allowCredentials"] == []
        assertion = authn.get(options_a, ORIGIN)
        assert b64url_decode(assertion["response"]["userHandle"]) == USER_ID
        assert assertion["clientExtensionResults"] == {}
        result = verify_auth(assertion, options_a, reg.credential_public_key, count)
        assert result.new_sign_count > count
        assert result.user_verified
        assert result.credential_id == reg.credential_id
        count = result.new_sign_count


def test_registration_without_uv_rejected() -> None:
    options = reg_options()
    cred = SoftAuthenticator().create(options, ORIGIN, user_verified=False)
    with pytest.raises(InvalidRegistrationResponse, match="User verification is required"):
        verify_reg(cred, options)


def test_registration_without_up_rejected() -> None:
    options = reg_options()
    cred = SoftAuthenticator().create(options, ORIGIN, user_present=False)
    with pytest.raises(InvalidRegistrationResponse, match="User presence was required"):
        verify_reg(cred, options)


def test_registration_wrong_origin_rejected() -> None:
    options = reg_options()
    cred = SoftAuthenticator().create(options, "https://evil.example")
    with pytest.raises(InvalidRegistrationResponse, match="Unexpected client data origin"):
        verify_reg(cred, options)


def test_registration_wrong_challenge_rejected() -> None:
    options = reg_options()
    cred = SoftAuthenticator().create(options, ORIGIN)
    with pytest.raises(InvalidRegistrationResponse, match="challenge was not expected"):
        verify_reg(cred, options, expected_challenge=b"some-other-challenge")


def test_registration_rp_id_mismatch_rejected() -> None:
    options = reg_options()
    cred = SoftAuthenticator().create(options, ORIGIN, rp_id_override="evil.example")
    with pytest.raises(InvalidRegistrationResponse, match="Unexpected RP ID hash"):
        verify_reg(cred, options)


def test_registration_malformed_json_rejected() -> None:
    options = reg_options()
    cred = SoftAuthenticator().create(options, ORIGIN)
    del cred["response"]["clientDataJSON"]
    with pytest.raises(InvalidJSONStructure):
        verify_reg(cred, options)


def test_backup_flags_and_prf() -> None:
    options = reg_options()
    options["extensions"] = {"prf": {}, "credProps": True}
    cred = SoftAuthenticator().create(
        options, ORIGIN, backup_eligible=True, backup_state=True, aaguid=bytes(range(16))
    )
    assert cred["clientExtensionResults"] == {"prf": {"enabled": True}, "credProps": {"rk": True}}
    assert b64url_decode(cred["response"]["authenticatorData"])[32] & FLAG_ED
    reg = verify_reg(cred, options)
    assert reg.credential_device_type == CredentialDeviceType.MULTI_DEVICE
    assert reg.credential_backed_up
    assert reg.aaguid == "00010203-0405-0607-0809-0a0b0c0d0e0f"


def test_backup_state_without_eligibility_rejected() -> None:
    options = reg_options()
    cred = SoftAuthenticator().create(options, ORIGIN, backup_state=True)
    with pytest.raises(InvalidBackupFlags):
        verify_reg(cred, options)


def test_exclude_credentials_refused(registered: tuple[SoftAuthenticator, Any]) -> None:
    authn, reg = registered
    options = reg_options()
    options["excludeCredentials"] = [{"type": "public-key", "id": b64url_encode(reg.credential_id)}]
    with pytest.raises(AuthenticatorError, match="InvalidStateError"):
        authn.create(options, ORIGIN)


def test_login_without_uv_rejected(registered: tuple[SoftAuthenticator, Any]) -> None:
    authn, reg = registered
    options = auth_options()
    assertion = authn.get(options, ORIGIN, user_verified=False)
    with pytest.raises(InvalidAuthenticationResponse, match="User verification is required"):
        verify_auth(assertion, options, reg.credential_public_key, 0)


def test_login_without_up_rejected(registered: tuple[SoftAuthenticator, Any]) -> None:
    authn, reg = registered
    options = auth_options()
    assertion = authn.get(options, ORIGIN, user_present=False)
    with pytest.raises(InvalidAuthenticationResponse, match="User was not present"):
        verify_auth(assertion, options, reg.credential_public_key, 0)


def test_login_wrong_origin_rejected(registered: tuple[SoftAuthenticator, Any]) -> None:
    authn, reg = registered
    options = auth_options()
    assertion = authn.get(options, "http://localhost:9999")
    with pytest.raises(InvalidAuthenticationResponse, match="Unexpected client data origin"):
        verify_auth(assertion, options, reg.credential_public_key, 0)


def test_login_wrong_challenge_rejected(registered: tuple[SoftAuthenticator, Any]) -> None:
    authn, reg = registered
    options = auth_options()
    assertion = authn.get(auth_options(), ORIGIN)  # answers a different challenge
    with pytest.raises(InvalidAuthenticationResponse, match="challenge was not expected"):
        verify_auth(assertion, options, reg.credential_public_key, 0)


def test_login_sign_count_regression_rejected(
    registered: tuple[SoftAuthenticator, Any],
) -> None:
    authn, reg = registered
    options = auth_options()
    first = verify_auth(authn.get(options, ORIGIN), options, reg.credential_public_key, 0)
    options = auth_options()
    replay = authn.get(options, ORIGIN, sign_count=first.new_sign_count)
    with pytest.raises(InvalidAuthenticationResponse, match="was not greater than"):
        verify_auth(replay, options, reg.credential_public_key, first.new_sign_count)


def test_login_rp_id_mismatch_rejected(registered: tuple[SoftAuthenticator, Any]) -> None:
    authn, reg = registered
    options = auth_options()
    assertion = authn.get(options, ORIGIN, rp_id_override="evil.example")
    with pytest.raises(InvalidAuthenticationResponse, match="Unexpected RP ID hash"):
        verify_auth(assertion, options, reg.credential_public_key, 0)


def test_login_wrong_key_rejected(registered: tuple[SoftAuthenticator, Any]) -> None:
    authn, _ = registered
    other_options = reg_options(b"user-0002")
    other = verify_reg(SoftAuthenticator().create(other_options, ORIGIN), other_options)
    options = auth_options()
    assertion = authn.get(options, ORIGIN)
    with pytest.raises(InvalidAuthenticationResponse, match="Could not verify"):
        verify_auth(assertion, options, other.credential_public_key, 0)


def test_credential_selection() -> None:
    authn = SoftAuthenticator()
    first_opts, second_opts = reg_options(b"user-a"), reg_options(b"user-b")
    first = authn.create(first_opts, ORIGIN)
    authn.create(second_opts, ORIGIN)
    options = auth_options()
    options["allowCredentials"] = [{"type": "public-key", "id": first["id"]}]
    assert authn.get(options, ORIGIN)["id"] == first["id"]
    chosen = authn.get(auth_options(), ORIGIN, credential_id=b64url_decode(first["id"]))
    assert chosen["response"]["userHandle"] == first_opts["user"]["id"]
    assert authn.find(b64url_decode(first["id"])).sign_count == 2
    with pytest.raises(AuthenticatorError, match="NotAllowedError"):
        authn.get(auth_options("example.com"), "https://example.com")
