"""Shapes of the sync endpoints for OpenAPI; the bodies are validated by the ``sync`` library."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class MutationIn(BaseModel):
    """One queued change."""

    seq: int = Field(ge=1)
    collection: Literal["visits", "property_items", "kit_issues", "photos"]
    id: str = Field(description="UUID made on the device")
    op: Literal["put", "delete"]
    base_rev: int | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    at: str = Field(description="device time, ISO-8601; information only")


class PushIn(BaseModel):
    """A batch of mutations from one client, in seq order."""

    client_id: str
    mutations: list[MutationIn] = Field(max_length=500)


class MutationResult(BaseModel):
    """What happened to one mutation."""

    seq: int
    status: Literal["applied", "merged", "conflict", "rejected"]
    rev: int | None
    error: dict[str, Any] | None


class PushOut(BaseModel):
    """The acknowledged seq and each mutation's result."""

    last_seq: int
    results: list[MutationResult]


class PullIn(BaseModel):
    """Where to continue the change feed."""

    client_id: str
    cursor: str | None = None
    limit: int | None = Field(default=None, ge=1, le=1000)


class Change(BaseModel):
    """One record at its latest revision, or a tombstone."""

    collection: str
    id: str
    rev: int
    deleted: bool
    record: dict[str, Any] | None
    conflicts: list[dict[str, Any]]
    reason: str | None = None


class PullOut(BaseModel):
    """A page of the change feed."""

    cursor: str
    has_more: bool
    last_seq: int
    changes: list[Change]
    reset: bool = Field(
        default=False,
        description="the feed restarted from the beginning (restore or scope change): "
        "replace the local cache with what follows",
    )
