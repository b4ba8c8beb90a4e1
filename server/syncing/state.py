"""A stored record as the sync engine sees it, and values validated at the edge."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from server.errors import validation_problems
from server.feed import SyncedRecord
from server.settings import Settings
from server.syncing.collections import Collection, wire_value
from sync import Conflict, RecordState, SyncError, unflatten


def state_of(collection: Collection, row: SyncedRecord) -> RecordState:
    """The merge state of a stored record."""
    return RecordState(
        rev=row.rev,
        fields=collection.current_fields(row),
        field_revs={k: int(v) for k, v in row.field_revs.items() if k in collection.paths},
        field_authors=dict(row.field_authors),
        deleted=row.deleted,
        conflicts=tuple(Conflict.from_json(c) for c in row.conflicts),
    )


def validate_fields(
    collection: Collection, fields: dict[str, Any], settings: Settings
) -> BaseModel:
    """Validate (and normalise) fields against the collection's edge schema."""
    context = {"crime_reference_pattern": settings.crime_reference_pattern}
    try:
        return collection.schema.model_validate(unflatten(fields), context=context)
    except ValidationError as exc:
        problems = validation_problems(exc)
        raise SyncError(
            "validation_failed",
            f"{problems[0]['field']}: {problems[0]['message']}",
            {"field": problems[0]["field"], "fields": [dict(p) for p in problems]},
        ) from exc


def value_at(model: BaseModel, path: str) -> Any:
    """The wire value at a dotted path of a validated model."""
    value: Any = model
    for part in path.split("."):
        value = getattr(value, part)
    return wire_value(value)
