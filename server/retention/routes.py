"""An administrator erases one visit, and reads the retention policy (thin HTTP)."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response

from server.api import Endpoint, json_response, read_body
from server.context import RequestContext
from server.org.models import Role
from server.retention.erasure import erase_visit
from server.retention.models import ErasureObject
from server.retention.policy import due_counts, periods
from server.retention.schemas import EraseRequest, ErasureOut, PeriodOut, RetentionOut


async def erase(request: Request, ctx: RequestContext) -> Response:
    """Erase a visit and everything of it now; phones drop it on their next pull."""
    body = await read_body(request, EraseRequest)
    visit_id: uuid.UUID = request.path_params["visit_id"]
    why = f"{body.basis}: {body.reason}"
    erased = await erase_visit(visit_id, why, ctx=ctx, store=request.app.state.photo_store)
    return json_response(
        ErasureOut(
            visit_id=visit_id,
            erased_at=ctx.now,
            records=erased.records,
            objects_removed=erased.objects_removed,
            objects_pending=erased.objects_pending,
        )
    )


async def policy(request: Request, ctx: RequestContext) -> Response:
    """The retention periods in force and how many visits each would erase now."""
    counts = await due_counts(ctx.settings, ctx.now)
    return json_response(
        RetentionOut(
            periods=[
                PeriodOut(
                    state=p.state,
                    days=p.days,
                    measured_from=p.measured_from,
                    setting=f"DOORSTEP_RETENTION_{p.state.upper()}_DAYS",
                    due_now=counts[p.state],
                )
                for p in periods(ctx.settings)
            ],
            objects_pending=await ErasureObject.all().count(),
        )
    )


ADMIN = frozenset({Role.ADMIN})

endpoints = [
    Endpoint(
        "/api/admin/visits/{visit_id:uuid}/erase",
        "POST",
        erase,
        summary="Erase a visit now (recorded in error, a rights request...); audited",
        tag="admin",
        body=EraseRequest,
        response=ErasureOut,
        errors=(403, 404, 409),
        roles=ADMIN,
    ),
    Endpoint(
        "/api/admin/retention",
        "GET",
        policy,
        summary="The retention policy in force and what it would erase now (counts only)",
        tag="admin",
        response=RetentionOut,
        errors=(403,),
        roles=ADMIN,
    ),
]
