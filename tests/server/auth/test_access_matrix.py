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

from server.aftercare.enums import Language
from server.aftercare.messages import LEAVE_BEHIND
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
ROLES = ["anonymous", "officer", "supervisor", "admin"]

# (method, path) -> (body or None, {role: expected status})
MATRIX: dict[tuple[str, str], tuple[Any, dict[str, int]]] = {
    ("GET", "/api/me"): (None, {"anonymous": 401, "officer": 200, "supervisor": 200, "admin": 200}),
    # Someone else's notice (here: an unknown id) is 404 for everyone.
    ("POST", "/api/me/notices/{notice_id}/ack"): (
        {},
        {"anonymous": 401, "officer": 404, "supervisor": 404, "admin": 404},
    ),
    ("POST", "/api/visits/validate"): (
        {"address": {"postcode": "WR3 8JE"}},
        {"anonymous": 401, "officer": 200, "supervisor": 200, "admin": 200},
    ),
    ("GET", "/api/visits"): (
        None,
        {"anonymous": 401, "officer": 200, "supervisor": 200, "admin": 403},
    ),
    ("GET", "/api/visits/{visit_id}"): (
        None,
        {"anonymous": 401, "officer": 404, "supervisor": 404, "admin": 403},
    ),
    ("POST", "/api/visits/{visit_id}/review"): (
        {"decision": "approve"},
        {"anonymous": 401, "officer": 403, "supervisor": 404, "admin": 403},
    ),
    ("GET", "/api/stats"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 200, "admin": 403},
    ),
    ("GET", "/api/exports/visits.csv"): (
        {"reason": "monthly pledge return"},
        {"anonymous": 401, "officer": 403, "supervisor": 200, "admin": 403},
    ),
    ("GET", "/api/advice"): (
        None,
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
    # Sync: any signed-in caller may use the endpoints; what each record does is below.
    ("POST", "/api/sync/push"): (
        {"client_id": "{client}", "mutations": []},
        {"anonymous": 401, "officer": 200, "supervisor": 200, "admin": 200},
    ),
    ("POST", "/api/sync/pull"): (
        {"client_id": "{client}", "cursor": None, "limit": 10},
        {"anonymous": 401, "officer": 200, "supervisor": 200, "admin": 200},
    ),
    # Photo bytes. Uploads are tus: without Tus-Resumable a signed-in caller gets 412; an
    # upload or photo that is not the caller's (here: unknown ids) is 404 for everyone.
    ("OPTIONS", "/api/uploads"): (
        None,
        {"anonymous": 401, "officer": 204, "supervisor": 204, "admin": 204},
    ),
    ("POST", "/api/uploads"): (
        None,
        {"anonymous": 401, "officer": 412, "supervisor": 412, "admin": 412},
    ),
    ("HEAD", "/api/uploads/{upload_id}"): (
        None,
        {"anonymous": 401, "officer": 404, "supervisor": 404, "admin": 404},
    ),
    ("PATCH", "/api/uploads/{upload_id}"): (
        None,
        {"anonymous": 401, "officer": 404, "supervisor": 404, "admin": 404},
    ),
    ("GET", "/api/photos/{photo_id}/original"): (
        None,
        {"anonymous": 401, "officer": 404, "supervisor": 404, "admin": 404},
    ),
    ("GET", "/api/photos/{photo_id}/display"): (
        None,
        {"anonymous": 401, "officer": 404, "supervisor": 404, "admin": 404},
    ),
    ("GET", "/api/photos/{photo_id}/thumb"): (
        None,
        {"anonymous": 401, "officer": 404, "supervisor": 404, "admin": 404},
    ),
    # Aftercare: addenda and the aftercare section of a visit (unknown ids: 404 in scope terms),
    # supervisors' lists and figures, the leave-behind texts (phones cache them) and their
    # administration.
    ("POST", "/api/visits/{visit_id}/addenda"): (
        {"kind": "note", "text": "CCTV collected"},
        {"anonymous": 401, "officer": 403, "supervisor": 404, "admin": 403},
    ),
    ("GET", "/api/visits/{visit_id}/aftercare"): (
        None,
        {"anonymous": 401, "officer": 404, "supervisor": 404, "admin": 403},
    ),
    ("GET", "/api/aftercare/overdue"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 200, "admin": 403},
    ),
    ("GET", "/api/aftercare/figures"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 200, "admin": 403},
    ),
    ("GET", "/api/leave-behind"): (
        None,
        {"anonymous": 401, "officer": 200, "supervisor": 200, "admin": 200},
    ),
    ("GET", "/api/leave-behind/versions/{version}"): (
        None,
        {"anonymous": 401, "officer": 200, "supervisor": 200, "admin": 200},
    ),
    ("PUT", "/api/admin/leave-behind"): (
        {"texts": {"en": dict(LEAVE_BEHIND[Language.EN])}},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    # Public by design: the victim's survey page (the token in its link is the capability;
    # tests/server/aftercare/test_survey_page.py covers it).
    ("GET", "/s/{token}"): ("public", {}),
    ("POST", "/s/{token}"): ("public", {}),
    # Intake takes an integration's bearer token, never a session: every role is refused
    # (tests/server/reports/test_intake.py covers the token itself).
    ("POST", "/api/reports"): (
        {"reports": []},
        {"anonymous": 401, "officer": 401, "supervisor": 401, "admin": 401},
    ),
    # The report queue is the supervisors' (officers get their reports by sync).
    ("GET", "/api/reports"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 200, "admin": 403},
    ),
    ("GET", "/api/reports/{report_id}"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 404, "admin": 403},
    ),
    ("GET", "/api/reports/assignees"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 200, "admin": 403},
    ),
    ("POST", "/api/reports/{report_id}/assign"): (
        {"team_id": 1},
        {"anonymous": 401, "officer": 403, "supervisor": 404, "admin": 403},
    ),
    ("POST", "/api/reports/{report_id}/close"): (
        {"reason": "duplicate"},
        {"anonymous": 401, "officer": 403, "supervisor": 404, "admin": 403},
    ),
    ("GET", "/api/pledge"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 200, "admin": 403},
    ),
    ("GET", "/api/addresses/history"): (
        {"postcode": "WR3 8JE", "line1": "14 Lansdowne Crescent"},
        {"anonymous": 401, "officer": 200, "supervisor": 200, "admin": 403},
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


def test_public_endpoints_are_exactly_the_sign_in_ceremonies_and_the_survey(
    app: Starlette,
) -> None:
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
    url = path.format(
        officer_id=target.officer.id,
        device_id=target.device_id,
        visit_id=uuid.uuid4(),
        photo_id=uuid.uuid4(),
        upload_id=uuid.uuid4(),
        version=1,
        notice_id=uuid.uuid4(),
        report_id=uuid.uuid4(),
    )
    payload = None
    if body is not None:
        payload = {
            k: (v.format(n=uuid.uuid4().hex[:6], client=uuid.uuid4()) if isinstance(v, str) else v)
            for k, v in body.items()
        }
    if method == "GET":
        response = await caller.request(method, url, params=payload)
    else:
        response = await caller.request(method, url, json=payload)
    assert response.status_code == statuses[role], response.text
    if response.status_code >= 400 and method != "HEAD":  # a HEAD answer has no body
        assert set(response.json()["error"]) == {"code", "message", "details"}


async def test_every_non_auth_route_is_401_without_session(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    spec = (await client.get("/api/openapi.json")).json()
    checked = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "security" not in operation:
                public = path.startswith(("/api/auth/", "/s/"))
                assert public, f"{method} {path} is public"
                continue
            url = (
                path.replace("{officer_id}", str(uuid.uuid4()))
                .replace("{device_id}", str(uuid.uuid4()))
                .replace("{visit_id}", str(uuid.uuid4()))
                .replace("{version}", "1")
                .replace("{notice_id}", str(uuid.uuid4()))
                .replace("{report_id}", str(uuid.uuid4()))
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


# --- record level: a visit owned by an officer of team A in area X --------------------------
# caller -> (what pull shows, what a push changing the visit gets)
RECORD_MATRIX: dict[str, tuple[str, str]] = {
    "owner": ("delivered", "applied"),
    "officer same team": ("absent", "rejected:not_found"),
    "officer other team": ("absent", "rejected:not_found"),
    "officer other area": ("absent", "rejected:not_found"),
    # Supervisors work online: the sync feed never puts victims' data on their devices.
    "supervisor of team": ("absent", "rejected:forbidden"),
    "supervisor other team": ("absent", "rejected:forbidden"),
    "area supervisor same area": ("absent", "rejected:forbidden"),
    "area supervisor other area": ("absent", "rejected:forbidden"),
    "admin": ("absent", "rejected:forbidden"),
}

CALLERS: dict[str, dict[str, str]] = {
    "officer same team": {"role": "officer", "team": "Team A", "area": "Area X"},
    "officer other team": {"role": "officer", "team": "Team B", "area": "Area X"},
    "officer other area": {"role": "officer", "team": "Team C", "area": "Area Y"},
    "supervisor of team": {"role": "supervisor", "team": "Team A", "area": "Area X"},
    "supervisor other team": {"role": "supervisor", "team": "Team B", "area": "Area X"},
    "area supervisor same area": {
        "role": "supervisor",
        "team": "Team B",
        "area": "Area X",
        "scope": "area",
    },
    "area supervisor other area": {
        "role": "supervisor",
        "team": "Team C",
        "area": "Area Y",
        "scope": "area",
    },
    "admin": {"role": "admin", "team": "Team A", "area": "Area X"},
}


@pytest.mark.parametrize("caller", list(RECORD_MATRIX))
async def test_record_matrix_sync_visit(caller: str, enrolled: Enrolled) -> None:
    from harness.phone import Phone, new_id

    owner = await enrolled(team="Team A", area="Area X")
    owner_phone = Phone(owner.client)
    visit_id = new_id()
    created = await owner_phone.push(
        owner_phone.mutation("visits", visit_id, {"victim.name": "Ann Smith"})
    )
    assert created.json()["results"][0]["status"] == "applied"
    person = owner if caller == "owner" else await enrolled(**CALLERS[caller])
    phone = owner_phone if caller == "owner" else Phone(person.client)
    expected_pull, expected_push = RECORD_MATRIX[caller]

    changes = await phone.pull_all()
    seen = visit_id in {c["id"] for c in changes}
    assert ("delivered" if seen else "absent") == expected_pull

    pushed = await phone.push(
        phone.mutation("visits", visit_id, {"victim.phone": "07700 900123"}, base_rev=1)
    )
    assert pushed.status_code == 200
    result = pushed.json()["results"][0]
    outcome = result["status"]
    if outcome == "rejected":
        outcome += ":" + result["error"]["code"]
    assert outcome == expected_push
