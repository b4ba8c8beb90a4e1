"""``POST /api/reports`` in process: outcomes per row, idempotency, amendments, refusals."""

from __future__ import annotations

import httpx
import pytest

from server.audit.models import AuditAction, AuditEvent
from server.feed.models import Revision
from server.reports.models import Report
from tests.server.reports.conftest import bearer
from tests.server.reports.rows import report_row


async def _send(client: httpx.AsyncClient, token: str, *rows: object) -> httpx.Response:
    return await client.post("/api/reports", json={"reports": list(rows)}, headers=bearer(token))


async def test_created_then_retried_unchanged_then_amended(
    client: httpx.AsyncClient, token: str
) -> None:
    first = await _send(client, token, report_row())
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["received"], body["created"]) == (1, 1)
    [row] = body["results"]
    assert row["outcome"] == "created"
    assert row["crime_reference"] == "22/41871/26"
    report = await Report.get(id=row["id"])
    assert report.address_postcode == "WR3 8JE"
    assert report.state.value == "awaiting"
    assert report.holder_officer_id is None

    again = await _send(client, token, report_row())
    assert again.json()["results"][0]["outcome"] == "unchanged"

    amended = await _send(client, token, report_row(**{"victim.phone": "07700 900999"}))
    [row] = amended.json()["results"]
    assert (row["outcome"], row["changed"]) == ("amended", ["victim.phone"])
    report = await Report.get(id=row["id"])
    assert (report.victim_phone, report.rev) == ("07700 900999", 2)
    revisions = await Revision.filter(record_id=report.id).order_by("rev")
    assert [r.op for r in revisions] == ["intake", "intake"]
    assert revisions[-1].previous == {"victim.phone": "07700 900123"}
    actions = await AuditEvent.filter(record_type="reports").values_list("action", flat=True)
    assert sorted(actions) == ["alter", "collect"]
    calls = await AuditEvent.filter(record_type="intake").count()
    assert calls == 3


async def test_bad_rows_are_refused_by_row_and_field_and_good_rows_kept(
    client: httpx.AsyncClient, token: str
) -> None:
    rows = [
        report_row("22/1/26"),
        report_row("22/2/26", **{"address.postcode": "NOT A POSTCODE"}),
        report_row("22/3/26", team="No Such Team"),
        report_row("22/4/26", **{"reference.reported_at": "2027-01-01T00:00:00Z"}),
        report_row("22/5/26", **{"victim.name": None, "offence.type": "arson"}),
        "not an object",
        report_row("22/7/26", team=None),
    ]
    response = await _send(client, token, *rows)
    assert response.status_code == 200, response.text
    body = response.json()
    outcomes = [(r["row"], r["outcome"]) for r in body["results"]]
    assert outcomes == [(0, "created")] + [(i, "refused") for i in range(1, 7)]
    problems = {r["row"]: [p["field"] for p in r["problems"]] for r in body["results"]}
    assert problems[1] == ["address.postcode"]
    assert problems[2] == ["team"]
    assert problems[3] == ["reference.reported_at"]
    assert sorted(problems[4]) == ["offence.type", "victim.name"]
    assert problems[6] == ["team"]
    assert body["results"][1]["crime_reference"] == "22/2/26"
    assert (body["created"], body["refused"]) == (1, 6)
    assert await Report.all().count() == 1
    assert "NOT A POSTCODE" not in response.text  # the bad value is never echoed


async def test_a_batch_with_nothing_usable_is_422_with_every_row(
    client: httpx.AsyncClient, token: str
) -> None:
    response = await _send(client, token, report_row(**{"address.postcode": "nope"}))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["details"]["fields"][0]["field"] == "reports[0].address.postcode"
    assert error["details"]["results"][0]["outcome"] == "refused"
    for body in ({"reports": []}, {"reports": "x"}, [1], {"reports": [report_row()], "x": 1}):
        refused = await client.post("/api/reports", json=body, headers=bearer(token))
        assert refused.status_code == 422, body


async def test_a_later_row_in_the_same_batch_amends_an_earlier_one(
    client: httpx.AsyncClient, token: str
) -> None:
    response = await _send(client, token, report_row(), report_row(**{"victim.name": "Ann Smyth"}))
    assert [r["outcome"] for r in response.json()["results"]] == ["created", "amended"]
    assert (await Report.get()).victim_name == "Ann Smyth"


async def test_an_older_version_is_stale_and_changes_nothing(
    client: httpx.AsyncClient, token: str
) -> None:
    newer = report_row(updated_at="2026-11-22T20:00:00Z", **{"victim.phone": "07700 900111"})
    older = report_row(updated_at="2026-11-22T19:00:00Z")
    await _send(client, token, newer)
    response = await _send(client, token, older)
    assert response.json()["results"][0]["outcome"] == "stale"
    assert (await Report.get()).victim_phone == "07700 900111"


async def test_credentials_wrong_missing_revoked_and_sessions_are_refused(
    client: httpx.AsyncClient, token: str, officer_client: httpx.AsyncClient, system_ctx: object
) -> None:
    from server.reports.credentials import revoke_integration

    body = {"reports": [report_row()]}
    wrong = await client.post("/api/reports", json=body, headers=bearer("dsi_" + "x" * 43))
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "bad_integration_credential"
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    session = await officer_client.post("/api/reports", json=body)
    assert session.status_code == 401
    assert session.json()["error"]["code"] == "integration_credential_required"
    # The token opens nothing else: it is not a session.
    elsewhere = await client.get("/api/visits", headers=bearer(token))
    assert elsewhere.status_code == 401
    await revoke_integration("crime-system", ctx=system_ctx())  # type: ignore[operator]
    revoked = await client.post("/api/reports", json=body, headers=bearer(token))
    assert revoked.status_code == 401
    denied = await AuditEvent.filter(action=AuditAction.DENIED, record_type="integration")
    assert [d.reason for d in denied] == [
        "unknown credential",
        "no integration credential",
        "revoked credential",
    ]
    assert await Report.all().count() == 0


async def test_two_deliveries_of_a_new_report_at_once_make_one_report(
    backend: str, client: httpx.AsyncClient, token: str
) -> None:
    """Both insert the same crime reference; the loser is retried whole and finds it."""
    import asyncio

    if backend != "postgres":
        pytest.skip("needs concurrent transactions: PostgreSQL only")
    rows = [report_row(f"22/{n}/26") for n in range(1000, 1020)]
    first, second = await asyncio.gather(_send(client, token, *rows), _send(client, token, *rows))
    assert (first.status_code, second.status_code) == (200, 200)
    outcomes = sorted(
        r["outcome"] for response in (first, second) for r in response.json()["results"]
    )
    assert outcomes == ["created"] * 20 + ["unchanged"] * 20
    assert await Report.all().count() == 20
