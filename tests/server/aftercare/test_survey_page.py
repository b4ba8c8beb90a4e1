"""The victim's survey: a single-use, unguessable, expiring link; answers checked and audited."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from starlette.applications import Starlette

from server.aftercare.models import LeaveBehind, SurveyResponse
from server.audit.models import AuditEvent
from server.clock import FixedClock
from tests.server.aftercare.phone_aftercare import (
    given_leave_behind,
    push_one,
    survey_token,
    token_hash,
)
from tests.server.supervision.phone_visits import Enrolled, completed_visit

ANSWERS = {
    "overall": "4",
    "ease_of_contact": "5",
    "actions_taken": "3",
    "kept_informed": "2",
    "treatment": "5",
    "comment": "Kind and quick.",
}


@pytest.fixture
def victim(make_client: object) -> httpx.AsyncClient:
    """The victim's own browser: no session, our origin on its form posts."""
    return make_client()  # type: ignore[operator, no-any-return]


async def test_the_link_opens_a_form_that_names_nothing_about_the_victim(
    enrolled: Enrolled, victim: httpx.AsyncClient
) -> None:
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer, **{"victim.name": "Margaret Ellis"})
    token, leave_id = await given_leave_behind(phone, visit_id)
    stored = await LeaveBehind.get(id=leave_id)
    assert stored.survey_token_sha256 == token_hash(token)
    assert token not in stored.text  # the secret is never stored

    page = await victim.get(f"/s/{token}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script" not in csp
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"
    for private in ("Margaret", "Ellis", "22/41871/26", "WR3", "Lansdowne"):
        assert private not in page.text
    assert '<html lang="en">' in page.text
    assert "<script" not in page.text


async def test_answered_once_then_the_link_is_spent(
    enrolled: Enrolled, victim: httpx.AsyncClient
) -> None:
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer)
    token, _ = await given_leave_behind(phone, visit_id)

    answered = await victim.post(f"/s/{token}", data=ANSWERS)
    assert answered.status_code == 200, answered.text
    assert "Thank you" in answered.text
    response = await SurveyResponse.get(visit_id=visit_id)
    assert (response.overall, response.kept_informed, response.channel) == (4, 2, "self")
    assert response.author_id is None  # type: ignore[attr-defined]
    audit = await AuditEvent.filter(record_type="survey_responses", record_id=str(response.id))
    assert [a.action for a in audit] == ["collect"]

    again = await victim.post(f"/s/{token}", data={**ANSWERS, "overall": "1"})
    assert again.status_code == 409
    assert "already been answered" in again.text
    assert (await victim.get(f"/s/{token}")).status_code == 409
    assert (await SurveyResponse.get(visit_id=visit_id)).overall == 4

    # The officer's phone learns of it, and cannot record a second one.
    pulled = [c for c in await phone.pull_all() if c["collection"] == "survey_responses"]
    assert pulled[0]["record"]["meta.channel"] == "self"
    second = await push_one(phone, "survey_responses", {"visit_id": visit_id, "overall": 5})
    assert second["error"]["code"] == "already_answered"


async def test_officer_recorded_answers_spend_the_link_too(
    enrolled: Enrolled, victim: httpx.AsyncClient
) -> None:
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer)
    token, _ = await given_leave_behind(phone, visit_id)
    recorded = await push_one(
        phone, "survey_responses", {"visit_id": visit_id, "overall": 5, "treatment": 5}
    )
    assert recorded["status"] == "applied", recorded
    assert (await victim.get(f"/s/{token}")).status_code == 409


async def test_an_expired_link_is_refused(
    app: Starlette, clock: FixedClock, enrolled: Enrolled, victim: httpx.AsyncClient
) -> None:
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer)
    token, _ = await given_leave_behind(phone, visit_id)
    clock.advance(seconds=app.state.settings.survey_link_seconds + 1)
    page = await victim.get(f"/s/{token}")
    assert page.status_code == 410
    assert "expired" in page.text
    assert (await victim.post(f"/s/{token}", data=ANSWERS)).status_code == 410
    assert not await SurveyResponse.exists()


async def test_guessing_is_refused_and_rate_limited_per_address(
    enrolled: Enrolled, victim: httpx.AsyncClient, make_client: object
) -> None:
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer)
    token, _ = await given_leave_behind(phone, visit_id)
    statuses = [(await victim.get(f"/s/{survey_token()}")).status_code for _ in range(21)]
    assert statuses[:20] == [404] * 20
    assert statuses[20] == 429
    for malformed in ("x", "A" * 26, token[:-1], "%2e%2e"):
        assert (await victim.get(f"/s/{malformed}")).status_code in {404, 429}
    # A path that leaves the survey's one segment is not a survey (the app shell, if built).
    outside = await victim.get("/s/..%2F..%2Fetc%2Fpasswd")
    assert "root:" not in outside.text
    assert "<form" not in outside.text
    # A real link still opens from the same address (a NAT's other victims are not locked out).
    assert (await victim.get(f"/s/{token}")).status_code == 200


async def test_bad_answers_are_refused_naming_the_question(
    enrolled: Enrolled, victim: httpx.AsyncClient
) -> None:
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer)
    token, _ = await given_leave_behind(phone, visit_id)
    missing = await victim.post(f"/s/{token}", data={"treatment": "5"})
    assert missing.status_code == 422
    assert "Choose an answer for: Overall, how satisfied" in missing.text
    assert 'href="#overall-5"' in missing.text
    assert 'value="5" checked' in missing.text  # the answer given is kept
    bad = await victim.post(f"/s/{token}", data={"overall": "9", "kept_informed": "abc"})
    assert bad.status_code == 422
    assert "Choose one of the answers given for: Overall" in bad.text
    assert "how well you were kept informed" in bad.text
    long = await victim.post(f"/s/{token}", data={"overall": "5", "comment": "x" * 2001})
    assert long.status_code == 422
    assert "at most 2000 characters" in long.text
    not_a_form = await victim.post(f"/s/{token}", json={"overall": "5"})
    assert not_a_form.status_code == 422
    assert not await SurveyResponse.exists()


async def test_answers_per_link_are_rate_limited(
    enrolled: Enrolled, victim: httpx.AsyncClient
) -> None:
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer)
    token, _ = await given_leave_behind(phone, visit_id)
    for _ in range(10):
        assert (await victim.post(f"/s/{token}", data={"overall": "7"})).status_code == 422
    limited = await victim.post(f"/s/{token}", data=ANSWERS)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0


async def test_welsh_page_for_a_welsh_leave_behind_with_a_switch(
    app: Starlette, enrolled: Enrolled, victim: httpx.AsyncClient
) -> None:
    app.state.settings = dataclasses.replace(
        app.state.settings, leave_behind_languages=("en", "cy")
    )
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer)
    token, _ = await given_leave_behind(phone, visit_id, language="cy")
    page = await victim.get(f"/s/{token}")
    assert page.status_code == 200
    assert '<html lang="cy">' in page.text
    assert "Pa mor fodlon ydych chi" in page.text
    assert "Bodlon iawn" in page.text
    assert 'href="?lang=en" hreflang="en" lang="en"' in page.text
    english = await victim.get(f"/s/{token}?lang=en")
    assert '<html lang="en">' in english.text
    bad = await victim.post(f"/s/{token}", data={"lang": "cy"})
    assert "Dewiswch ateb ar gyfer: At ei gilydd" in bad.text
    thanks = await victim.post(f"/s/{token}", data={**ANSWERS, "lang": "cy"})
    assert thanks.status_code == 200
    assert "Diolch" in thanks.text
    assert (await SurveyResponse.get(visit_id=visit_id)).language == "cy"


async def test_a_force_that_gives_english_only_refuses_a_welsh_leave_behind(
    enrolled: Enrolled,
) -> None:
    officer = await enrolled()
    phone, visit_id = await completed_visit(officer)
    await phone.client.get("/api/leave-behind")
    from tests.server.aftercare.phone_aftercare import leave_behind_fields

    result = await push_one(phone, "leave_behinds", leave_behind_fields(visit_id, language="cy"))
    assert result["error"]["details"]["field"] == "language"
    reused = survey_token()
    first = await push_one(phone, "leave_behinds", leave_behind_fields(visit_id, reused))
    assert first["status"] == "applied"
    again = await push_one(phone, "leave_behinds", leave_behind_fields(visit_id, reused))
    assert again["error"]["details"]["field"] == "survey.token_sha256"
    leaked = survey_token()
    written_out = leave_behind_fields(
        visit_id, leaked, text=f"Tell us how we did: http://localhost:8000/s/{leaked}"
    )
    refused = await push_one(phone, "leave_behinds", written_out)
    assert refused["error"]["details"]["field"] == "text"
