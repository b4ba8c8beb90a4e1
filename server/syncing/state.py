"""A stored record as the sync engine sees it, and values validated at the edge."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from server.errors import validation_problems
from server.feed import SyncedRecord
from server.settings import Settings
from server.syncing.collections import Collection, attribute_at, path_parts, wire_value
from sync import Conflict, RecordState, SyncError, unflatten


def state_of(collection: Collection, row: SyncedRecord) -> RecordState:
    """The merge state of a stored record."""
    return RecordState(
        rev=row.rev,
        fields=collection.current_fields(row),
        field_revs={k: int(v) for k, v in row.field_revs.items() if k in collection.path_set},
        field_authors=dict(row.field_authors),
        deleted=row.deleted,
        conflicts=tuple(Conflict.from_json(c) for c in row.conflicts),
    )


def validate_fields(
    collection: Collection, fields: Mapping[str, Any], settings: Settings
) -> BaseModel:
    """Validate (and normalise) fields against the collection's edge schema."""
    context = {"crime_reference_pattern": settings.crime_reference_pattern}
    try:
        return collection.schema.model_validate(_nested(collection, fields), context=context)
    except ValidationError as exc:
        problems = validation_problems(exc)
        raise SyncError(
            "validation_failed",
            f"{problems[0]['field']}: {problems[0]['message']}",
            {"field": problems[0]["field"], "fields": [dict(p) for p in problems]},
        ) from exc


def _nested(collection: Collection, fields: Mapping[str, Any]) -> dict[str, Any]:
    """``unflatten(fields)``, without its path checks when every path is one of the
    collection's own (valid, and none another's prefix): the same object, built the same way."""
    if not collection.path_set.issuperset(fields):
        return unflatten(fields)
    nested: dict[str, Any] = {}
    for path in sorted(fields):
        *parents, leaf = path_parts(path)
        node = nested
        for segment in parents:
            node = node.setdefault(segment, {})
        node[leaf] = fields[path]
    return nested


def value_at(model: BaseModel, path: str) -> Any:
    """The wire value at a dotted path of a validated model."""
    return wire_value(attribute_at(model, path))
