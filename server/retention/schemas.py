"""Shapes of erasure and the retention policy as the administrator's workspace sees them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from server.validation import Strict

Basis = Literal["recorded_in_error", "duplicate", "rights_request", "retention_review", "other"]


class EraseRequest(Strict):
    """Why a visit is erased now rather than at the end of its retention period.

    The reason is kept in the audit log, which holds no personal data: name no one in it.
    """

    basis: Basis
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=400)]


class ErasureOut(BaseModel):
    """What an erasure removed: records by collection, and photo objects."""

    visit_id: uuid.UUID
    erased_at: datetime
    records: dict[str, int]
    objects_removed: int
    objects_pending: int = Field(
        description="objects the store could not remove yet; `doorstep retention --apply` "
        "retries them"
    )


class PeriodOut(BaseModel):
    """How long visits in one state are kept."""

    state: Literal["draft", "deleted", "submitted", "approved"]
    days: int = Field(description="0: never erased automatically")
    measured_from: str
    setting: str
    due_now: int


class RetentionOut(BaseModel):
    """The policy in force (set by the deployment's settings) and what it would erase now."""

    periods: list[PeriodOut]
    objects_pending: int
