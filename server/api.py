"""Declaring API endpoints once: the same pydantic models validate requests and write OpenAPI.

An ``Endpoint`` names its body, query and response models; ``read_body`` and ``read_query``
validate against them, and ``openapi.build_openapi`` describes them. Nothing is hand-maintained.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import to_json
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.auth.guard import OutOfScope, audit_out_of_scope, authenticate, require_role
from server.auth.principal import IntegrationCaller, Principal
from server.context import RequestContext
from server.errors import (
    BadRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    validation_problems,
)
from server.org.models import Role
from server.reports import credentials

ModelT = TypeVar("ModelT", bound=BaseModel)
# A handler reads HTTP and calls one service with the request context the guard built.
Handler = Callable[[Request, RequestContext], Awaitable[Response]]
Dispatch = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    """One API operation: path, method, handler and the models that define its contract."""

    path: str
    method: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: Sequence[int] = field(default_factory=tuple)
    public: bool = False
    # Roles allowed to call it (None: any signed-in role). Checked after authentication.
    roles: frozenset[Role] | None = None
    response_media_type: str = "application/json"
    # How ``body`` arrives: JSON, or a plain HTML form (the public survey page).
    body_media_type: str = "application/json"
    # Which credential it takes (unless public): a signed-in session (the cookie), or an
    # integration's bearer token. Neither ever satisfies an endpoint of the other kind.
    auth: Literal["session", "integration"] = "session"


def request_context(
    request: Request, principal: Principal | None, integration: IntegrationCaller | None = None
) -> RequestContext:
    """The context of one request: built here, once, and only here."""
    state = request.scope.get("state", {})
    return RequestContext(
        settings=request.app.state.settings,
        now=request.app.state.clock.now(),
        request_id=str(state.get("request_id", "")),
        principal=principal,
        client_address=request.client.host if request.client else "",
        actor_id=integration.id if integration else None,
        integration=integration,
    )


def guarded(endpoint: Endpoint) -> Dispatch:
    """The endpoint's handler behind the guard: signed in, and in an allowed role.

    Every endpoint is guarded unless it says ``public=True``: a new route is closed by default.
    An ``auth="integration"`` endpoint takes an integration's bearer token instead of a
    session (and its context has ``integration`` set, no principal). The guard builds the
    request context and hands it to the handler; a record refused as out of the caller's scope
    leaves as the same 404, after its ``denied`` audit row is written.
    """

    async def handler(request: Request) -> Response:
        principal = None
        if endpoint.auth == "integration" and not endpoint.public:
            # The bearer token only: a session cookie on the request is ignored.
            anonymous = request_context(request, None)
            header = request.headers.get("authorization")
            integration = await credentials.authenticate(header, ctx=anonymous)
            return await endpoint.handler(request, request_context(request, None, integration))
        if not endpoint.public:
            principal = await authenticate(request)
        ctx = request_context(request, principal)
        if principal is not None and endpoint.roles is not None:
            await require_role(request, ctx, endpoint.roles)
        try:
            return await endpoint.handler(request, ctx)
        except OutOfScope as refusal:
            await audit_out_of_scope(ctx, refusal)
            raise

    return handler


def routes_for(endpoints: Sequence[Endpoint]) -> list[Route]:
    """Starlette routes for a list of endpoints, each behind the guard unless public."""
    by_path: dict[str, dict[str, Endpoint]] = {}
    for e in endpoints:
        by_path.setdefault(e.path, {})[e.method] = e
    routes = []
    for path, methods in by_path.items():
        handlers: dict[str, Dispatch] = {method: guarded(e) for method, e in methods.items()}
        if "GET" in handlers:
            handlers["HEAD"] = handlers["GET"]

        async def dispatch(request: Request, handlers: dict[str, Dispatch] = handlers) -> Response:
            return await handlers[request.method](request)

        routes.append(Route(path, dispatch, methods=list(handlers), name=path))
    return routes


async def read_json(request: Request, max_bytes: int) -> Any:
    """Read a JSON body, enforcing the media type and size limit while streaming it in."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType()
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge(details={"limit_bytes": max_bytes})
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(details={"limit_bytes": max_bytes})
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw:
        raise BadRequest("The request body is empty; send a JSON object.", code="invalid_json")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest("The request body is not valid JSON.", code="invalid_json") from exc


def validate_model(model: type[ModelT], data: Any, context: dict[str, Any] | None = None) -> ModelT:
    """Validate data against a model, turning failures into a 422 that names each field."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise ValidationFailed.from_fields(validation_problems(exc)) from exc


async def read_body(
    request: Request, model: type[ModelT], context: dict[str, Any] | None = None
) -> ModelT:
    """Read and validate a JSON body against ``model``."""
    max_bytes: int = request.app.state.settings.max_body_bytes
    return validate_model(model, await read_json(request, max_bytes), context)


def read_query(request: Request, model: type[ModelT]) -> ModelT:
    """Validate the query string against ``model`` (repeated keys become lists)."""
    data: dict[str, Any] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        data[key] = values if len(values) > 1 else values[0]
    return validate_model(model, data)


def json_response(model: BaseModel, status: int = 200) -> Response:
    """Serialise a response model by alias, as its OpenAPI schema describes it.

    pydantic writes the JSON bytes itself (no intermediate dict of JSON-ready values).
    """
    return Response(
        model.model_dump_json(by_alias=True), status_code=status, media_type="application/json"
    )


def json_data_response(data: Any, status: int = 200) -> Response:
    """Serialise plain data (dicts, lists, datetimes, UUIDs, enums) the way ``json_response``
    writes the same values in a model: for hot routes that build no response model."""
    return Response(to_json(data), status_code=status, media_type="application/json")
