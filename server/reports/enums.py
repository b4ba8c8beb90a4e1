"""The enumerations of a report: where it stands, why it was closed, what intake did with it."""

from __future__ import annotations

from enum import StrEnum


class ReportState(StrEnum):
    """Where a reported burglary stands on its way to a visit.

    ``visited`` means the linked visit was completed by the officer (a draft is not a visit;
    a visit the supervisor returned for a fix stays visited: the officer was at the door).
    """

    AWAITING = "awaiting"
    IN_PROGRESS = "in_progress"
    VISITED = "visited"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        """Still waiting for a visit to be completed (and so on the holder's phone)."""
        return self in (ReportState.AWAITING, ReportState.IN_PROGRESS)


class CloseReason(StrEnum):
    """Why a report was closed without a visit (the only reasons the pledge allows)."""

    VICTIM_DECLINED = "victim_declined"
    DUPLICATE = "duplicate"
    NOT_A_BURGLARY = "not_a_burglary"


class IntakeOutcome(StrEnum):
    """What intake did with one row."""

    CREATED = "created"
    AMENDED = "amended"
    UNCHANGED = "unchanged"
    # The row's ``updated_at`` is older than the version already held: a late retry.
    STALE = "stale"
    REFUSED = "refused"
