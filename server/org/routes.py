"""Administration of accounts, teams and areas (thin HTTP; rules in org.service, org.admin,
org.places and org.bulk). Administrators only; every change is audited by its service."""

from __future__ import annotations

import uuid

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from server.api import Endpoint, Handler, json_response, read_body, read_query
from server.context import RequestContext
from server.errors import NotFound
from server.org import admin, bulk, places, service
from server.org.models import Role
from server.org.schemas import (
    AccountStatusRequest,
    AdminOfficerList,
    AdminOfficerOut,
    AreaList,
    AreaOut,
    CreateOfficerRequest,
    CreateTeamRequest,
    EditOfficerRequest,
    ImportOfficersRequest,
    ImportResult,
    MoveOfficerRequest,
    NameRequest,
    OfficerQuery,
    TeamList,
    TeamOut,
)
from server.org.views import admin_officer_out, area_out, team_out


def _officer_id(request: Request) -> uuid.UUID:
    officer_id: uuid.UUID = request.path_params["officer_id"]
    return officer_id


def _row_id(request: Request, name: str) -> int:
    """An integer id from the path; one beyond any row id is simply not found."""
    value: int = request.path_params[name]
    if value > 2_147_483_647:
        raise NotFound()
    return value


async def list_officers(request: Request, ctx: RequestContext) -> Response:
    """Accounts by collar number, filtered by team, role or whether active."""
    officers = await admin.list_accounts(read_query(request, OfficerQuery))
    return json_response(AdminOfficerList(officers=[admin_officer_out(o) for o in officers]))


async def create_officer(request: Request, ctx: RequestContext) -> Response:
    """Create an account (team and area created if new)."""
    body = await read_body(request, CreateOfficerRequest)
    officer = await service.create_account(body, ctx=ctx)
    return json_response(admin_officer_out(await admin.get_account(officer.id)), 201)


async def get_officer(request: Request, ctx: RequestContext) -> Response:
    """One account."""
    return json_response(admin_officer_out(await admin.get_account(_officer_id(request))))


async def edit_officer(request: Request, ctx: RequestContext) -> Response:
    """Change an account's name, contact details, role or supervision scope."""
    body = await read_body(request, EditOfficerRequest)
    officer = await admin.edit_account(_officer_id(request), body, ctx=ctx)
    return json_response(admin_officer_out(officer))


async def move_officer(request: Request, ctx: RequestContext) -> Response:
    """Move an account to another team; its visits stay its own."""
    body = await read_body(request, MoveOfficerRequest)
    officer = await admin.move_account(_officer_id(request), body.team_id, body.reason, ctx=ctx)
    return json_response(admin_officer_out(officer))


async def deactivate_officer(request: Request, ctx: RequestContext) -> Response:
    """End an account's sessions and refuse it from now on; its records stay."""
    body = await read_body(request, AccountStatusRequest)
    officer = await admin.set_active(_officer_id(request), False, body.reason, ctx=ctx)
    return json_response(admin_officer_out(officer))


async def reactivate_officer(request: Request, ctx: RequestContext) -> Response:
    """Let a deactivated account sign in again (it needs a passkey or an enrolment code)."""
    body = await read_body(request, AccountStatusRequest)
    officer = await admin.set_active(_officer_id(request), True, body.reason, ctx=ctx)
    return json_response(admin_officer_out(officer))


async def import_officers(request: Request, ctx: RequestContext) -> Response:
    """Create accounts from CSV text, one outcome per row (a dry run creates nothing)."""
    body = await read_body(request, ImportOfficersRequest)
    return json_response(await bulk.import_officers(body.csv, body.dry_run, ctx=ctx))


async def list_teams(request: Request, ctx: RequestContext) -> Response:
    """Every team with its area."""
    teams = await service.list_teams()
    return json_response(TeamList(teams=[team_out(t) for t in teams]))


async def create_team(request: Request, ctx: RequestContext) -> Response:
    """Create a team in an area (the area is created if new)."""
    body = await read_body(request, CreateTeamRequest)
    team = await places.add_team(body.name, body.area, ctx=ctx)
    return json_response(team_out(team), 201)


async def rename_team(request: Request, ctx: RequestContext) -> Response:
    """Rename a team."""
    body = await read_body(request, NameRequest)
    team = await places.rename_team(_row_id(request, "team_id"), body.name, ctx=ctx)
    return json_response(team_out(team))


async def list_areas(request: Request, ctx: RequestContext) -> Response:
    """Every area."""
    return json_response(AreaList(areas=[area_out(a) for a in await places.list_areas()]))


async def create_area(request: Request, ctx: RequestContext) -> Response:
    """Create an area."""
    body = await read_body(request, NameRequest)
    return json_response(area_out(await places.add_area(body.name, ctx=ctx)), 201)


async def rename_area(request: Request, ctx: RequestContext) -> Response:
    """Rename an area."""
    body = await read_body(request, NameRequest)
    area = await places.rename_area(_row_id(request, "area_id"), body.name, ctx=ctx)
    return json_response(area_out(area))


ADMIN = frozenset({Role.ADMIN})
OFFICER = "/api/admin/officers/{officer_id:uuid}"


def _admin(
    path: str,
    method: str,
    handler: Handler,
    summary: str,
    *,
    response: type[BaseModel],
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (403,),
) -> Endpoint:
    """An endpoint of the administrator's workspace (tag ``admin``, administrators only)."""
    return Endpoint(
        path,
        method,
        handler,
        summary,
        "admin",
        body=body,
        query=query,
        response=response,
        status=status,
        errors=errors,
        roles=ADMIN,
    )


endpoints = [
    _admin(
        "/api/admin/officers",
        "GET",
        list_officers,
        "List accounts",
        query=OfficerQuery,
        response=AdminOfficerList,
        errors=(403,),
    ),
    _admin(
        "/api/admin/officers",
        "POST",
        create_officer,
        "Create an account",
        body=CreateOfficerRequest,
        response=AdminOfficerOut,
        status=201,
        errors=(403, 409),
    ),
    _admin(
        "/api/admin/officers/import",
        "POST",
        import_officers,
        "Create accounts from a CSV file (row-level outcomes; dry run)",
        body=ImportOfficersRequest,
        response=ImportResult,
        errors=(403,),
    ),
    _admin(OFFICER, "GET", get_officer, "One account", response=AdminOfficerOut, errors=(403, 404)),
    _admin(
        OFFICER,
        "PATCH",
        edit_officer,
        "Edit an account (name, leave-behind contact details, role, scope)",
        body=EditOfficerRequest,
        response=AdminOfficerOut,
        errors=(403, 404, 409),
    ),
    _admin(
        OFFICER + "/move",
        "POST",
        move_officer,
        "Move an account to another team",
        body=MoveOfficerRequest,
        response=AdminOfficerOut,
        errors=(403, 404),
    ),
    _admin(
        OFFICER + "/deactivate",
        "POST",
        deactivate_officer,
        "Deactivate an account: sessions end, devices stop syncing, records stay",
        body=AccountStatusRequest,
        response=AdminOfficerOut,
        errors=(403, 404, 409),
    ),
    _admin(
        OFFICER + "/reactivate",
        "POST",
        reactivate_officer,
        "Reactivate an account",
        body=AccountStatusRequest,
        response=AdminOfficerOut,
        errors=(403, 404),
    ),
    _admin("/api/admin/teams", "GET", list_teams, "List teams", response=TeamList, errors=(403,)),
    _admin(
        "/api/admin/teams",
        "POST",
        create_team,
        "Create a team",
        body=CreateTeamRequest,
        response=TeamOut,
        status=201,
        errors=(403, 409),
    ),
    _admin(
        "/api/admin/teams/{team_id:int}",
        "PATCH",
        rename_team,
        "Rename a team",
        body=NameRequest,
        response=TeamOut,
        errors=(403, 404, 409),
    ),
    _admin("/api/admin/areas", "GET", list_areas, "List areas", response=AreaList, errors=(403,)),
    _admin(
        "/api/admin/areas",
        "POST",
        create_area,
        "Create an area",
        body=NameRequest,
        response=AreaOut,
        status=201,
        errors=(403, 409),
    ),
    _admin(
        "/api/admin/areas/{area_id:int}",
        "PATCH",
        rename_area,
        "Rename an area",
        body=NameRequest,
        response=AreaOut,
        errors=(403, 404, 409),
    ),
]
