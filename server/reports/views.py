"""What supervisors and officers read and send about reports: the queue, one report,
assignment and closing, the pledge figures and an address's history (shapes only)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, model_validator

from server.reports.enums import CloseReason, ReportState
from server.validation import AddressLine, Postcode, Strict
from server.visits.enums import OffenceType, VisitStatus, Vulnerability

Id = Annotated[int, Field(ge=1, le=2_147_483_647)]


def _utc_in_range(value: datetime) -> datetime:
    """A query time in UTC (a time without an offset is read as UTC), in a sane range."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if not 2000 <= value.year <= 2100:
        raise ValueError("must be between the years 2000 and 2100")
    return value


QueryTime = Annotated[datetime, AfterValidator(_utc_in_range)]


class QueueState(StrEnum):
    """Which reports a queue page lists: one state, ``open`` (awaiting or in progress), or all."""

    AWAITING = "awaiting"
    IN_PROGRESS = "in_progress"
    OPEN = "open"
    VISITED = "visited"
    CLOSED = "closed"
    ALL = "all"


class QueueQuery(Strict):
    """The queue's filters (the caller's scope always applies), oldest report first."""

    state: QueueState = QueueState.AWAITING
    overdue: bool | None = Field(default=None, description="only open reports past the target")
    unassigned: bool | None = Field(default=None, description="only reports nobody holds")
    area: Id | None = None
    team: Id | None = None
    officer: uuid.UUID | None = Field(default=None, description="assigned to this officer")
    offence_type: OffenceType | None = None
    date_from: QueryTime | None = Field(default=None, description="reported at or after (UTC)")
    date_to: QueryTime | None = Field(default=None, description="reported before (UTC)")
    crime_reference: Annotated[str, Field(max_length=40)] | None = None
    postcode: Annotated[str, Field(max_length=10, pattern=r"^[A-Za-z0-9 ]+$")] | None = None
    cursor: Annotated[str, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class Named(BaseModel):
    """An area or team: id and name."""

    id: int
    name: str


class OfficerRef(BaseModel):
    """An officer by id, name and collar number."""

    id: str
    display_name: str
    collar_number: str


class ReportAddressOut(BaseModel):
    """The victim's address."""

    line1: str
    line2: str | None
    town: str | None
    postcode: str


class ReportVictimOut(BaseModel):
    """The victim, as the force reported them."""

    name: str
    phone: str | None
    email: str | None
    vulnerabilities: list[Vulnerability]
    repeat_victim: bool


class LinkedVisit(BaseModel):
    """The visit made for a report: its status and when the officer arrived."""

    id: str
    status: VisitStatus
    arrived_at: datetime | None
    arrival_seconds: float | None = Field(description="from the report's reported-at to arrival")


class Closure(BaseModel):
    """Why and when a report was closed without a visit, and by whom."""

    reason: CloseReason
    note: str | None
    closed_at: datetime | None
    closed_by: str | None


class ReportOut(BaseModel):
    """One report as the queue shows it, with its age against the force's target."""

    id: str
    rev: int
    crime_reference: str
    incident_number: str | None
    reported_at: datetime
    offence_type: OffenceType
    address: ReportAddressOut
    victim: ReportVictimOut
    repeat_computed: bool = Field(description="the server's own repeat-victimisation flag")
    state: ReportState
    area: Named
    team: Named | None
    assigned_officer: OfficerRef | None
    assigned_at: datetime | None
    held_by_team: bool = Field(description="assigned to the team, nobody named yet")
    visit: LinkedVisit | None
    closure: Closure | None
    due_at: datetime
    age_seconds: float | None = Field(description="now minus reported-at, while open")
    overdue: bool = Field(description="open and past the force's attendance target")
    received_at: datetime


class QueuePage(BaseModel):
    """A page of reports, oldest first; follow ``next_cursor`` while it is not null."""

    reports: list[ReportOut]
    next_cursor: str | None
    target_seconds: int
    as_of: datetime


class ReportDetail(ReportOut):
    """One report with every revision (who changed what, when)."""

    revisions: list[dict[str, Any]]


class AssignRequest(Strict):
    """Assign an awaiting report to one officer, or to a team (any of its officers)."""

    officer_id: uuid.UUID | None = None
    team_id: Id | None = None

    @model_validator(mode="after")
    def _one(self) -> AssignRequest:
        if (self.officer_id is None) == (self.team_id is None):
            raise ValueError("name exactly one of officer_id or team_id")
        return self


class AssigneeTeam(BaseModel):
    """A team a report can be assigned to."""

    id: int
    name: str
    area_id: int


class AssigneeOfficer(OfficerRef):
    """An officer a report can be assigned to, and their team."""

    team_id: int


class Assignees(BaseModel):
    """Who the caller may assign reports to: the teams and active officers they supervise."""

    teams: list[AssigneeTeam]
    officers: list[AssigneeOfficer]


class CloseRequest(Strict):
    """Close a report without a visit: the reason is required and audited."""

    reason: CloseReason
    note: Annotated[str, Field(max_length=2000)] = ""


class HistoryQuery(Strict):
    """An address, and optionally the report or visit being started there (left out)."""

    postcode: Postcode
    line1: Annotated[AddressLine, Field(min_length=1)]
    at: QueryTime | None = Field(default=None, description="look back 12 months from (now)")
    exclude: uuid.UUID | None = Field(default=None, description="a report or visit to leave out")


class HistoryItem(BaseModel):
    """An earlier report or visit at the address that the caller may see."""

    kind: str = Field(description="report or visit")
    id: str
    crime_reference: str | None
    reported_at: datetime
    offence_type: OffenceType | None
    state: str = Field(description="a report's state or a visit's status")
    visited_at: datetime | None = Field(description="when the officer arrived, if known")


class AddressHistory(BaseModel):
    """Earlier burglaries at an address within 12 months, as far as the caller may see them."""

    postcode: str
    line1: str
    since: datetime
    repeat_victim: bool = Field(
        description="the server's flag: any other burglary there in the 12 months (all data)"
    )
    items: list[HistoryItem]


class PledgeQuery(Strict):
    """Which reports the figures count (reported-at in the range; the caller's scope applies)."""

    date_from: QueryTime | None = Field(default=None, description="reported at or after (UTC)")
    date_to: QueryTime | None = Field(default=None, description="reported before (UTC)")
    area: Id | None = None
    team: Id | None = None
    officer: uuid.UUID | None = Field(default=None, description="assigned to this officer")
    offence_type: OffenceType | None = None

    @model_validator(mode="after")
    def _range(self) -> PledgeQuery:
        if self.date_from and self.date_to and self.date_to <= self.date_from:
            raise ValueError("date_to must be after date_from")
        return self


class PledgeGroup(BaseModel):
    """The pledge for one group: every reported burglary, and how many were visited in time.

    ``awaiting`` counts every open report (a draft visit is not a visit), ``in_progress`` the
    part of it with a visit started; ``overdue`` the open ones past the target now.
    """

    key: str
    name: str
    reported: int
    visited: int
    visited_within_target: int
    awaiting: int
    in_progress: int
    overdue: int
    closed: int
    visited_share: float | None = Field(description="visited / (reported - closed)")
    within_target_share: float | None = Field(description="within target / visited with a time")
    median_to_arrival_seconds: float | None
    p90_to_arrival_seconds: float | None
    repeat_victims: int = Field(description="reports the server found to be repeats")
    vulnerable_victims: int


class Pledge(BaseModel):
    """Everything in scope, then by week (Monday, UTC), offence type, area, team and officer."""

    target_seconds: int
    as_of: datetime
    total: PledgeGroup
    by_week: list[PledgeGroup]
    by_offence_type: list[PledgeGroup]
    by_area: list[PledgeGroup]
    by_team: list[PledgeGroup]
    by_officer: list[PledgeGroup]
