"""One visit's detail, audited as consulted."""

from __future__ import annotations

from server.audit.models import AuditAction, AuditEvent
from tests.server.supervision.phone_visits import Enrolled, completed_visit


async def test_visit_detail_writes_one_consult_audit_row(enrolled: Enrolled) -> None:
    officer = await enrolled(team="Team A")
    sergeant = await enrolled(role="supervisor", team="Team A")
    _, visit_id = await completed_visit(officer)
    before = await AuditEvent.all().count()
    response = await sergeant.client.get(f"/api/visits/{visit_id}")
    assert response.status_code == 200
    detail = response.json()
    assert detail["sections"]["victim"]["name"] == "Margaret Ellis"
    rows = await AuditEvent.filter(id__gt=before)
    assert [(r.action, r.record_id, r.actor_id) for r in rows] == [
        (AuditAction.CONSULT, visit_id, sergeant.officer.id)
    ]
