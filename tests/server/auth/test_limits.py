"""Issue 14 item 5 (limits): no limit lets one party deny service to others - not a shared
address (a force behind one NAT or mobile gateway), not a known collar number (it is printed
on the uniform). SECURITY.md item 34."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from starlette.applications import Starlette

from harness.authenticator import SoftAuthenticator
from harness.passkeys import ORIGIN, enrol, login
from server.app import create_app
from server.auth.ratelimit import (
    ENROL_FAILURES_PER_ADDRESS_PER_HOUR,
    ENROL_STARTS_PER_CODE_PER_HOUR,
    address_key,
)
from server.auth.service import issue_enrolment_code
from server.clock import FixedClock
from server.context import RequestContext
from server.org.models import Role
from server.org.service import create_officer
from server.settings import Settings
from tests.server.auth.test_signatures_first import forger_of
from tests.support.people import Person

Enrolled = Callable[..., Awaitable[Person]]
At = Callable[[str], httpx.AsyncClient]
NAT = "198.51.100.7"


@pytest.fixture
async def at(app: Starlette) -> AsyncIterator[At]:
    """A browser at a given network address (the app sees it as the client's)."""
    made: list[httpx.AsyncClient] = []

    def browser(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        made.append(httpx.AsyncClient(transport=transport, base_url=ORIGIN, headers=_ORIGIN))
        return made[-1]

    yield browser
    for c in made:
        await c.aclose()


_ORIGIN = {"Origin": ORIGIN}


async def _code(collar: str, settings: Settings, clock: FixedClock) -> str:
    await create_officer(collar_number=collar, display_name="PC", role=Role.OFFICER, team_name="T")
    code, _ = await issue_enrolment_code(collar, ctx=RequestContext.system(settings, clock.now()))
    return code


async def _guess(browser: httpx.AsyncClient, collar: str, n: int) -> httpx.Response:
    body = {"collar": collar, "code": f"WRONG-{n:04d}-GUESS-CODE"}
    return await browser.post("/api/auth/enrol/options", json=body)


async def test_login_limit_behind_one_nat_does_not_lock_out_the_force(
    enrolled: Enrolled, at: At
) -> None:
    force = [await enrolled() for _ in range(8)]
    behind_the_nat = [(at(NAT), person.authenticator) for person in force]

    statuses = [
        (await login(browser, authenticator)).status_code
        for _ in range(6)
        for browser, authenticator in behind_the_nat
    ]

    assert statuses == [200] * 48


async def test_failed_sign_ins_behind_one_nat_do_not_block_a_valid_passkey(
    enrolled: Enrolled, at: At
) -> None:
    officer = await enrolled()
    attacker = at(NAT)
    forger = forger_of(officer.authenticator)
    for _ in range(40):
        assert (await login(attacker, forger)).status_code == 401
        bogus = {"credential": {"id": "AAAA", "response": {"clientDataJSON": "e30"}}}
        assert (await attacker.post("/api/auth/login/verify", json=bogus)).status_code == 401

    assert (await login(at(NAT), officer.authenticator)).status_code == 200


async def test_sign_in_floods_from_one_address_are_slowed_and_signed_in_officers_carry_on(
    db: str, settings: Settings, clock: FixedClock, enrolled: Enrolled
) -> None:
    settings = dataclasses.replace(settings, signin_per_address_per_minute=5)
    app = create_app(settings, clock=clock, manage_orm=False)
    officer = await enrolled()

    def browser(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url=ORIGIN, headers=_ORIGIN)

    async with browser(NAT) as flood, browser("203.0.113.9") as elsewhere:
        answers = [await flood.post("/api/auth/login/options", json={}) for _ in range(6)]
        assert [a.status_code for a in answers] == [200] * 5 + [429]
        assert 1 <= int(answers[-1].headers["retry-after"]) <= 61
        assert (await elsewhere.post("/api/auth/login/options", json={})).status_code == 200
        flood.cookies = officer.client.cookies  # a signed-in officer behind the same NAT
        assert (await flood.get("/api/me")).status_code == 200
        clock.advance(seconds=61)
        assert (await flood.post("/api/auth/login/options", json={})).status_code == 200


async def test_enrol_guesses_against_a_known_collar_do_not_lock_the_officer_out(
    db: str, settings: Settings, clock: FixedClock, at: At
) -> None:
    code = await _code("5150", settings, clock)
    for n in range(30):  # from many addresses, as a botnet would
        assert (await _guess(at(f"192.0.2.{n + 1}"), "5150", n)).status_code == 400

    response = await enrol(at("203.0.113.50"), SoftAuthenticator(), "5150", code)

    assert response.status_code == 200, response.text


async def test_enrol_guess_floods_from_one_address_are_slowed_but_a_valid_code_gets_through(
    db: str, settings: Settings, clock: FixedClock, at: At
) -> None:
    code = await _code("5151", settings, clock)
    flood = at(NAT)
    statuses = [
        (await _guess(flood, "5151", n)).status_code
        for n in range(ENROL_FAILURES_PER_ADDRESS_PER_HOUR + 2)
    ]
    last = await _guess(flood, "5151", 9999)

    assert statuses == [400] * ENROL_FAILURES_PER_ADDRESS_PER_HOUR + [429] * 2
    assert last.json()["error"]["code"] == "too_many_requests"
    assert int(last.headers["retry-after"]) > 0
    # The officer behind the same NAT, with the right code, is not refused.
    assert (await enrol(at(NAT), SoftAuthenticator(), "5151", code)).status_code == 200


async def test_one_enrolment_code_starts_a_bounded_number_of_ceremonies_an_hour(
    db: str, settings: Settings, clock: FixedClock, at: At
) -> None:
    code = await _code("5152", settings, clock)
    body = {"collar": "5152", "code": code}
    statuses = [
        (await at(NAT).post("/api/auth/enrol/options", json=body)).status_code
        for _ in range(ENROL_STARTS_PER_CODE_PER_HOUR + 1)
    ]
    assert statuses == [200] * ENROL_STARTS_PER_CODE_PER_HOUR + [429]
    clock.advance(seconds=3601)
    assert (await enrol(at(NAT), SoftAuthenticator(), "5152", code)).status_code == 200


def test_an_ipv6_subscriber_is_one_address_whatever_its_interface_id() -> None:
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:ffff:1:2:3")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    assert address_key("198.51.100.7") == "198.51.100.7"
    assert address_key("::ffff:198.51.100.7") == "198.51.100.7"
    assert address_key("") == "unknown"
