"""The retention policy: how long a visit is kept in each state, and which visits are due.

Periods are settings (``DOORSTEP_RETENTION_<STATE>_DAYS``; defaults and their reasons in
docs/retention.md), counted from the moment that ends the state's clock:

- ``draft``: never completed - from its last change (an abandoned or mistaken start);
- ``deleted``: deleted by its officer - from the deletion (kept briefly so a mistaken deletion
  can be recovered from its history by an administrator);
- ``submitted``: completed or returned, never approved - from completion;
- ``approved``: from approval.

0 days turns automatic erasure off for that state. Erased visits are never due again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from server.settings import Settings
from server.visits.enums import VisitStatus
from server.visits.models import Visit

State = Literal["draft", "deleted", "submitted", "approved"]
STATES: tuple[State, ...] = ("draft", "deleted", "submitted", "approved")
MEASURED_FROM: dict[State, str] = {
    "draft": "last change",
    "deleted": "deletion by the officer",
    "submitted": "completion",
    "approved": "approval",
}


@dataclass(frozen=True)
class Period:
    """How long visits in one state are kept (``days`` 0: not erased automatically)."""

    state: State
    days: int

    @property
    def measured_from(self) -> str:
        """The moment the period is counted from."""
        return MEASURED_FROM[self.state]


def periods(settings: Settings) -> list[Period]:
    """The policy in force, state by state."""
    return [Period(s, int(getattr(settings, f"retention_{s}_days"))) for s in STATES]


def _in_state(state: State, cutoff: datetime) -> Q:
    """Visits in ``state`` whose clock started before ``cutoff``."""
    alive = Q(deleted=False)
    if state == "draft":
        return alive & Q(status=VisitStatus.DRAFT, updated_at__lt=cutoff)
    if state == "deleted":
        return Q(deleted=True, updated_at__lt=cutoff)
    if state == "submitted":
        started = Q(completed_at__lt=cutoff) | Q(completed_at__isnull=True, updated_at__lt=cutoff)
        return alive & Q(status__in=[VisitStatus.COMPLETED, VisitStatus.RETURNED]) & started
    started = Q(approved_at__lt=cutoff) | Q(approved_at__isnull=True, updated_at__lt=cutoff)
    return alive & Q(status=VisitStatus.APPROVED) & started


def due(period: Period, now: datetime) -> QuerySet[Visit] | None:
    """The visits of one state past their period at ``now`` (None when the state is kept)."""
    if period.days <= 0:
        return None
    cutoff = now - timedelta(days=period.days)
    return Visit.filter(_in_state(period.state, cutoff), erased_at__isnull=True)


async def due_counts(settings: Settings, now: datetime) -> dict[State, int]:
    """How many visits each state would lose now: counts only, never what they hold."""
    counts: dict[State, int] = {}
    for period in periods(settings):
        query = due(period, now)
        counts[period.state] = 0 if query is None else await query.count()
    return counts
