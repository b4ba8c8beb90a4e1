"""``GET /api/advice`` (the catalogue the phone caches for offline use) and the administrator's
catalogue endpoints (thin HTTP; rules in advice.admin)."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from server.advice import admin
from server.advice.models import AdviceItem
from server.advice.schemas import (
    AddAdviceRequest,
    AdviceAdminList,
    AdviceCatalogue,
    AdviceVersionOut,
    EditAdviceRequest,
    RetireAdviceRequest,
)
from server.advice.service import advice_record, catalogue_in_force
from server.api import Endpoint, json_response, read_body
from server.context import RequestContext
from server.errors import NotFound
from server.org.models import Role

_ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,59}$")


def version_out(row: AdviceItem) -> AdviceVersionOut:
    """One version as the administrator's workspace shows it."""
    return AdviceVersionOut(
        **advice_record(row).model_dump(), record_id=row.id, created_at=row.created_at
    )


def _item_id(request: Request) -> str:
    item_id = str(request.path_params["item_id"])
    if not _ITEM_ID.match(item_id):
        raise NotFound("No such advice item.")
    return item_id


async def get_advice(request: Request, ctx: RequestContext) -> Response:
    """The catalogue in force."""
    return json_response(await catalogue_in_force())


async def list_catalogue(request: Request, ctx: RequestContext) -> Response:
    """Every item with every version, retired ones included."""
    rows = await admin.list_versions()
    return json_response(AdviceAdminList(items=[version_out(r) for r in rows]))


async def add_item(request: Request, ctx: RequestContext) -> Response:
    """Add an item to the catalogue (version 1)."""
    body = await read_body(request, AddAdviceRequest)
    return json_response(version_out(await admin.add_item(body, ctx=ctx)), 201)


async def edit_item(request: Request, ctx: RequestContext) -> Response:
    """Publish the next version of an item."""
    body = await read_body(request, EditAdviceRequest)
    return json_response(version_out(await admin.edit_item(_item_id(request), body, ctx=ctx)))


async def retire_item(request: Request, ctx: RequestContext) -> Response:
    """Stop offering an item (ticks already given stay valid)."""
    body = await read_body(request, RetireAdviceRequest)
    row = await admin.retire_item(_item_id(request), body.reason, ctx=ctx)
    return json_response(version_out(row))


ADMIN = frozenset({Role.ADMIN})

endpoints = [
    Endpoint(
        "/api/advice",
        "GET",
        get_advice,
        "The prevention advice catalogue in force",
        "advice",
        response=AdviceCatalogue,
    ),
    Endpoint(
        "/api/admin/advice",
        "GET",
        list_catalogue,
        "Every advice item and version, retired ones included",
        "admin",
        response=AdviceAdminList,
        errors=(403,),
        roles=ADMIN,
    ),
    Endpoint(
        "/api/admin/advice",
        "POST",
        add_item,
        "Add an advice item (phones receive it by sync)",
        "admin",
        body=AddAdviceRequest,
        response=AdviceVersionOut,
        status=201,
        errors=(403, 409),
        roles=ADMIN,
    ),
    Endpoint(
        "/api/admin/advice/{item_id}",
        "PUT",
        edit_item,
        "Publish the next version of an advice item (ticks keep the version they were given)",
        "admin",
        body=EditAdviceRequest,
        response=AdviceVersionOut,
        errors=(403, 404, 409),
        roles=ADMIN,
    ),
    Endpoint(
        "/api/admin/advice/{item_id}/retire",
        "POST",
        retire_item,
        "Retire an advice item (no longer offered; earlier ticks stay valid)",
        "admin",
        body=RetireAdviceRequest,
        response=AdviceVersionOut,
        errors=(403, 404, 409),
        roles=ADMIN,
    ),
]
