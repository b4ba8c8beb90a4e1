"""Liveness, readiness and the generated OpenAPI document."""

from __future__ import annotations

import httpx
from tortoise import Tortoise

from server.db import close_orm, tortoise_config


async def test_healthz_answers_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


async def test_readyz_answers_200_when_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_readyz_answers_503_when_database_is_unreachable(client: httpx.AsyncClient) -> None:
    await close_orm()
    # Re-open the ORM on a database that cannot be reached (its folder does not exist).
    await Tortoise.init(config=tortoise_config("sqlite:///nonexistent/dir/doorstep.sqlite3"))
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"


async def test_openapi_is_generated_from_request_models(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    operation = spec["paths"]["/api/visits/validate"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/VisitRecord"
    schemas = spec["components"]["schemas"]
    assert "postcode" in schemas["Address"]["properties"]
    assert schemas["VisitRecord"]["additionalProperties"] is False
    assert "422" in operation["responses"]


async def test_unknown_route_answers_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
