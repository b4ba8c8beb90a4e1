"""Intake against a running ``doorstep serve`` with a real HTTP client, as the crime system
calls it: the credential made and revoked with the ``doorstep`` command, idempotent retries,
amendments, malformed rows, wrong and revoked tokens, and an officer's session refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.authenticator import SoftAuthenticator
from harness.passkeys import enrol
from harness.server import LiveServer
from tests.server.reports.rows import report_row

TEAM = "Worcester Response A"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A migrated, seeded demo server on SQLite, serving on a free port."""
    server = LiveServer(tmp_path_factory.mktemp("intake"))
    server.seed_demo()
    with server:
        yield server


def _token(live: LiveServer, name: str) -> str:
    printed = live.doorstep("create-integration", name).strip().splitlines()
    assert printed[0].startswith(f"integration {name} ")
    return printed[-1]


def _post(live: LiveServer, token: str, body: Any) -> httpx.Response:
    with httpx.Client(base_url=live.url, timeout=30) as client:
        return client.post("/api/reports", json=body, headers={"Authorization": f"Bearer {token}"})


def test_retries_are_idempotent_and_amendments_amend(live: LiveServer) -> None:
    token = _token(live, "rms-retries")
    batch = {
        "reports": [report_row("22/90001/26", team=TEAM), report_row("22/90002/26", team=TEAM)]
    }
    first = _post(live, token, batch)
    assert first.status_code == 200, first.text
    assert [r["outcome"] for r in first.json()["results"]] == ["created", "created"]
    for _ in range(2):  # a lost response, retried twice
        again = _post(live, token, batch)
        assert [r["outcome"] for r in again.json()["results"]] == ["unchanged", "unchanged"]
    amended = report_row("22/90002/26", team=TEAM, **{"victim.phone": "07700 900999"})
    response = _post(live, token, {"reports": [amended]})
    [row] = response.json()["results"]
    assert (row["outcome"], row["changed"], row["id"]) == (
        "amended",
        ["victim.phone"],
        first.json()["results"][1]["id"],
    )
    stored = live.query(
        "SELECT victim_phone, rev FROM report WHERE reference_crime_reference = ?", "22/90002/26"
    )
    assert stored == [("07700 900999", 2)]


def test_malformed_rows_are_refused_and_the_rest_kept(live: LiveServer) -> None:
    token = _token(live, "rms-malformed")
    rows = [
        report_row("22/90101/26", team=TEAM),
        report_row("22/90102/26", team=TEAM, **{"address.postcode": "XX"}),
        {"reference": "not an object"},
    ]
    response = _post(live, token, {"reports": rows})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["outcome"] for r in results] == ["created", "refused", "refused"]
    assert results[1]["problems"] == [
        {"field": "address.postcode", "message": "not a valid UK postcode (for example SW1A 1AA)"}
    ]
    nothing = _post(live, token, {"reports": rows[1:]})
    assert nothing.status_code == 422
    assert nothing.json()["error"]["details"]["results"][0]["row"] == 0
    not_json = httpx.post(
        f"{live.url}/api/reports",
        content=b"{",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert not_json.status_code == 400


def test_wrong_and_revoked_credentials_are_refused(live: LiveServer) -> None:
    token = _token(live, "rms-revoked")
    body = {"reports": [report_row("22/90201/26", team=TEAM)]}
    assert _post(live, token[:-2] + "xx", body).status_code == 401
    assert _post(live, token, body).status_code == 200
    assert "revoked integration rms-revoked" in live.doorstep("revoke-integration", "rms-revoked")
    refused = _post(live, token, body)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "bad_integration_credential"
    listed = live.doorstep("list-integrations")
    assert "rms-revoked" in listed
    assert token not in listed
    denied = live.query(
        "SELECT reason FROM audit_event WHERE action = 'denied' AND record_type = 'integration'"
    )
    assert ("revoked credential",) in denied
    assert ("unknown credential",) in denied


async def test_an_officers_session_is_refused_and_the_token_opens_nothing_else(
    live: LiveServer,
) -> None:
    token = _token(live, "rms-session")
    headers = {"Origin": live.url}
    async with httpx.AsyncClient(base_url=live.url, headers=headers, timeout=30) as officer:
        code = live.enrolment_code("1234")
        signed_in = await enrol(officer, SoftAuthenticator(), "1234", code, origin=live.url)
        assert signed_in.status_code == 200, signed_in.text
        assert (await officer.get("/api/me")).status_code == 200
        body = {"reports": [report_row("22/90301/26", team=TEAM)]}
        refused = await officer.post("/api/reports", json=body)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "integration_credential_required"
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as integration:
        bearer = {"Authorization": f"Bearer {token}"}
        for path in ("/api/visits", "/api/reports", "/api/me", "/api/pledge"):
            assert (await integration.get(path, headers=bearer)).status_code == 401, path
    assert live.query(
        "SELECT COUNT(*) FROM report WHERE reference_crime_reference = ?", "22/90301/26"
    ) == [(0,)]


def test_the_openapi_document_describes_intake(live: LiveServer) -> None:
    spec = httpx.get(f"{live.url}/api/openapi.json", timeout=30).json()
    operation = spec["paths"]["/api/reports"]["post"]
    assert operation["security"] == [{"integration": []}]
    assert spec["components"]["securitySchemes"]["integration"]["scheme"] == "bearer"
