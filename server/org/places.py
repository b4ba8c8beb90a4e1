"""Administering teams and areas: create and rename, audited.

A team's and an area's ``code`` is made from its name and looked up by name (the ``doorstep``
command, the CSV import), so a rename moves the code too and refuses a name another team or
area already has. Moving a team to another area is not offered: every visit carries its area
(supervisors' area-wide lists and figures read it), so it would move visits between area
supervisors; move the officers to a team in the other area instead.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from server.audit.models import AuditAction
from server.context import RequestContext
from server.errors import Conflict, NotFound
from server.org.models import Area, Team
from server.org.service import code_of, create_team, new_places, places_created


async def list_areas() -> list[Area]:
    """Every area, by name."""
    return await Area.all().order_by("name")


async def add_area(name: str, *, ctx: RequestContext) -> Area:
    """Create an area; one whose name makes an existing code is a conflict."""
    async with in_transaction() as connection:
        if await Area.filter(code=code_of(name)).using_db(connection).exists():
            raise Conflict(f"area {name} already exists", code="area_exists")
        area = await Area.create(code=code_of(name), name=name.strip(), using_db=connection)
        await ctx.write_audit(
            [ctx.audit(AuditAction.COLLECT, record_type="area", record_id=area.id)], connection
        )
    return area


async def _rename(
    model: type[Area] | type[Team], row_id: int, name: str, ctx: RequestContext
) -> None:
    """Rename a team or an area (its code follows), audited; 404 and 409 as the kind says."""
    kind = model._meta.db_table
    async with in_transaction() as connection:
        row = await model.filter(id=row_id).using_db(connection).first()
        if row is None:
            raise NotFound(f"No such {kind}.")
        code = code_of(name)
        if await model.filter(code=code).exclude(id=row.id).using_db(connection).exists():
            raise Conflict(f"{kind} {name} already exists", code=f"{kind}_exists")
        row.name, row.code = name.strip(), code
        await row.save(using_db=connection, update_fields=["name", "code"])
        await ctx.write_audit(
            [ctx.audit(AuditAction.ALTER, record_type=kind, record_id=row.id, reason="renamed")],
            connection,
        )


async def rename_area(area_id: int, name: str, *, ctx: RequestContext) -> Area:
    """Rename an area (its code follows)."""
    await _rename(Area, area_id, name, ctx)
    return await Area.get(id=area_id)


async def add_team(name: str, area_name: str, *, ctx: RequestContext) -> Team:
    """Create a team in an area (created if new), audited (and so is a new area)."""
    _, areas = await new_places(name, area_name)
    team = await create_team(name, area_name)
    await ctx.write_audit(
        [
            *await places_created(set(), areas, "created with a team", ctx=ctx),
            ctx.audit(AuditAction.COLLECT, record_type="team", record_id=team.id),
        ]
    )
    return team


async def rename_team(team_id: int, name: str, *, ctx: RequestContext) -> Team:
    """Rename a team (its code follows); its officers and visits stay with it."""
    await _rename(Team, team_id, name, ctx)
    return await Team.get(id=team_id).select_related("area")
