"""The built app served by the API process (development and single-box deployments)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest

from server.app import create_app
from server.settings import Settings


@pytest.fixture
def built_app(tmp_path: Path) -> Path:
    """A fake build: an app shell and one hashed asset."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Doorstep</title>")
    (tmp_path / "assets" / "app-1a2b3c.js").write_text("console.log('doorstep')")
    (tmp_path / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    return tmp_path


@pytest.fixture
async def static_client(built_app: Path, settings: Settings, db: str) -> httpx.AsyncClient:
    """A client of an app serving the fake build."""
    app = create_app(dataclasses.replace(settings, pwa_dir=built_app), manage_orm=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost")


async def test_app_shell_is_served_with_csp_and_no_cache(static_client: httpx.AsyncClient) -> None:
    response = await static_client.get("/")
    assert response.status_code == 200
    assert "Doorstep" in response.text
    assert response.headers["cache-control"] == "no-cache"
    assert "object-src 'none'" in response.headers["content-security-policy"]
    assert (await static_client.get("/sw.js")).headers["cache-control"] == "no-cache"


async def test_hashed_asset_is_immutable(static_client: httpx.AsyncClient) -> None:
    response = await static_client.get("/assets/app-1a2b3c.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_unknown_app_path_gets_the_shell(static_client: httpx.AsyncClient) -> None:
    response = await static_client.get("/visits/123")
    assert response.status_code == 200
    assert "Doorstep" in response.text


async def test_path_outside_the_app_folder_is_never_served(
    static_client: httpx.AsyncClient,
) -> None:
    response = await static_client.get("/..%2F..%2F..%2Fetc%2Fpasswd")
    assert "root:" not in response.text
    assert "Doorstep" in response.text


async def test_unknown_api_path_is_json_404_for_any_method(
    static_client: httpx.AsyncClient,
) -> None:
    for method in ("GET", "POST", "DELETE"):
        response = await static_client.request(method, "/api/nothing-here")
        assert response.status_code == 404, method
        assert response.json()["error"]["code"] == "not_found"
