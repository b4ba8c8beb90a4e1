"""``GET /api/visits``: the visit list, newest first, a keyset page at a time, audited."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime

from server.audit.models import AuditAction
from server.context import RequestContext
from server.errors import BadRequest
from server.supervision.schemas import VisitListQuery, VisitPage, VisitSummary
from server.supervision.scoped import After, filtered_visits, newest_first, person, visit_entries


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


async def list_visits(q: VisitListQuery, *, ctx: RequestContext) -> VisitPage:
    """A page of visits, newest first, keyset-paged; each visit listed is audited as consulted."""
    query = filtered_visits(ctx.caller, ctx.settings, q)
    after = _decode_cursor(q.cursor) if q.cursor else None
    rows = await newest_first(query, after, q.limit + 1)
    page, more = rows[: q.limit], len(rows) > q.limit
    await ctx.write_audit(
        visit_entries(ctx, AuditAction.CONSULT, [v.id for v in page], "visit list")
    )
    return VisitPage(
        visits=[
            VisitSummary(
                id=str(v.id),
                status=v.status,
                crime_reference=v.reference_crime_reference,
                reported_at=v.reference_reported_at,
                arrived_at=v.attendance_arrived_at,
                address_line1=v.address_line1,
                town=v.address_town,
                postcode=v.address_postcode,
                officer=person(v.officer),
                team_id=v.team_id,  # type: ignore[attr-defined]
                area_id=v.area_id,  # type: ignore[attr-defined]
                completed_at=v.completed_at,
                created_at=v.created_at,
            )
            for v in page
        ],
        next_cursor=_encode_cursor(page[-1].created_at, page[-1].id) if more and page else None,
    )
