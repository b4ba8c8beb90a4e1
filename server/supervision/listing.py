"""``GET /api/visits``: the visit list, newest first, a keyset page at a time, audited."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson
from tortoise import connections
from tortoise.transactions import in_transaction

from server.audit.models import AuditAction
from server.context import RequestContext
from server.errors import BadRequest
from server.rows import is_postgres
from server.supervision import list_postgres
from server.supervision.schemas import VisitListQuery
from server.supervision.scoped import After, filtered_visits, newest_summaries, visit_entries


def _encode_cursor(created_at: datetime, visit_id: uuid.UUID) -> str:
    raw = json.dumps({"c": created_at.isoformat(), "i": str(visit_id)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def _decode_cursor(cursor: str) -> After:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(data["c"]), uuid.UUID(data["i"])
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise BadRequest(
            "That page cursor is not valid; start again from the first page.",
            code="bad_cursor",
            details={"field": "cursor"},
        ) from exc


def _summary(row: Mapping[str, Any]) -> dict[str, Any]:
    """One list row as ``VisitSummary`` describes it (same keys, same order)."""
    return {
        "id": str(row["id"]),
        "status": row["status"],
        "crime_reference": row["reference_crime_reference"],
        "reported_at": row["reference_reported_at"],
        "arrived_at": row["attendance_arrived_at"],
        "address_line1": row["address_line1"],
        "town": row["address_town"],
        "postcode": row["address_postcode"],
        "officer": {
            "id": str(row["officer_id"]),
            "display_name": row["officer__display_name"],
            "collar_number": row["officer__collar_number"],
        },
        "team_id": row["team_id"],
        "area_id": row["area_id"],
        "completed_at": row["completed_at"],
        "created_at": row["created_at"],
    }


async def list_visits(q: VisitListQuery, *, ctx: RequestContext) -> dict[str, Any]:
    """A page of visits, newest first, keyset-paged; each visit listed is audited as consulted.

    The page is read and its consult rows written in one transaction: the audit names exactly
    the rows that snapshot held. Returns the ``VisitPage`` as plain data: the rows go from the
    database to the response without model objects on either side (``page_json`` encodes it;
    tests hold it to the schema). On PostgreSQL in four round trips (``list_postgres``).
    """
    after = _decode_cursor(q.cursor) if q.cursor else None
    if is_postgres(connections.get("default")):
        page, more = await list_postgres.read_and_audit(ctx, q, after)
    else:
        page, more = await _read_and_audit(ctx, q, after)
    last = page[-1] if more and page else None
    return {
        "visits": [_summary(v) for v in page],
        "next_cursor": _encode_cursor(last["created_at"], last["id"]) if last else None,
    }


async def _read_and_audit(
    ctx: RequestContext, q: VisitListQuery, after: After | None
) -> tuple[list[dict[str, Any]], bool]:
    """The ORM path (SQLite): the page and whether more follow, audited in one transaction."""
    query = filtered_visits(ctx.caller, ctx.settings, q)
    async with in_transaction() as connection:
        rows = await newest_summaries(query, after, q.limit + 1, connection)
        page = rows[: q.limit]
        entries = visit_entries(ctx, AuditAction.CONSULT, [v["id"] for v in page], "visit list")
        await ctx.write_audit(entries, connection)
    return page, len(rows) > q.limit


def page_json(page: dict[str, Any]) -> bytes:
    """A ``VisitPage`` as JSON, as pydantic writes it (times in UTC end in ``Z``), by orjson."""
    return orjson.dumps(page, option=orjson.OPT_UTC_Z)
