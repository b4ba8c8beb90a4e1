"""The CSV export: a reason is required, cells are escaped, each visit is audited."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from server.audit.models import AuditAction, AuditEvent
from server.supervision.export import escape_cell
from tests.server.supervision.phone_visits import Enrolled, completed_visit


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+44 7700", "'+44 7700"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Margaret", "Margaret"),
        (None, ""),
        (True, "yes"),
    ],
)
def test_escape_cell_neutralises_formulas(value: Any, expected: str) -> None:
    assert escape_cell(value) == expected


async def test_export_csv_requires_reason_streams_escaped_and_audits_each_visit(
    enrolled: Enrolled,
) -> None:
    officer = await enrolled(team="Team A")
    sergeant = await enrolled(role="supervisor", team="Team A")
    _, first = await completed_visit(officer, **{"victim.name": "=cmd|' /C calc'!A0"})
    _, second = await completed_visit(officer)
    missing = await sergeant.client.get("/api/exports/visits.csv")
    assert missing.status_code == 422
    assert missing.json()["error"]["details"]["fields"][0]["field"] == "reason"
    before = await AuditEvent.all().count()
    response = await sergeant.client.get(
        "/api/exports/visits.csv", params={"reason": "Monthly pledge return to the PCC"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["visit_id"] for r in rows} == {first, second}
    names = {r["victim_name"] for r in rows}
    assert "'=cmd|' /C calc'!A0" in names
    audit = await AuditEvent.filter(id__gt=before)
    assert sorted(a.record_id for a in audit) == sorted([first, second])
    assert {(a.action, a.reason, a.recipient) for a in audit} == {
        (AuditAction.DISCLOSE, "Monthly pledge return to the PCC", "CSV export")
    }
