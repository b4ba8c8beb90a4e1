"""The visit validation endpoint: the API's error shape for bad input."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette


async def test_validate_visit_bad_postcode_answers_422_naming_field(
    officer_client: httpx.AsyncClient,
) -> None:
    response = await officer_client.post(
        "/api/visits/validate", json={"address": {"line1": "1 High St", "postcode": "XX"}}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert "address.postcode" in error["message"]
    assert error["details"]["fields"][0]["field"] == "address.postcode"
    # The rejected value (possibly personal data) is never echoed back.
    assert "XX" not in response.text
    assert response.headers["cache-control"] == "no-store"


async def test_validate_visit_good_record_lists_missing_fields(
    officer_client: httpx.AsyncClient,
) -> None:
    response = await officer_client.post(
        "/api/visits/validate", json={"address": {"postcode": "wr3 8je"}}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert "victim.name" in body["missing_for_completion"]


async def test_validate_visit_unknown_field_answers_422(officer_client: httpx.AsyncClient) -> None:
    response = await officer_client.post("/api/visits/validate", json={"officer_id": "x"})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "officer_id"


async def test_validate_visit_wrong_content_type_answers_415(
    officer_client: httpx.AsyncClient,
) -> None:
    response = await officer_client.post(
        "/api/visits/validate", content=b"postcode=XX", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


async def test_validate_visit_broken_json_answers_400(officer_client: httpx.AsyncClient) -> None:
    response = await officer_client.post(
        "/api/visits/validate", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


async def test_validate_visit_oversize_body_answers_413(officer_client: httpx.AsyncClient) -> None:
    body = b'{"loss": {"damage": "' + b"x" * (3 * 1024 * 1024) + b'"}}'
    response = await officer_client.post(
        "/api/visits/validate", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_unexpected_exception_answers_generic_500_without_traceback(
    app: Starlette, officer_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object, **kwargs: object) -> list[str]:
        raise RuntimeError("SELECT secret FROM victims -- internal detail")

    monkeypatch.setattr("server.visits.routes.missing_for_completion", explode)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://localhost:8000", cookies=officer_client.cookies
    ) as c:
        response = await c.post("/api/visits/validate", json={})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "Traceback" not in response.text
    assert "SELECT" not in response.text
