"""The OpenAPI document, generated from the endpoints' own pydantic models."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from server.api import Endpoint

_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}

_STATUS_TEXT = {
    400: "Bad request",
    401: "Not signed in (or, for intake, no valid integration credential)",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    410: "Gone",
    413: "Body too large",
    415: "Wrong content type",
    422: "Validation failed",
    429: "Too many requests",
    503: "Unavailable",
}


def _path_parameters(path: str) -> list[dict[str, Any]]:
    params = []
    for name, convertor in re.findall(r"{(\w+)(?::(\w+))?}", path):
        schema: dict[str, Any] = {"type": "string"}
        if convertor == "uuid":
            schema["format"] = "uuid"
        elif convertor == "int":
            schema = {"type": "integer"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _query_parameters(model: type[BaseModel], defs: dict[str, Any]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    defs.update(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def build_openapi(endpoints: Sequence[Endpoint], title: str, version: str) -> dict[str, Any]:
    """Describe every endpoint from the models that validate it."""
    models = {m for e in endpoints for m in (e.body, e.response) if m is not None}
    keyed: list[tuple[type[BaseModel], Literal["validation"]]] = [
        (m, "validation") for m in sorted(models, key=lambda m: m.__name__)
    ]
    _, top = models_json_schema(keyed, ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    schemas["Error"] = _ERROR_SCHEMA
    paths: dict[str, dict[str, Any]] = {}
    for e in endpoints:
        path = re.sub(r"{(\w+):\w+}", r"{\1}", e.path)
        operation: dict[str, Any] = {
            "summary": e.summary,
            "tags": [e.tag],
            "operationId": f"{e.method.lower()}_{re.sub(r'[^a-zA-Z0-9]+', '_', path).strip('_')}",
        }
        parameters = _path_parameters(e.path)
        if e.query is not None:
            parameters += _query_parameters(e.query, schemas)
        if parameters:
            operation["parameters"] = parameters
        if e.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {
                    e.body_media_type: {
                        "schema": {"$ref": f"#/components/schemas/{e.body.__name__}"}
                    }
                },
            }
        ok: dict[str, Any] = {"description": "OK"}
        if e.response is not None:
            ok["content"] = {
                e.response_media_type: {
                    "schema": {"$ref": f"#/components/schemas/{e.response.__name__}"}
                }
            }
        elif e.response_media_type != "application/json":
            ok["content"] = {e.response_media_type: {"schema": {"type": "string"}}}
        responses: dict[str, Any] = {str(e.status): ok}
        statuses = set(e.errors)
        if not e.public:
            statuses.add(401)
        if e.body is not None:
            statuses |= {400, 413, 415, 422}
        if e.query is not None:
            statuses.add(422)
        # An HTML page answers its errors as pages too; the API answers the JSON error.
        error_content: dict[str, Any] = (
            {"text/html": {"schema": {"type": "string"}}}
            if e.response_media_type == "text/html"
            else {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        )
        for status in sorted(statuses):
            responses[str(status)] = {
                "description": _STATUS_TEXT.get(status, "Error"),
                "content": error_content,
            }
        operation["responses"] = responses
        if not e.public:
            operation["security"] = [{"integration" if e.auth == "integration" else "session": []}]
        paths.setdefault(path, {})[e.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "doorstep_session"},
                "integration": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "an integration's token (`doorstep create-integration`)",
                },
            },
        },
    }
