"""Request and response shapes for officers and teams (administration, and the caller's own)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from server.org.models import Role, SupervisionScope
from server.validation import Name, Strict

Collar = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9]+$")]
# An officer's contact details, printed on the victim's leave-behind ("" for none): the same
# shapes as a victim's phone and e-mail (server/validation.py).
ContactPhone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=32, pattern=r"^$|^\+?[0-9 ()\-]{6,31}$"),
]
ContactEmail = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=254, pattern=r"^$|^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"
    ),
]


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
    contact_phone: ContactPhone = ""
    contact_email: ContactEmail = ""


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


# --- administration: officers, teams and areas (server/org/admin.py, places.py, bulk.py) ---

TeamId = Annotated[int, Field(ge=1, le=2_147_483_647)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class AdminOfficerOut(OfficerOut):
    """An account as the administrator's workspace lists it: with its team and area named."""

    team_name: str
    area_id: int
    area_name: str
    created_at: datetime


class AdminOfficerList(BaseModel):
    """Accounts, by collar number."""

    officers: list[AdminOfficerOut]


class OfficerQuery(Strict):
    """Filters for the account list (all optional)."""

    team_id: TeamId | None = None
    role: Role | None = None
    active: bool | None = None


class EditOfficerRequest(Strict):
    """Changes to an account; fields left out stay as they are ("" clears a contact)."""

    display_name: Name | None = None
    contact_phone: ContactPhone | None = Field(
        default=None, description='shown on the victim\'s leave-behind; "" clears it'
    )
    contact_email: ContactEmail | None = Field(
        default=None, description='shown on the victim\'s leave-behind; "" clears it'
    )
    role: Role | None = None
    supervision_scope: SupervisionScope | None = None


class MoveOfficerRequest(Strict):
    """Move an account to another team (their visits stay theirs)."""

    team_id: TeamId
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


class AccountStatusRequest(Strict):
    """Why an account is being deactivated or reactivated (kept in the audit log)."""

    reason: Reason


class ImportOfficersRequest(Strict):
    """A CSV file of accounts, as text: a header row naming the columns, then one account a row.

    Columns: ``collar_number``, ``display_name``, ``role``, ``team`` (required); ``area``,
    ``supervision_scope``, ``contact_phone``, ``contact_email`` (optional). Good rows are created
    even when others fail; ``dry_run`` checks every row and creates nothing.
    """

    csv: Annotated[str, Field(min_length=1, max_length=1_000_000)]
    dry_run: bool = False


class RowProblem(BaseModel):
    """What is wrong with one field of one row."""

    field: str
    message: str


class ImportRow(BaseModel):
    """The outcome of one data row (``row`` is its line in the file; the header is line 1)."""

    row: int
    collar_number: str
    status: Literal["created", "valid", "failed"]
    officer_id: uuid.UUID | None = None
    errors: list[RowProblem] = Field(default_factory=list)


class ImportResult(BaseModel):
    """Every row's outcome. On a dry run nothing is created: ``valid`` rows would be, and
    ``teams_created`` names the teams that would be."""

    dry_run: bool
    created: int
    failed: int
    teams_created: list[str]
    rows: list[ImportRow]


class AreaOut(BaseModel):
    """A policing area."""

    id: int
    code: str
    name: str


class AreaList(BaseModel):
    """Every area."""

    areas: list[AreaOut]


class NameRequest(Strict):
    """A new area, or a new name for a team or an area."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
