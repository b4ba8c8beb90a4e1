"""Request and response shapes for officers and teams (administration, and the caller's own)."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, Field

from server.org.models import Role, SupervisionScope
from server.validation import Strict

Collar = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9]+$")]


class TeamOut(BaseModel):
    """A team and its area."""

    id: int
    code: str
    name: str
    area_id: int
    area_name: str


class OfficerOut(BaseModel):
    """An account as administrators and the app see it."""

    id: uuid.UUID
    collar_number: str
    display_name: str
    role: Role
    supervision_scope: SupervisionScope
    team_id: int
    active: bool
    contact_phone: str
    contact_email: str


class CreateOfficerRequest(Strict):
    """An administrator creates an account (team and area created if new)."""

    collar_number: Collar
    display_name: Annotated[str, Field(min_length=1, max_length=120)]
    role: Role
    team: Annotated[str, Field(min_length=1, max_length=120)]
    area: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    supervision_scope: SupervisionScope = SupervisionScope.TEAM
    contact_phone: Annotated[str, Field(max_length=32)] = ""
    contact_email: Annotated[str, Field(max_length=254)] = ""


class OfficerList(BaseModel):
    """Every account."""

    officers: list[OfficerOut]


class CreateTeamRequest(Strict):
    """An administrator creates a team in an area (the area is created if new)."""

    name: Annotated[str, Field(min_length=1, max_length=120)]
    area: Annotated[str, Field(min_length=1, max_length=120)]


class TeamList(BaseModel):
    """Every team."""

    teams: list[TeamOut]
