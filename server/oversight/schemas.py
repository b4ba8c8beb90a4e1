"""Shapes of the audit log as supervisors and auditors read it (identifiers, never content)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from server.audit.models import AuditAction
from server.org.models import Role
from server.validation import Strict

Cursor = Annotated[str, Field(pattern=r"^[0-9]{1,18}$", description="next_cursor of the last page")]


class Actor(BaseModel):
    """Who acted: an account by id, name, collar number and role."""

    id: uuid.UUID
    display_name: str
    collar_number: str
    role: Role


class AuditRow(BaseModel):
    """One audit row: who did what to which record, when, and why (no personal data)."""

    id: int
    at: datetime
    action: AuditAction
    record_type: str
    record_id: str
    actor_id: uuid.UUID | None
    actor: Actor | None = Field(description="null for the system, or an unknown account")
    device_id: uuid.UUID | None
    reason: str
    recipient: str
    request_id: str


class AuditPage(BaseModel):
    """Rows oldest first; follow ``next_cursor`` while it is not null."""

    rows: list[AuditRow]
    next_cursor: str | None


class TrailQuery(Strict):
    """A page of one visit's trail."""

    cursor: Cursor | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 200


class AuditQuery(TrailQuery):
    """A page of the whole log, filtered (all filters optional, combined with AND)."""

    record_type: Annotated[str, Field(max_length=40, pattern=r"^[a-z_]+$")] | None = None
    record_id: Annotated[str, Field(max_length=64)] | None = None
    actor_id: uuid.UUID | None = None
    action: AuditAction | None = None
    date_from: datetime | None = Field(default=None, description="at or after (UTC)")
    date_to: datetime | None = Field(default=None, description="before (UTC)")

    @model_validator(mode="after")
    def _range(self) -> AuditQuery:
        if self.date_from and self.date_to and self.date_to <= self.date_from:
            raise ValueError("date_to must be after date_from")
        return self
