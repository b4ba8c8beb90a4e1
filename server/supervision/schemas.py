"""What the supervisor's workspace reads and answers: filters, list, detail, review, figures."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator, model_validator

from server.aftercare.schemas import AftercareSection
from server.validation import Strict
from server.visits.enums import OffenceType, ReviewDecision, VisitStatus


class VisitFilters(Strict):
    """Filters shared by the visit list, the figures and the export."""

    date_from: datetime | None = Field(default=None, description="reported at or after (UTC)")
    date_to: datetime | None = Field(default=None, description="reported before (UTC)")
    area: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = None
    team: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = None
    officer: uuid.UUID | None = None
    status: VisitStatus | None = None
    crime_reference: Annotated[str, Field(max_length=40)] | None = None
    postcode: Annotated[str, Field(max_length=10, pattern=r"^[A-Za-z0-9 ]+$")] | None = None

    @model_validator(mode="after")
    def _range(self) -> VisitFilters:
        if self.date_from and self.date_to and self.date_to <= self.date_from:
            raise ValueError("date_to must be after date_from")
        return self


class VisitListQuery(VisitFilters):
    """A page of the visit list."""

    cursor: Annotated[str, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class PersonRef(BaseModel):
    """Who: an officer by id, name and collar number."""

    id: str
    display_name: str
    collar_number: str


class VisitSummary(BaseModel):
    """One row of the visit list."""

    id: str
    status: VisitStatus
    crime_reference: str | None
    reported_at: datetime | None
    arrived_at: datetime | None
    address_line1: str | None
    town: str | None
    postcode: str | None
    officer: PersonRef
    team_id: int
    area_id: int
    completed_at: datetime | None
    created_at: datetime


class VisitPage(BaseModel):
    """A page of visits, newest first; follow ``next_cursor`` while it is not null."""

    visits: list[VisitSummary]
    next_cursor: str | None


class VisitDetail(BaseModel):
    """Everything about one visit, for review."""

    id: str
    rev: int
    status: VisitStatus
    sections: dict[str, Any]
    officer: PersonRef
    team_id: int
    area_id: int
    review_note: str | None
    completed_at: datetime | None
    approved_at: datetime | None
    property_items: list[dict[str, Any]]
    kit_issues: list[dict[str, Any]]
    photos: list[dict[str, Any]]
    advice: list[dict[str, Any]]
    reviews: list[dict[str, Any]]
    revisions: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    aftercare: AftercareSection


class ReviewRequest(Strict):
    """A supervisor's decision on a completed visit."""

    decision: ReviewDecision
    note: Annotated[str, Field(max_length=2000)] = ""

    @model_validator(mode="after")
    def _return_needs_note(self) -> ReviewRequest:
        if self.decision is ReviewDecision.RETURN and not self.note.strip():
            raise ValueError("a returned visit needs a note saying what to fix")
        return self


class ReviewResult(BaseModel):
    """The visit's new status and revision after a review."""

    id: str
    status: VisitStatus
    rev: int


class StatsQuery(VisitFilters):
    """Figures for the visits matching these filters (usually a date range), and the pledge's
    own: the week reported (its Monday, UTC) and the offence type (the report's, when linked)."""

    week: date | None = Field(default=None, description="the Monday (UTC) of the week reported")
    offence_type: OffenceType | None = None

    @field_validator("week")
    @classmethod
    def _monday(cls, week: date | None) -> date | None:
        if week and week.weekday() != 0:
            raise ValueError("a week is named by its Monday (YYYY-MM-DD)")
        return week


class StatsGroup(BaseModel):
    """Figures for one area, team or officer (or everything in scope)."""

    key: str
    name: str
    visits: int
    median_to_arrival_seconds: float | None
    p90_to_arrival_seconds: float | None
    within_target_share: float | None
    kits_issued: int
    advice_given_share: float | None
    csi_requested: int
    repeat_victims: int
    vulnerable_victims: int
    awaiting_review: int


class Stats(BaseModel):
    """Everything in the caller's scope, then broken down by area, team and officer."""

    target_seconds: int
    total: StatsGroup
    by_area: list[StatsGroup]
    by_team: list[StatsGroup]
    by_officer: list[StatsGroup]


class ExportQuery(VisitFilters):
    """The visit filters, and why the export is needed (kept in the audit log)."""

    reason: Annotated[str, Field(min_length=5, max_length=500)]
