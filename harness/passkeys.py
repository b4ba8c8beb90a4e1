"""Driving the real passkey endpoints with the software authenticator; accounts made by an
administrator through the admin API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx

from harness.authenticator import SoftAuthenticator
from harness.processes import doorstep

ORIGIN = "http://localhost:8000"


def _ok(response: httpx.Response, what: str) -> httpx.Response:
    if response.status_code != 200:
        raise RuntimeError(f"{what}: HTTP {response.status_code} {response.text[:500]}")
    return response


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
    _ok(options, f"enrol options for {collar}")
    credential = authenticator.create(options.json(), origin, **create)
    return await client.post(
        "/api/auth/enrol/verify", json={"credential": credential, "label": label}
    )


async def sign_in_new_device(
    client: httpx.AsyncClient, collar: str, code: str, *, origin: str, label: str
) -> SoftAuthenticator:
    """Enrol a new passkey and sign in (the session cookie lands in the client); raises
    RuntimeError if the server refuses. Returns the authenticator holding the passkey."""
    authenticator = SoftAuthenticator()
    response = await enrol(client, authenticator, collar, code, origin=origin, label=label)
    _ok(response, f"enrol verify for {collar}")
    return authenticator


async def login_credential(
    client: httpx.AsyncClient,
    authenticator: SoftAuthenticator,
    *,
    origin: str = ORIGIN,
    **get: Any,
) -> dict[str, Any]:
    """Fetch login options and sign them; returns the credential JSON (not yet sent)."""
    options = await client.post("/api/auth/login/options", json={})
    _ok(options, "login options")
    return authenticator.get(options.json(), origin, **get)


async def login(
    client: httpx.AsyncClient, authenticator: SoftAuthenticator, **get: Any
) -> httpx.Response:
    """Run the sign-in ceremony."""
    credential = await login_credential(client, authenticator, **get)
    return await client.post("/api/auth/login/verify", json={"credential": credential})


class Administrator:
    """An administrator signed in over HTTP, who makes accounts and their enrolment codes
    through the admin API (what a set-up of hundreds of officers wants instead of hundreds
    of ``doorstep`` commands)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    @classmethod
    @contextlib.asynccontextmanager
    async def signed_in(
        cls, base_url: str, origin: str, env: dict[str, str], collar: str = "ADMIN1"
    ) -> AsyncIterator[Administrator]:
        """An administrator made by ``doorstep create-officer --role admin`` and ``doorstep
        enrol-code`` on the database ``env`` names, signed in over HTTP at ``base_url``."""
        account = ["--collar", collar, "--name", "Administrator", "--role", "admin"]
        account += ["--team", "Administration", "--area", "Administration"]
        await asyncio.to_thread(doorstep, "create-officer", *account, env=env)
        issued = await asyncio.to_thread(doorstep, "enrol-code", collar, env=env)
        code = issued.strip().splitlines()[-1]
        async with httpx.AsyncClient(
            base_url=base_url, headers={"Origin": origin}, timeout=60
        ) as client:
            await sign_in_new_device(client, collar, code, origin=origin, label="Administrator")
            yield cls(client)

    async def create_officer(self, collar: str, name: str, **fields: Any) -> str:
        """``POST /api/admin/officers`` (role officer unless told; team, area, scope...): the
        new account's id."""
        body = {"collar_number": collar, "display_name": name, "role": "officer", **fields}
        created = await self.client.post("/api/admin/officers", json=body)
        if created.status_code != 201:
            raise RuntimeError(f"create {collar}: HTTP {created.status_code} {created.text}")
        return str(created.json()["id"])

    async def enrolment_code(self, officer_id: str) -> str:
        """A one-time enrolment code for the account."""
        issued = await self.client.post(
            f"/api/admin/officers/{officer_id}/enrolment-codes", json={}
        )
        if issued.status_code != 201:
            raise RuntimeError(f"code for {officer_id}: HTTP {issued.status_code} {issued.text}")
        return str(issued.json()["code"])

    async def new_officer(self, collar: str, name: str, **fields: Any) -> tuple[str, str]:
        """An account and its enrolment code: (collar, code)."""
        return collar, await self.enrolment_code(await self.create_officer(collar, name, **fields))
