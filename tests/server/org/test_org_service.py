"""Creating officers creates their team and area when new."""

from __future__ import annotations

import pytest

from server.errors import Conflict, ValidationFailed
from server.org.models import Area, Officer, Role, SupervisionScope, Team
from server.org.service import create_officer


async def test_create_officer_new_team_and_area_are_created(db: str) -> None:
    officer = await create_officer(
        collar_number="1234",
        display_name="PC Sam Patel",
        role=Role.OFFICER,
        team_name="Worcester Response A",
        area_name="South Worcestershire",
    )
    await officer.fetch_related("team__area")
    assert officer.team.name == "Worcester Response A"
    assert officer.team.area.name == "South Worcestershire"
    assert await Team.all().count() == 1
    assert await Area.all().count() == 1


async def test_create_officer_existing_team_is_reused(db: str) -> None:
    await create_officer(collar_number="1", display_name="A", role=Role.OFFICER, team_name="T1")
    await create_officer(
        collar_number="2",
        display_name="B",
        role=Role.SUPERVISOR,
        team_name="T1",
        supervision_scope=SupervisionScope.AREA,
    )
    assert await Team.all().count() == 1
    supervisor = await Officer.get(collar_number="2")
    assert supervisor.supervision_scope is SupervisionScope.AREA


async def test_create_officer_duplicate_collar_is_conflict(db: str) -> None:
    await create_officer(collar_number="1", display_name="A", role=Role.OFFICER, team_name="T1")
    with pytest.raises(Conflict):
        await create_officer(collar_number="1", display_name="B", role=Role.ADMIN, team_name="T1")
    assert await Officer.all().count() == 1


async def test_create_officer_team_in_other_area_is_conflict(db: str) -> None:
    await create_officer(
        collar_number="1", display_name="A", role=Role.OFFICER, team_name="T1", area_name="North"
    )
    with pytest.raises(Conflict, match="North"):
        await create_officer(
            collar_number="2",
            display_name="B",
            role=Role.OFFICER,
            team_name="T1",
            area_name="South",
        )


async def test_create_officer_bad_collar_names_field(db: str) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        await create_officer(
            collar_number="12 34", display_name="A", role=Role.OFFICER, team_name="T"
        )
    assert excinfo.value.details["fields"][0]["field"] == "collar"
