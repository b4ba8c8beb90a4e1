"""Shapes of the administrator's actions on one visit (reassigning it; erasing it is
``server.retention``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from server.validation import Strict
from server.visits.enums import VisitStatus


class ReassignRequest(Strict):
    """Move a visit, with its records, to another officer (and so to their team and area)."""

    officer_id: uuid.UUID
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=400)]


class VisitOwner(BaseModel):
    """Whose a visit is now: no victims' data, only identifiers and its status."""

    id: uuid.UUID
    status: VisitStatus
    officer_id: uuid.UUID
    team_id: int
    area_id: int
    rev: int
