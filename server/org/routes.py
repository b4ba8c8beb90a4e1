"""Administration of accounts and teams (thin HTTP; rules in org.service)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.api import Endpoint, json_response, read_body
from server.context import RequestContext
from server.org import service
from server.org.models import Role
from server.org.schemas import (
    CreateOfficerRequest,
    CreateTeamRequest,
    OfficerList,
    OfficerOut,
    TeamList,
    TeamOut,
)
from server.org.views import officer_out, team_out


async def list_officers(request: Request, ctx: RequestContext) -> Response:
    """Every account, by collar number."""
    officers = await service.list_officers()
    return json_response(OfficerList(officers=[officer_out(o) for o in officers]))


async def create_officer(request: Request, ctx: RequestContext) -> Response:
    """Create an account (team and area created if new)."""
    body = await read_body(request, CreateOfficerRequest)
    officer = await service.create_account(body, ctx=ctx)
    return json_response(officer_out(officer), 201)


async def list_teams(request: Request, ctx: RequestContext) -> Response:
    """Every team with its area."""
    teams = await service.list_teams()
    return json_response(TeamList(teams=[team_out(t) for t in teams]))


async def create_team(request: Request, ctx: RequestContext) -> Response:
    """Create a team in an area (the area is created if new)."""
    body = await read_body(request, CreateTeamRequest)
    team = await service.create_team(body.name, body.area)
    return json_response(team_out(team), 201)


ADMIN = frozenset({Role.ADMIN})

endpoints = [
    Endpoint(
        "/api/admin/officers",
        "GET",
        list_officers,
        "List accounts",
        "admin",
        response=OfficerList,
        errors=(403,),
        roles=ADMIN,
    ),
    Endpoint(
        "/api/admin/officers",
        "POST",
        create_officer,
        "Create an account",
        "admin",
        body=CreateOfficerRequest,
        response=OfficerOut,
        status=201,
        errors=(403, 409),
        roles=ADMIN,
    ),
    Endpoint(
        "/api/admin/teams",
        "GET",
        list_teams,
        "List teams",
        "admin",
        response=TeamList,
        errors=(403,),
        roles=ADMIN,
    ),
    Endpoint(
        "/api/admin/teams",
        "POST",
        create_team,
        "Create a team",
        "admin",
        body=CreateTeamRequest,
        response=TeamOut,
        status=201,
        errors=(403, 409),
        roles=ADMIN,
    ),
]
