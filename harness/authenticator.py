"""Software WebAuthn authenticator that emits browser-shaped JSON credentials for API tests."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

FLAG_UP = 0x01
FLAG_UV = 0x04
FLAG_BE = 0x08
FLAG_BS = 0x10
FLAG_AT = 0x40
FLAG_ED = 0x80
COSE_ALG_ES256 = -7


class AuthenticatorError(Exception):
    """Refusal of a ceremony, mirroring the DOMException a browser would raise."""


def b64url_encode(data: bytes) -> str:
    """Encode bytes as unpadded base64url, as PublicKeyCredential.toJSON() does."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(data: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


@dataclass
class StoredCredential:
    """A resident (discoverable) ES256 credential held by the soft authenticator."""

    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0
    backup_eligible: bool = False
    backup_state: bool = False

    def cose_public_key(self) -> bytes:
        """Return the COSE_Key (EC2, P-256, ES256) encoding of the public key."""
        numbers = self.private_key.public_key().public_numbers()
        cose = {
            1: 2,
            3: COSE_ALG_ES256,
            -1: 1,
            -2: numbers.x.to_bytes(32, "big"),
            -3: numbers.y.to_bytes(32, "big"),
        }
        return cbor2.dumps(cose)

    def spki_public_key(self) -> bytes:
        """Return the DER SubjectPublicKeyInfo, as in the JSON publicKey field."""
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, data: bytes) -> bytes:
        """Return a DER ECDSA-SHA256 signature over data."""
        return self.private_key.sign(data, ec.ECDSA(hashes.SHA256()))


def _client_data(kind: str, challenge: str, origin: str) -> bytes:
    """Serialize CollectedClientData compactly in the browser's key order."""
    data = {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


def _flags(*, up: bool, uv: bool, be: bool, bs: bool, at: bool, ed: bool) -> int:
    """Pack the authenticatorData flags byte."""
    bits = (
        (up, FLAG_UP),
        (uv, FLAG_UV),
        (be, FLAG_BE),
        (bs, FLAG_BS),
        (at, FLAG_AT),
        (ed, FLAG_ED),
    )
    return sum(bit for on, bit in bits if on)


def _rp_id(explicit: object, origin: str) -> str:
    """Use the options' RP ID, else default to the origin's host like a browser."""
    if isinstance(explicit, str) and explicit:
        return explicit
    return urlsplit(origin).hostname or ""


class SoftAuthenticator:
    """In-memory platform authenticator holding discoverable ES256 credentials."""

    def __init__(self) -> None:
        """Start with an empty credential store."""
        self.credentials: list[StoredCredential] = []

    def find(self, credential_id: bytes) -> StoredCredential:
        """Return the stored credential with this ID or raise KeyError."""
        for cred in self.credentials:
            if cred.credential_id == credential_id:
                return cred
        raise KeyError(b64url_encode(credential_id))

    def create(
        self,
        options: Mapping[str, Any],
        origin: str,
        *,
        user_verified: bool = True,
        user_present: bool = True,
        backup_eligible: bool = False,
        backup_state: bool = False,
        aaguid: bytes = bytes(16),
        rp_id_override: str | None = None,
    ) -> dict[str, Any]:
        """Make a credential from JSON creation options; return RegistrationResponseJSON."""
        if len(aaguid) != 16:
            raise ValueError("aaguid must be 16 bytes")
        algs = [p.get("alg") for p in options.get("pubKeyCredParams", [])]
        if algs and COSE_ALG_ES256 not in algs:
            raise AuthenticatorError("NotSupportedError: ES256 (-7) not in pubKeyCredParams")
        rp_id = _rp_id(options.get("rp", {}).get("id"), origin)
        user_handle = b64url_decode(options["user"]["id"])
        excluded = {b64url_decode(c["id"]) for c in options.get("excludeCredentials") or []}
        if any(c.rp_id == rp_id and c.credential_id in excluded for c in self.credentials):
            raise AuthenticatorError("InvalidStateError: credential is excluded")

        cred = StoredCredential(
            credential_id=os.urandom(32),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=rp_id,
            user_handle=user_handle,
            backup_eligible=backup_eligible,
            backup_state=backup_state,
        )
        # A resident key replaces any earlier one for the same (rp_id, user handle).
        self.credentials = [
            c for c in self.credentials if (c.rp_id, c.user_handle) != (rp_id, user_handle)
        ]
        self.credentials.append(cred)

        requested = options.get("extensions") or {}
        client_ext: dict[str, Any] = {}
        auth_ext: dict[str, Any] = {}
        if "prf" in requested:
            client_ext["prf"] = {"enabled": True}
            auth_ext["hmac-secret"] = True
        if requested.get("credProps"):
            client_ext["credProps"] = {"rk": True}

        flags = _flags(
            up=user_present,
            uv=user_verified,
            be=backup_eligible,
            bs=backup_state,
            at=True,
            ed=bool(auth_ext),
        )
        attested = (
            aaguid
            + len(cred.credential_id).to_bytes(2, "big")
            + cred.credential_id
            + cred.cose_public_key()
        )
        auth_data = (
            hashlib.sha256((rp_id_override or rp_id).encode("utf-8")).digest()
            + bytes([flags])
            + cred.sign_count.to_bytes(4, "big")
            + attested
            + (cbor2.dumps(auth_ext) if auth_ext else b"")
        )
        attestation_object = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = _client_data("webauthn.create", options["challenge"], origin)
        cred_id = b64url_encode(cred.credential_id)
        return {
            "id": cred_id,
            "rawId": cred_id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url_encode(client_data),
                "attestationObject": b64url_encode(attestation_object),
                "transports": ["internal"],
                "publicKeyAlgorithm": COSE_ALG_ES256,
                "publicKey": b64url_encode(cred.spki_public_key()),
                "authenticatorData": b64url_encode(auth_data),
            },
            "clientExtensionResults": client_ext,
            "authenticatorAttachment": "platform",
        }

    def get(
        self,
        options: Mapping[str, Any],
        origin: str,
        *,
        user_verified: bool = True,
        user_present: bool = True,
        credential_id: bytes | None = None,
        sign_count: int | None = None,
        rp_id_override: str | None = None,
    ) -> dict[str, Any]:
        """Sign an assertion for JSON request options; return AuthenticationResponseJSON."""
        rp_id = _rp_id(options.get("rpId"), origin)
        if credential_id is not None:
            cred = self.find(credential_id)
        else:
            allowed = {b64url_decode(c["id"]) for c in options.get("allowCredentials") or []}
            candidates = [
                c
                for c in self.credentials
                if c.rp_id == rp_id and (not allowed or c.credential_id in allowed)
            ]
            if not candidates:
                raise AuthenticatorError(f"NotAllowedError: no credential for RP ID {rp_id!r}")
            cred = candidates[-1]  # most recently created, like an account chooser's top entry
        cred.sign_count = cred.sign_count + 1 if sign_count is None else sign_count

        flags = _flags(
            up=user_present,
            uv=user_verified,
            be=cred.backup_eligible,
            bs=cred.backup_state,
            at=False,
            ed=False,
        )
        auth_data = (
            hashlib.sha256((rp_id_override or rp_id).encode("utf-8")).digest()
            + bytes([flags])
            + cred.sign_count.to_bytes(4, "big")
        )
        client_data = _client_data("webauthn.get", options["challenge"], origin)
        signature = cred.sign(auth_data + hashlib.sha256(client_data).digest())
        cred_id = b64url_encode(cred.credential_id)
        return {
            "id": cred_id,
            "rawId": cred_id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url_encode(client_data),
                "authenticatorData": b64url_encode(auth_data),
                "signature": b64url_encode(signature),
                "userHandle": b64url_encode(cred.user_handle),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
