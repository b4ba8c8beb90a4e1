"""Driving the real passkey endpoints with the software authenticator."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.authenticator import SoftAuthenticator

ORIGIN = "http://localhost:8000"


async def enrol(
    client: httpx.AsyncClient,
    authenticator: SoftAuthenticator,
    collar: str,
    code: str,
    *,
    origin: str = ORIGIN,
    label: str = "Test phone",
    **create: Any,
) -> httpx.Response:
    """Run the enrolment ceremony; returns the verify response (cookie set on success)."""
    options = await client.post("/api/auth/enrol/options", json={"collar": collar, "code": code})
    assert options.status_code == 200, options.text
    credential = authenticator.create(options.json(), origin, **create)
    return await client.post(
        "/api/auth/enrol/verify", json={"credential": credential, "label": label}
    )


async def login_credential(
    client: httpx.AsyncClient,
    authenticator: SoftAuthenticator,
    *,
    origin: str = ORIGIN,
    **get: Any,
) -> dict[str, Any]:
    """Fetch login options and sign them; returns the credential JSON (not yet sent)."""
    options = await client.post("/api/auth/login/options", json={})
    assert options.status_code == 200, options.text
    return authenticator.get(options.json(), origin, **get)


async def login(
    client: httpx.AsyncClient, authenticator: SoftAuthenticator, **get: Any
) -> httpx.Response:
    """Run the sign-in ceremony."""
    credential = await login_credential(client, authenticator, **get)
    return await client.post("/api/auth/login/verify", json={"credential": credential})
