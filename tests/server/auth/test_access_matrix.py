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
from server.org.models import Team
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
ROLES = ["anonymous", "officer", "supervisor", "admin", "auditor"]

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
    # The administrator's workspace (server/org/routes.py, server/visits/routes.py).
    ("GET", "/api/admin/officers/{officer_id}"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    ("PATCH", "/api/admin/officers/{officer_id}"): (
        {"display_name": "PC Renamed {n}"},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    ("POST", "/api/admin/officers/{officer_id}/move"): (
        {"team_id": "{team}"},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    ("POST", "/api/admin/officers/{officer_id}/deactivate"): (
        {"reason": "left the force"},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    ("POST", "/api/admin/officers/{officer_id}/reactivate"): (
        {"reason": "came back"},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    ("POST", "/api/admin/officers/import"): (
        {"csv": "collar_number,display_name,role,team\n", "dry_run": True},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    ("PATCH", "/api/admin/teams/{team_id}"): (
        {"name": "Team {n}"},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    ("GET", "/api/admin/areas"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    ("POST", "/api/admin/areas"): (
        {"name": "Area {n}"},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 201},
    ),
    ("PATCH", "/api/admin/areas/{area_id}"): (
        {"name": "Area {n}"},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    ("POST", "/api/admin/visits/{visit_id}/reassign"): (
        {"officer_id": "{officer}", "reason": "cover for leave"},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 404},
    ),
    # Retention and erasure (server/retention/routes.py); an unknown visit is 404.
    ("POST", "/api/admin/visits/{visit_id}/erase"): (
        {"basis": "recorded_in_error", "reason": "recorded against the wrong crime"},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 404},
    ),
    ("GET", "/api/admin/retention"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    # Complete exports (server/exports/routes.py): supervisors in scope, a reason required.
    ("GET", "/api/exports/visits.zip"): (
        {"reason": "problem profile"},
        {"anonymous": 401, "officer": 403, "supervisor": 200, "admin": 403},
    ),
    ("GET", "/api/exports/{collection}"): (
        {"reason": "problem profile"},
        {"anonymous": 401, "officer": 403, "supervisor": 200, "admin": 403},
    ),
    # Reading the audit (server/oversight/routes.py); an unknown visit is 404.
    ("GET", "/api/visits/{visit_id}/audit"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 404, "admin": 403},
    ),
    ("GET", "/api/audit"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 403},
    ),
    # The advice catalogue as data (server/advice/routes.py); unknown items are 404.
    ("GET", "/api/admin/advice"): (
        None,
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 200},
    ),
    ("POST", "/api/admin/advice"): (
        {"category": "Habits", "title": "Item {n}", "body": "Advice."},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 201},
    ),
    ("PUT", "/api/admin/advice/{item_id}"): (
        {"title": "Edited"},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 404},
    ),
    ("POST", "/api/admin/advice/{item_id}/retire"): (
        {"reason": "withdrawn"},
        {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 404},
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


# The auditor's column, kept apart so that a row added without it fails
# test_every_row_states_the_auditor until someone decides. Auditors read the audit log and
# nothing of a victim's: everything else that is not open to every signed-in caller is 403.
AUDITOR: dict[tuple[str, str], int] = {
    ("GET", "/api/me"): 200,
    ("POST", "/api/visits/validate"): 200,
    ("GET", "/api/visits"): 403,
    ("GET", "/api/visits/{visit_id}"): 403,
    ("POST", "/api/visits/{visit_id}/review"): 403,
    ("GET", "/api/stats"): 403,
    ("GET", "/api/exports/visits.csv"): 403,
    ("GET", "/api/advice"): 200,
    ("GET", "/api/admin/officers"): 403,
    ("POST", "/api/admin/officers"): 403,
    ("GET", "/api/admin/teams"): 403,
    ("POST", "/api/admin/teams"): 403,
    ("POST", "/api/admin/officers/{officer_id}/enrolment-codes"): 403,
    ("GET", "/api/admin/devices"): 403,
    ("POST", "/api/admin/devices/{device_id}/revoke"): 403,
    ("GET", "/api/admin/officers/{officer_id}"): 403,
    ("PATCH", "/api/admin/officers/{officer_id}"): 403,
    ("POST", "/api/admin/officers/{officer_id}/move"): 403,
    ("POST", "/api/admin/officers/{officer_id}/deactivate"): 403,
    ("POST", "/api/admin/officers/{officer_id}/reactivate"): 403,
    ("POST", "/api/admin/officers/import"): 403,
    ("PATCH", "/api/admin/teams/{team_id}"): 403,
    ("GET", "/api/admin/areas"): 403,
    ("POST", "/api/admin/areas"): 403,
    ("PATCH", "/api/admin/areas/{area_id}"): 403,
    ("POST", "/api/admin/visits/{visit_id}/reassign"): 403,
    ("POST", "/api/admin/visits/{visit_id}/erase"): 403,
    ("GET", "/api/admin/retention"): 403,
    ("GET", "/api/visits/{visit_id}/audit"): 404,
    ("GET", "/api/audit"): 200,
    ("GET", "/api/exports/visits.zip"): 403,
    ("GET", "/api/exports/{collection}"): 403,
    ("GET", "/api/admin/advice"): 403,
    ("POST", "/api/admin/advice"): 403,
    ("PUT", "/api/admin/advice/{item_id}"): 403,
    ("POST", "/api/admin/advice/{item_id}/retire"): 403,
    # Sync answers 200 (pushes rejected forbidden, pulls empty); no photo is theirs.
    ("POST", "/api/sync/push"): 200,
    ("POST", "/api/sync/pull"): 200,
    ("OPTIONS", "/api/uploads"): 204,
    ("POST", "/api/uploads"): 412,
    ("HEAD", "/api/uploads/{upload_id}"): 404,
    ("PATCH", "/api/uploads/{upload_id}"): 404,
    ("GET", "/api/photos/{photo_id}/original"): 404,
    ("GET", "/api/photos/{photo_id}/display"): 404,
    ("GET", "/api/photos/{photo_id}/thumb"): 404,
    # A notice is only ever its own device's: an unknown one is 404 to anyone signed in.
    ("POST", "/api/me/notices/{notice_id}/ack"): 404,
    # Intake takes an integration's token, never a session.
    ("POST", "/api/reports"): 401,
    # Reported burglaries, the pledge figures and aftercare hold victims' data.
    ("GET", "/api/reports"): 403,
    ("GET", "/api/reports/{report_id}"): 403,
    ("GET", "/api/reports/assignees"): 403,
    ("POST", "/api/reports/{report_id}/assign"): 403,
    ("POST", "/api/reports/{report_id}/close"): 403,
    ("GET", "/api/pledge"): 403,
    ("GET", "/api/addresses/history"): 403,
    ("POST", "/api/visits/{visit_id}/addenda"): 403,
    ("GET", "/api/visits/{visit_id}/aftercare"): 403,
    ("GET", "/api/aftercare/overdue"): 403,
    ("GET", "/api/aftercare/figures"): 403,
    # The leave-behind's texts hold no personal data (every signed-in caller reads them).
    ("GET", "/api/leave-behind"): 200,
    ("GET", "/api/leave-behind/versions/{version}"): 200,
    ("PUT", "/api/admin/leave-behind"): 403,
}


def test_every_row_states_the_auditor() -> None:
    guarded = {key for key, (body, _) in MATRIX.items() if body != "public"}
    assert set(AUDITOR) == guarded


def _expected(method: str, path: str, role: str) -> int:
    if role == "auditor":
        return AUDITOR[(method, path)]
    return MATRIX[(method, path)][1][role]


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
    body, _ = MATRIX[(method, path)]
    target = await enrolled()  # someone to act on (their officer id and device)
    caller = make_client() if role == "anonymous" else (await enrolled(role=role)).client
    team_id = target.officer.team_id  # type: ignore[attr-defined]
    area_id = (await Team.get(id=team_id)).area_id  # type: ignore[attr-defined]
    url = path.format(
        officer_id=target.officer.id,
        team_id=team_id,
        area_id=area_id,
        item_id="no-such-item",
        collection="photos",
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
            k: (
                v.format(
                    n=uuid.uuid4().hex[:6],
                    client=uuid.uuid4(),
                    team=team_id,
                    officer=target.officer.id,
                )
                if isinstance(v, str)
                else v
            )
            for k, v in body.items()
        }
    if method == "GET":
        response = await caller.request(method, url, params=payload)
    else:
        response = await caller.request(method, url, json=payload)
    assert response.status_code == _expected(method, path, role), response.text
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
                .replace("{team_id}", "1")
                .replace("{item_id}", "no-such-item")
                .replace("{collection}", "photos")
                .replace("{area_id}", "1")
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
    "auditor": ("absent", "rejected:forbidden"),
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
    "auditor": {"role": "auditor", "team": "Team A", "area": "Area X"},
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
