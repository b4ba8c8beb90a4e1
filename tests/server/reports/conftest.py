"""Fixtures for the reports tests: an integration's token and a team to file reports under."""

from __future__ import annotations

import pytest

from server.reports.credentials import create_integration
from tests.server.reports.rows import AREA, TEAM
from tests.support.context import SystemContext


@pytest.fixture
async def token(db: str, system_ctx: SystemContext) -> str:
    """A live integration credential's bearer token (the team exists via an officer)."""
    from server.org.models import Role
    from server.org.service import create_officer

    await create_officer(
        collar_number="7001",
        display_name="PC Seed",
        role=Role.OFFICER,
        team_name=TEAM,
        area_name=AREA,
    )
    value, _ = await create_integration("crime-system", ctx=system_ctx())
    return value


def bearer(token: str) -> dict[str, str]:
    """The header an integration sends."""
    return {"Authorization": f"Bearer {token}"}
