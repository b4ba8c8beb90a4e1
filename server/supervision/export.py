"""``GET /api/exports/visits.csv``: visits as CSV, streamed, escaped and audited.

Cells a spreadsheet would run as formulas are neutralised; each page's visits are audited as
disclosed, with the reason the supervisor gave.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from server.audit.models import AuditAction
from server.auth.principal import Principal
from server.context import RequestContext
from server.settings import Settings
from server.supervision.schemas import VisitFilters
from server.supervision.scoped import After, filtered_visits, newest_first
from server.visits.models import Visit

COLUMNS: list[tuple[str, str]] = [
    ("visit_id", "id"),
    ("status", "status"),
    ("crime_reference", "reference_crime_reference"),
    ("incident_number", "reference_incident_number"),
    ("reported_at", "reference_reported_at"),
    ("arrived_at", "attendance_arrived_at"),
    ("left_at", "attendance_left_at"),
    ("officer", "officer"),
    ("team_id", "team_id"),
    ("area_id", "area_id"),
    ("address_line1", "address_line1"),
    ("town", "address_town"),
    ("postcode", "address_postcode"),
    ("property_type", "place_property_type"),
    ("offence_type", "offence_type"),
    ("entry_point", "offence_entry_point"),
    ("entry_method", "offence_entry_method"),
    ("victim_name", "victim_name"),
    ("vulnerabilities", "victim_vulnerabilities"),
    ("victims_code_given", "victim_victims_code_given"),
    ("referral_made", "victim_referral_made"),
    ("csi_requested", "enquiry_csi_requested"),
    ("advice_items", "advice_items"),
    ("completed_at", "completed_at"),
    ("approved_at", "approved_at"),
]

# A spreadsheet runs a cell starting with these as a formula (CSV injection, OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> str:
    """A CSV cell as text, with a leading quote where a spreadsheet would see a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        text = "; ".join(str(v.get("id", v)) if isinstance(v, dict) else str(v) for v in value)
    elif hasattr(value, "value"):
        text = str(value.value)
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cells(visit: Visit) -> list[str]:
    cells = []
    for _, attribute in COLUMNS:
        if attribute == "officer":
            value: Any = f"{visit.officer.display_name} ({visit.officer.collar_number})"
        else:
            value = getattr(visit, attribute)
        cells.append(escape_cell(value))
    return cells


def _line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


async def iterate_filtered(
    principal: Principal, settings: Settings, f: VisitFilters, page: int = 500
) -> AsyncIterator[list[Visit]]:
    """Every visit matching the filters in pages, newest first (for streaming exports)."""
    after: After | None = None
    while True:
        rows = await newest_first(filtered_visits(principal, settings, f), after, page)
        if not rows:
            return
        yield rows
        after = (rows[-1].created_at, rows[-1].id)


async def stream_csv(
    filters: VisitFilters, reason: str, *, ctx: RequestContext
) -> AsyncIterator[str]:
    """Yield the CSV a page at a time, auditing each page's visits as disclosed."""
    yield _line([name for name, _ in COLUMNS])
    async for page in iterate_filtered(ctx.caller, ctx.settings, filters):
        await ctx.write_audit(
            ctx.audit(
                AuditAction.DISCLOSE,
                record_type="visits",
                record_id=v.id,
                reason=reason,
                recipient="CSV export",
            )
            for v in page
        )
        yield "".join(_line(_cells(v)) for v in page)
