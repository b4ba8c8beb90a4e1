"""What the exports take and answer."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from server.supervision.schemas import VisitFilters

Reason = Annotated[str, Field(min_length=5, max_length=500, description="kept in the audit log")]
Collection = Literal[
    "visits",
    "property_items",
    "kit_issues",
    "photos",
    "addenda",
    "victim_updates",
    "survey_responses",
    "leave_behinds",
    "advice_ticks",
    "reviews",
]


class ZipExportQuery(VisitFilters):
    """The visit filters, the files' format, and why the export is needed."""

    format: Literal["csv", "jsonl"] = "csv"
    reason: Reason


class PageExportQuery(VisitFilters):
    """A page of one collection: the records of up to ``limit`` visits, newest visits first."""

    reason: Reason
    cursor: Annotated[str, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 100


class ExportPage(BaseModel):
    """Rows of one collection for a page of visits; follow ``next_cursor`` while not null."""

    collection: str
    columns: list[str]
    rows: list[dict[str, Any]]
    visits_covered: int
    next_cursor: str | None
