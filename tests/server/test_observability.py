"""Metrics, access logs without personal data, and backpressure."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from server.observability import BackpressureMiddleware
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]


async def test_metrics_are_prometheus_text_with_route_templates(
    enrolled: Enrolled, client: httpx.AsyncClient
) -> None:
    officer = await enrolled()
    await officer.client.get("/api/me")
    await officer.client.post(
        "/api/sync/push",
        json={"client_id": "0b9f7d0e-3c3a-4c62-9f47-1a5b2f0c9d11", "mutations": []},
    )
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "doorstep_http_request_duration_seconds_bucket" in text
    assert 'route="/api/me"' in text
    assert "doorstep_sync_mutations_total" in text
    assert "doorstep_overloaded_total" in text


async def test_access_log_names_route_template_not_path_or_query(
    enrolled: Enrolled, caplog: pytest.LogCaptureFixture
) -> None:
    sergeant = await enrolled(role="supervisor")
    with caplog.at_level(logging.INFO, logger="doorstep.access"):
        await sergeant.client.get("/api/visits", params={"postcode": "WR3 8JE"})
        await sergeant.client.get("/api/visits/0b9f7d0e-3c3a-4c62-9f47-1a5b2f0c9d11")
    records = [r for r in caplog.records if r.name == "doorstep.access"]
    routes = [getattr(r, "route", None) for r in records]
    assert "/api/visits" in routes
    assert "/api/visits/{visit_id:uuid}" in routes
    text = " ".join(str(r.__dict__) for r in records)
    assert "WR3" not in text
    assert "0b9f7d0e" not in text


async def test_backpressure_answers_503_with_retry_after_beyond_limit() -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow_app(scope: Scope, receive: Receive, send: Send) -> None:
        started.set()
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    guarded = BackpressureMiddleware(slow_app, limit=1, anonymous_limit=1)
    transport = httpx.ASGITransport(app=guarded)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
        first = asyncio.create_task(c.get("/api/sync/pull"))
        await started.wait()
        second = await c.get("/api/sync/pull")
        assert second.status_code == 503
        assert 2 <= int(second.headers["retry-after"]) <= 6
        assert second.json()["error"]["code"] == "overloaded"
        release.set()
        assert (await first).status_code == 200
        assert (await c.get("/api/sync/pull")).status_code == 200
