"""Rules for visits: turning the validated record into columns and back, and storing it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from tortoise.transactions import in_transaction

from server.org.models import Officer
from server.syncing.versions import take_next_version
from server.visits.models import Revision, Visit
from server.visits.schemas import VisitRecord, leaf_paths

VISIT_PATHS = leaf_paths(VisitRecord)


def column_for(path: str) -> str:
    """The column that stores a dotted path (``address.postcode`` -> ``address_postcode``)."""
    return path.replace(".", "_")


def flat_fields(record: VisitRecord) -> dict[str, Any]:
    """The record as ``{dotted path: python value}``, lists made JSON-plain."""
    flat: dict[str, Any] = {}
    for path in VISIT_PATHS:
        value: Any = record
        for part in path.split("."):
            value = getattr(value, part)
        flat[path] = to_jsonable_python(value) if isinstance(value, list) else value
    return flat


def visit_document(visit: Visit) -> dict[str, Any]:
    """The visit's sections as the nested JSON the API and sync pull return."""
    document: dict[str, Any] = {}
    for path in VISIT_PATHS:
        value = getattr(visit, column_for(path))
        if isinstance(value, datetime):
            value = value.isoformat()
        elif hasattr(value, "value"):  # enums
            value = value.value
        node = document
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return document


async def create_visit(
    officer: Officer, record: VisitRecord, *, visit_id: uuid.UUID | None = None
) -> Visit:
    """Store a whole new visit for an officer in one transaction, with its first revision."""
    await officer.fetch_related("team")
    flat = flat_fields(record)
    async with in_transaction() as connection:
        version = await take_next_version(connection)
        visit = await Visit.create(
            id=visit_id or uuid.uuid4(),
            officer=officer,
            team=officer.team,
            area_id=officer.team.area_id,  # type: ignore[attr-defined]
            rev=1,
            version=version,
            field_revs=dict.fromkeys(flat, 1),
            using_db=connection,
            **{column_for(path): value for path, value in flat.items()},
        )
        await Revision.create(
            collection="visits",
            record_id=visit.id,
            rev=1,
            visit_id=visit.id,
            op="put",
            changes=to_jsonable_python(flat),
            previous={},
            actor=officer,
            using_db=connection,
        )
    return visit
