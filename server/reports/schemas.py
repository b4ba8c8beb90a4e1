"""A report at the edge: the record intake accepts (the visit's own paths), and its outcomes.

``ReportRecord`` is the report's synchronised record: its leaves are the dotted paths a pull
delivers, the same paths as the visit's, so "Start visit" copies them across. ``ReportIn``
adds what intake needs to file it (area or team, and the crime system's change time).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from server.reports.enums import IntakeOutcome
from server.validation import (
    AddressLine,
    CrimeReference,
    Email,
    IncidentNumber,
    Name,
    Phone,
    Postcode,
    Strict,
    Timestamp,
    Town,
)
from server.visits.enums import OffenceType, Vulnerability

# The largest batch one call may send (a day's reports for a large force fit in a few calls).
MAX_BATCH = 500
OrgName = Annotated[str, Field(min_length=1, max_length=120)]


class ReportReference(Strict):
    """The crime system's identifiers and the time the burglary was reported."""

    crime_reference: CrimeReference
    incident_number: IncidentNumber | None = None
    reported_at: Timestamp


class ReportOffence(Strict):
    """What kind of burglary it was reported as."""

    type: OffenceType


class ReportAddress(Strict):
    """Where it happened: the victim's home."""

    line1: Annotated[AddressLine, Field(min_length=1)]
    line2: AddressLine | None = None
    town: Town | None = None
    postcode: Postcode


class ReportVictim(Strict):
    """Who to visit, how to reach them, and what the force flagged about them."""

    name: Name
    phone: Phone | None = None
    email: Email | None = None
    vulnerabilities: Annotated[list[Vulnerability], Field(max_length=6)] = Field(
        default_factory=list
    )
    repeat_victim: bool = False


class ReportRecord(Strict):
    """A reported burglary's fields: the paths a pull delivers (read-only on the phone)."""

    reference: ReportReference
    offence: ReportOffence
    address: ReportAddress
    victim: ReportVictim


class ReportIn(ReportRecord):
    """One report as intake receives it: its fields, where it belongs, and when it changed.

    ``team`` and ``area`` name a Doorstep team or area (by name or code, any case); one is
    required, and a team decides the area. ``updated_at`` (optional) is when the crime
    system last changed the report: a delivery older than the one held is ``stale``.
    """

    area: OrgName | None = None
    team: OrgName | None = None
    updated_at: Timestamp | None = None


class IntakeBatch(Strict):
    """A batch of reports from the force's crime recording system (1 to 500)."""

    reports: Annotated[list[ReportIn], Field(min_length=1, max_length=MAX_BATCH)]


class RowProblem(BaseModel):
    """Why a row was refused: the field (a dotted path, or a CSV column) and what is wrong."""

    field: str
    message: str


class RowResult(BaseModel):
    """What intake did with one row.

    ``row`` is the index in ``reports`` (from 0) for the API, the line in the file (the
    header is row 1) for a CSV import.
    """

    row: int
    crime_reference: str | None
    outcome: IntakeOutcome
    id: str | None = None
    changed: list[str] = Field(default_factory=list)
    problems: list[RowProblem] = Field(default_factory=list)


class IntakeResult(BaseModel):
    """Every row's outcome, and the counts."""

    received: int
    created: int
    amended: int
    unchanged: int
    stale: int
    refused: int
    results: list[RowResult]
