"""The advice catalogue as the phone caches it, and as the administrator edits it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from server.validation import Strict

ItemId = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9_\-]*$")]
Tag = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_\-]*$")]
Category = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=160)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Position = Annotated[int, Field(ge=0, le=10_000)]


class AdviceItemOut(BaseModel):
    """One catalogue item in force, at its current version."""

    id: str
    version: int
    category: str
    title: str
    body: str
    tags: list[str]


class AdviceCatalogue(BaseModel):
    """The items in force; ``version`` changes whenever any item does."""

    version: str
    items: list[AdviceItemOut]


class AdviceItemRecord(BaseModel):
    """An ``advice_items`` record as a pull delivers it (read-only on the phone).

    One record per version of an item: a tick ``{"id": item_id, "version": version}`` names
    exactly one. ``current`` is the item's version in force; ``retired`` items are no longer
    offered but stay valid for visits that ticked them.
    """

    item_id: str
    version: int
    category: str
    title: str
    body: str
    tags: list[str]
    position: int
    current: bool
    retired: bool


class AdviceVersionOut(AdviceItemRecord):
    """One version of an item as the administrator's workspace lists it."""

    record_id: uuid.UUID
    created_at: datetime


class AdviceAdminList(BaseModel):
    """Every item with every version, newest version first within an item."""

    items: list[AdviceVersionOut]


class AddAdviceRequest(Strict):
    """A new catalogue item (version 1); its id is made from the title when not given."""

    item_id: ItemId | None = None
    category: Category
    title: Title
    body: Body
    tags: Annotated[list[Tag], Field(max_length=10)] = Field(default_factory=list)
    position: Position | None = Field(default=None, description="display order; last if absent")


class EditAdviceRequest(Strict):
    """A new version of an item: fields left out are copied from the current version."""

    category: Category | None = None
    title: Title | None = None
    body: Body | None = None
    tags: Annotated[list[Tag], Field(max_length=10)] | None = None
    position: Position | None = None


class RetireAdviceRequest(Strict):
    """Why an item is withdrawn (kept in the audit log)."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=400)] = ""
