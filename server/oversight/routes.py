"""``GET /api/visits/{id}/audit`` and ``GET /api/audit`` (thin HTTP; rules in oversight.trail)."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response

from server.api import Endpoint, json_response, read_query
from server.context import RequestContext
from server.org.models import Role
from server.oversight import trail
from server.oversight.schemas import AuditPage, AuditQuery, TrailQuery


async def visit_audit(request: Request, ctx: RequestContext) -> Response:
    """Who collected, viewed, changed, exported or erased a visit and its records, and when."""
    visit_id: uuid.UUID = request.path_params["visit_id"]
    page = await trail.visit_trail(visit_id, read_query(request, TrailQuery), ctx=ctx)
    return json_response(page)


async def audit_log(request: Request, ctx: RequestContext) -> Response:
    """The audit log, filtered, oldest first, a page at a time."""
    return json_response(await trail.search_log(read_query(request, AuditQuery), ctx=ctx))


endpoints = [
    Endpoint(
        "/api/visits/{visit_id:uuid}/audit",
        "GET",
        visit_audit,
        summary="A visit's audit trail (supervisors in scope, auditors); reading it is audited",
        tag="audit",
        query=TrailQuery,
        response=AuditPage,
        errors=(400, 403, 404),
        roles=frozenset({Role.SUPERVISOR, Role.AUDITOR}),
    ),
    Endpoint(
        "/api/audit",
        "GET",
        audit_log,
        summary="Search the audit log (auditors); reading it is audited",
        tag="audit",
        query=AuditQuery,
        response=AuditPage,
        errors=(400, 403),
        roles=frozenset({Role.AUDITOR}),
    ),
]
