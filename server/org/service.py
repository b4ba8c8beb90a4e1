"""Rules for the organisation: who works in which team and area, and creating accounts.

``create_officer`` and ``create_team`` serve the ``doorstep`` command, the demo and the
administrators' endpoints alike; ``create_account`` is the administrator's audited way in.
"""

from __future__ import annotations

import re
import uuid

from tortoise.transactions import in_transaction

from server.audit.chain import AuditEntry
from server.audit.models import AuditAction
from server.context import RequestContext
from server.errors import Conflict, ValidationFailed
from server.org.models import Area, Officer, Role, SupervisionScope, Team
from server.org.schemas import CreateOfficerRequest

_COLLAR = re.compile(r"^[A-Za-z0-9]{1,20}$")
# The area of a team created with no area named.
DEFAULT_AREA = "Default area"


def code_of(name: str) -> str:
    """A team's or area's code from its name (``Worcester Response A`` -> ``worcester-response-a``);
    a code is its own code, so either finds the same team."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "unnamed"


async def _team(team_name: str, area_name: str | None) -> Team:
    """The named team, created (with its area) if new; refuses a team found in another area."""
    team = await Team.get_or_none(code=code_of(team_name)).select_related("area")
    if team is None:
        area_label = (area_name or DEFAULT_AREA).strip()
        area, _ = await Area.get_or_create(code=code_of(area_label), defaults={"name": area_label})
        team = await Team.create(code=code_of(team_name), name=team_name.strip(), area=area)
        await team.fetch_related("area")
    elif area_name is not None and team.area.code != code_of(area_name):
        raise Conflict(
            f"team {team_name} is in area {team.area.name}, not {area_name}",
            code="team_in_other_area",
        )
    return team


async def list_officers() -> list[Officer]:
    """Every account, by collar number."""
    return await Officer.all().order_by("collar_number")


async def list_teams() -> list[Team]:
    """Every team with its area, by name."""
    return await Team.all().select_related("area").order_by("name")


async def create_team(team_name: str, area_name: str) -> Team:
    """Create a team in an area; a team that already exists there is a conflict."""
    async with in_transaction():
        if await Team.filter(code=code_of(team_name)).exists():
            raise Conflict(f"team {team_name} already exists", code="team_exists")
        return await _team(team_name, area_name)


async def create_officer(
    *,
    collar_number: str,
    display_name: str,
    role: Role,
    team_name: str,
    area_name: str | None = None,
    supervision_scope: SupervisionScope = SupervisionScope.TEAM,
    contact_phone: str = "",
    contact_email: str = "",
) -> Officer:
    """Create an officer, creating their team (and its area) if they are new."""
    problems = []
    if not _COLLAR.match(collar_number):
        problems.append(
            {"field": "collar", "message": "letters and digits only, 1 to 20", "type": "pattern"}
        )
    if not display_name.strip() or len(display_name) > 120:
        problems.append({"field": "name", "message": "1 to 120 characters", "type": "length"})
    if not team_name.strip():
        problems.append({"field": "team", "message": "a team name is required", "type": "missing"})
    if problems:
        raise ValidationFailed.from_fields(problems)
    async with in_transaction():
        if await Officer.filter(collar_number=collar_number).exists():
            raise Conflict(f"collar number {collar_number} already exists", code="collar_taken")
        team = await _team(team_name, area_name)
        return await Officer.create(
            id=uuid.uuid4(),
            collar_number=collar_number,
            display_name=display_name.strip(),
            role=role,
            supervision_scope=supervision_scope,
            team=team,
            contact_phone=contact_phone,
            contact_email=contact_email,
        )


async def create_from(body: CreateOfficerRequest) -> Officer:
    """An account from the administrators' request shape (one at a time, or a CSV row)."""
    return await create_officer(
        collar_number=body.collar_number,
        display_name=body.display_name,
        role=body.role,
        team_name=body.team,
        area_name=body.area,
        supervision_scope=body.supervision_scope,
        contact_phone=body.contact_phone,
        contact_email=body.contact_email,
    )


async def new_places(team_name: str, area_name: str | None) -> tuple[set[str], set[str]]:
    """The codes of the team and the area that ``_team`` would create for these names."""
    team_code = code_of(team_name)
    if await Team.filter(code=team_code).exists():
        return set(), set()
    area_code = code_of(area_name or DEFAULT_AREA)
    return {team_code}, set() if await Area.filter(code=area_code).exists() else {area_code}


async def places_created(
    team_codes: set[str], area_codes: set[str], reason: str, *, ctx: RequestContext
) -> list[AuditEntry]:
    """Audit entries for teams and areas an action created along the way (as collected)."""
    entries = [
        ctx.audit(AuditAction.COLLECT, record_type="area", record_id=a.id, reason=reason)
        for a in (await Area.filter(code__in=sorted(area_codes)) if area_codes else [])
    ]
    entries += [
        ctx.audit(AuditAction.COLLECT, record_type="team", record_id=t.id, reason=reason)
        for t in (await Team.filter(code__in=sorted(team_codes)) if team_codes else [])
    ]
    return entries


async def create_account(body: CreateOfficerRequest, *, ctx: RequestContext) -> Officer:
    """An administrator creates an account; the new officer's record is audited as collected,
    and so are the team and area it created, if new."""
    teams, areas = await new_places(body.team, body.area)
    officer = await create_from(body)
    await ctx.write_audit(
        [
            *await places_created(teams, areas, "created with an account", ctx=ctx),
            ctx.audit(AuditAction.COLLECT, record_type="officer", record_id=officer.id),
        ]
    )
    return officer
