"""The pledge figures as the dashboard reads them."""

from __future__ import annotations

from pydantic import BaseModel

from server.visits.schemas import VisitFilters


class StatsQuery(VisitFilters):
    """Figures for the visits matching these filters (usually a date range)."""


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
