"""Who may call what: a table of every route x role, generated into tests.

Every endpoint the app serves must have a row here, so a new route without one fails the suite.
Record-level rows (owner / other team / other area) join the table as record routes land.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.conftest import Person

Enrolled = Callable[..., Awaitable[Person]]
ROLES = ["anonymous", "officer", "supervisor", "admin"]

# (method, path) -> (body or None, {role: expected status})
MATRIX: dict[tuple[str, str], tuple[Any, dict[str, int]]] = {
    ("GET", "/api/me"): (None, {"anonymous": 401, "officer": 200, "supervisor": 200, "admin": 200}),
    ("POST", "/api/visits/validate"): (
        {"address": {"postcode": "WR3 8JE"}},
        {"anonymous": 401, "officer": 200, "supervisor": 200, "admin": 200},
    ),
    ("GET", "/api/admin/officers"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    ("POST", "/api/admin/officers"): (
        {"collar_number": "NEW{n}", "display_name": "PC New", "role": "officer", "team": "T9"},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 201},
    ),
    ("GET", "/api/admin/teams"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    ("POST", "/api/admin/teams"): (
        {"name": "Team {n}", "area": "North"},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 201},
    ),
    ("POST", "/api/admin/officers/{officer_id}/enrolment-codes"): (
        {},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 201},
    ),
    ("GET", "/api/admin/devices"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    ("POST", "/api/admin/devices/{device_id}/revoke"): (
        {"reason": "lost phone"},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    # Public by design: the sign-in ceremonies themselves (their own tests cover them).
    ("POST", "/api/auth/enrol/options"): ("public", {}),
    ("POST", "/api/auth/enrol/verify"): ("public", {}),
    ("POST", "/api/auth/login/options"): ("public", {}),
    ("POST", "/api/auth/login/verify"): ("public", {}),
    ("POST", "/api/auth/logout"): ("public", {}),
}


def _served(app: Starlette) -> set[tuple[str, str]]:
    return {
        (e.method, e.path.replace(":uuid", "").replace(":int", "")) for e in app.state.endpoints
    }


def test_matrix_covers_every_endpoint(app: Starlette) -> None:
    missing = _served(app) - set(MATRIX)
    assert not missing, f"routes without an access-control row: {sorted(missing)}"
    stale = set(MATRIX) - _served(app)
    assert not stale, f"rows for routes that no longer exist: {sorted(stale)}"


def test_public_endpoints_are_exactly_the_sign_in_ceremonies(app: Starlette) -> None:
    public = {(e.method, e.path) for e in app.state.endpoints if e.public}
    assert public == {key for key, (body, _) in MATRIX.items() if body == "public"}


CASES = [
    (method, path, role)
    for (method, path), (body, statuses) in MATRIX.items()
    if body != "public"
    for role in ROLES
]


@pytest.mark.parametrize(("method", "path", "role"), CASES)
async def test_access_matrix(
    method: str,
    path: str,
    role: str,
    enrolled: Enrolled,
    make_client: Callable[[], httpx.AsyncClient],
) -> None:
    body, statuses = MATRIX[(method, path)]
    target = await enrolled()  # someone to act on (their officer id and device)
    caller = make_client() if role == "anonymous" else (await enrolled(role=role)).client
    url = path.format(officer_id=target.officer.id, device_id=target.device_id)
    payload = None
    if body is not None:
        payload = {
            k: (v.format(n=uuid.uuid4().hex[:6]) if isinstance(v, str) else v)
            for k, v in body.items()
        }
    response = await caller.request(method, url, json=payload)
    assert response.status_code == statuses[role], response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}


async def test_every_non_auth_route_is_401_without_session(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    spec = (await client.get("/api/openapi.json")).json()
    checked = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "security" not in operation:
                assert path.startswith("/api/auth/"), f"{method} {path} is public"
                continue
            url = path.replace("{officer_id}", str(uuid.uuid4())).replace(
                "{device_id}", str(uuid.uuid4())
            )
            response = await client.request(
                method.upper(),
                url,
                json={} if method != "get" else None,
                headers={"Origin": "http://localhost:8000"},
            )
            assert response.status_code == 401, f"{method.upper()} {path}: {response.status_code}"
            checked += 1
    assert checked >= 8
