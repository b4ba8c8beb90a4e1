"""Reports over HTTP (thin): intake from the crime system; the queue, figures and history."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from server.api import Endpoint, json_response, read_json
from server.context import RequestContext
from server.errors import ValidationFailed
from server.reports import intake
from server.reports.schemas import MAX_BATCH, IntakeBatch, IntakeResult


def _rows(body: Any) -> list[intake.IntakeRow]:
    """The batch's rows, or 422 when the body is not a batch at all."""
    problem = None
    if not isinstance(body, dict) or set(body) - {"reports"}:
        problem = ("", "send an object with one key, reports (a list of reports)")
    elif not isinstance(body.get("reports"), list):
        problem = ("reports", "a list of 1 to 500 reports is required")
    elif not 1 <= len(body["reports"]) <= MAX_BATCH:
        problem = ("reports", f"a list of 1 to {MAX_BATCH} reports is required")
    if problem:
        raise ValidationFailed.from_fields(
            [{"field": problem[0], "message": problem[1], "type": "batch"}]
        )
    return [intake.IntakeRow(i, row) for i, row in enumerate(body["reports"])]


async def take_in(request: Request, ctx: RequestContext) -> Response:
    """A batch of reports from the crime system: an outcome per row (see docs/intake.md)."""
    rows = _rows(await read_json(request, ctx.settings.max_body_bytes))
    integration = ctx.integration
    assert integration is not None  # the guard let only an integration in
    result = await intake.intake(
        rows,
        ctx=ctx,
        author=f"integration:{integration.id}",
        reason=f"integration {integration.name}",
    )
    if result.refused == result.received:
        fields = [
            {"field": f"reports[{r.row}].{p.field}".rstrip("."), "message": p.message}
            for r in result.results
            for p in r.problems
        ]
        raise ValidationFailed(
            "No report in the batch could be taken in; each row's problems are listed.",
            details={"fields": fields, "results": result.model_dump(mode="json")["results"]},
        )
    return json_response(result)


endpoints = [
    Endpoint(
        "/api/reports",
        "POST",
        take_in,
        summary="Intake: a batch of reported burglaries from the force's crime system",
        tag="reports",
        body=IntakeBatch,
        response=IntakeResult,
        errors=(401, 413, 415, 422, 429, 503),
        auth="integration",
    ),
]
