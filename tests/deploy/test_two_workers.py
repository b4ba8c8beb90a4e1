"""Two workers behind Caddy on PostgreSQL: nothing about a phone lives in one worker.

docs/deploy.md promises that sessions, upload state and the sync feed are in the database, so any
worker answers any request and a worker can die at any moment. These tests run the real
processes (see conftest.py): a sync session and a resumable photo upload each start on one
worker, that worker is stopped, and they finish through Caddy on the other one. Then Caddy's own
promises: security and cache headers, compression, /metrics kept private, body limits, and the
workers' backpressure reaching the phone as 503 + Retry-After.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import random
import re
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from tusclient.client import TusClient
from tusclient.uploader import Uploader

from harness import tus
from harness.http import cookie_header, post_gzip, request_id, send_raw
from harness.images import jpeg_bytes, sha256_hex
from harness.phone import Phone, PhotoPhone, new_id
from harness.stack import SignIn, Stack


class Sha256Uploader(Uploader):
    """tuspy's uploader with ``Upload-Checksum: sha256`` (its default is sha1)."""

    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


def statuses(response: httpx.Response) -> list[str]:
    """The per-mutation statuses of a push answer."""
    return [r["status"] for r in response.json()["results"]]


async def pull(
    client: httpx.AsyncClient, client_id: str, cursor: str | None, label: str
) -> tuple[list[dict[str, Any]], str | None, int, list[str]]:
    """Follow cursors to the end: (the officer's own changes, cursor, last_seq, request ids)."""
    changes: list[dict[str, Any]] = []
    ids: list[str] = []
    last_seq = -1
    while True:
        rid = request_id(label)
        ids.append(rid)
        body = {"client_id": client_id, "cursor": cursor, "limit": 2}
        response = await resend_on_502(
            lambda body=body, rid=rid: post_gzip(client, "/api/sync/pull", body, request_id=rid)
        )
        assert response.status_code == 200, response.text
        page = response.json()
        changes += page["changes"]
        cursor = page["cursor"]
        last_seq = page["last_seq"]
        if not page["has_more"]:
            return own(changes), cursor, last_seq, ids


def own(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The changes to the officer's records: the advice catalogue comes to every officer too."""
    return [c for c in changes if c["collection"] != "advice_items"]


def once_each(changes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Changes by record id, failing if any record came twice."""
    by_id: dict[str, dict[str, Any]] = {}
    for change in changes:
        assert change["id"] not in by_id, f"{change['collection']} {change['id']} came twice"
        by_id[change["id"]] = change
    return by_id


def served(stack: Stack, ids: list[str]) -> set[int]:
    """Every worker that answered any of these requests."""
    workers: set[int] = set()
    for rid in ids:
        found = stack.served_by(rid)
        assert found, f"no worker logged request {rid}"
        workers |= found
    return workers


# Caddy 2.6 (Debian's) cannot retry a request with a body on the other upstream when the first
# try hit a worker that has just gone: Go's transport closes the body on the dial error, the retry
# on the live worker fails with "http: invalid Read on closed Body" and the phone gets a 502
# (caddyserver/caddy#5454; fixed upstream by caddyserver/caddy#7547). The app resends on 5xx
# (sync/PROTOCOL.md section 11; tus clients retry) and so do these tests, which check that nothing
# else went wrong. With a passive health check (`fail_duration`) Caddy also charges that failed
# retry to the live worker and takes both out of rotation: every request is then a 503 until
# the check expires, and these tests fail, as they should.
KNOWN_FAILOVER_ERRORS = ("invalid Read on closed Body", "connection refused")


async def resend_on_502(send: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
    """Send; on a 502 from Caddy resend the very same request (at most three times)."""
    for _ in range(3):
        response = await send()
        if response.status_code != 502:
            return response
        await asyncio.sleep(0.3)
    return response


def assert_only_known_failover_errors(stack: Stack) -> None:
    """Every request Caddy failed to proxy failed for the known Caddy 2.6 failover reason."""
    for entry in stack.caddy_errors():
        assert any(known in entry["msg"] for known in KNOWN_FAILOVER_ERRORS), entry


# --- a. a sync session crosses workers ------------------------------------------------------------


async def test_sync_session_and_cursor_survive_the_loss_of_a_worker(
    stack: Stack, sign_in: SignIn
) -> None:
    client = await sign_in(stack)
    phone = Phone(client)
    visit, item1, item2, kit, item3 = (new_id() for _ in range(5))
    first = [
        phone.mutation("visits", visit, {"victim.name": "Ann Smith", "offence.type": "dwelling"}),
        phone.mutation("property_items", item1, {"visit_id": visit, "category": "phone"}),
        phone.mutation("property_items", item2, {"visit_id": visit, "category": "cash"}),
    ]
    push1 = request_id("push1")
    body = {"client_id": phone.client_id, "mutations": first}
    response = await post_gzip(client, "/api/sync/push", body, request_id=push1)
    assert response.status_code == 200, response.text
    assert statuses(response) == ["applied"] * 3
    changes, cursor, last_seq, _ = await pull(client, phone.client_id, None, "pull1")
    assert last_seq == 3
    assert set(once_each(changes)) == {visit, item1, item2}

    # The worker that took the first push goes away; the phone keeps its cookie and cursor.
    (gone,) = stack.served_by(push1)
    survivor = 1 - gone
    await asyncio.to_thread(stack.stop_worker, gone)
    assert stack.workers[survivor].alive

    second = [
        phone.mutation("visits", visit, {"victim.phone": "07700 900123"}, base_rev=1),
        phone.mutation("kit_issues", kit, {"visit_id": visit, "kit_code": "SW-1234-5678"}),
        phone.mutation("property_items", item3, {"visit_id": visit, "category": "jewellery"}),
    ]
    body = {"client_id": phone.client_id, "mutations": second}
    push2 = request_id("push2")
    response = await resend_on_502(
        lambda: post_gzip(client, "/api/sync/push", body, request_id=push2)
    )
    assert response.status_code == 200, response.text
    assert response.json()["last_seq"] == 6
    assert statuses(response) == ["applied"] * 3
    answer = response.json()

    later, cursor, last_seq, pull_ids = await pull(client, phone.client_id, cursor, "pull2")
    assert last_seq == 6
    by_id = once_each(later)
    assert set(by_id) == {visit, kit, item3}, "the stopped worker's cursor skipped or repeated"
    assert by_id[visit]["rev"] == 2
    assert by_id[visit]["record"]["victim.name"] == "Ann Smith"
    assert by_id[visit]["record"]["victim.phone"] == "07700 900123"

    # A retry of the second push (its answer lost) is answered from what was stored, not applied
    # again: the feed has nothing new.
    # (Caddy may still try the stopped worker for a moment: like the app, resend on a 502.)
    retry = await resend_on_502(
        lambda: post_gzip(client, "/api/sync/push", body, request_id=request_id("retry"))
    )
    assert retry.status_code == 200, retry.text
    assert retry.json() == answer
    nothing, _, _, _ = await pull(client, phone.client_id, cursor, "pull3")
    assert nothing == []

    # A fresh pull from the start sees every record exactly once at its latest revision.
    everything, _, last_seq, _ = await pull(client, phone.client_id, None, "pull4")
    assert last_seq == 6
    revs = {k: v["rev"] for k, v in once_each(everything).items()}
    assert revs == {visit: 2, item1: 1, item2: 1, kit: 1, item3: 1}

    assert served(stack, [push2, *pull_ids]) == {survivor}
    assert stack.server_errors() == []
    assert_only_known_failover_errors(stack)


# --- b. a resumed upload crosses workers ----------------------------------------------------------


def three_megabyte_jpeg(seed: int) -> bytes:
    """A real JPEG padded after its end marker to 3 MiB with bytes of its own (unique SHA-256)."""
    data = jpeg_bytes((1200, 900), noise=True)
    size = 3 * 1024 * 1024
    assert len(data) < size
    return data + random.Random(seed).randbytes(size - len(data))


async def test_resumed_upload_finishes_on_the_other_worker(stack: Stack, sign_in: SignIn) -> None:
    client = await sign_in(stack)
    data = three_megabyte_jpeg(1)
    sha = sha256_hex(data)
    photo_phone = PhotoPhone(client)
    visit_id, photo_id = await photo_phone.record_photo(data)
    cookie = cookie_header(client)
    metadata = {
        "photo_id": photo_id,
        "visit_id": visit_id,
        "sha256": sha,
        "content_type": "image/jpeg",
        "filename": "IMG_0001.jpg",
    }
    cut = int(len(data) * 0.6)
    chunk = 256 * 1024
    first_id, second_id = request_id("tus1"), request_id("tus2")

    def tus_uploader(rid: str, **options: Any) -> Sha256Uploader:
        """tuspy's uploader of ``data`` through Caddy, every request tagged ``rid``."""
        headers = {"Cookie": cookie, "X-Request-Id": rid}
        tus = TusClient(f"{stack.origin}/api/uploads", headers=headers)
        return Sha256Uploader(
            file_stream=io.BytesIO(data),
            client=tus,
            chunk_size=chunk,
            upload_checksum=True,
            **options,
        )

    def first_session() -> str:
        uploader = tus_uploader(first_id, metadata=metadata)
        uploader.upload(stop_at=cut)  # the signal drops here
        assert uploader.offset == cut
        return str(uploader.url)

    url = await asyncio.to_thread(first_session)
    assert url.startswith(f"{stack.origin}/api/uploads/")

    # Kill (no goodbye) a worker that took part of the first session.
    gone = min(served(stack, [first_id]))
    survivor = 1 - gone
    await asyncio.to_thread(stack.stop_worker, gone, signal.SIGKILL)

    def resumed_session() -> int:
        # As tus-js-client does after an error: HEAD, then PATCH again from the offset.
        uploader = tus_uploader(second_id, url=url, retries=3, retry_delay=0.3)
        assert uploader.offset == cut  # HEAD on the survivor knows where the upload is
        uploader.upload()
        return int(uploader.get_offset())

    assert await asyncio.to_thread(resumed_session) == len(data)
    assert served(stack, [second_id]) == {survivor}

    assert (await photo_phone.photo_record(photo_id))["upload.status"] == "verified"
    original = await client.get(f"/api/photos/{photo_id}/original")
    assert original.status_code == 200, original.text
    assert hashlib.sha256(original.content).hexdigest() == sha
    assert original.content == data
    stored = stack.photo_dir / "originals" / sha[:2] / sha
    assert stored.read_bytes() == data
    assert stack.server_errors() == []
    assert_only_known_failover_errors(stack)


# --- c. what Caddy adds -----------------------------------------------------------------------


def csp_directives(value: str) -> dict[str, str]:
    """Content-Security-Policy as {directive: sources}."""
    parts = (p.strip().split(None, 1) for p in value.split(";") if p.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def assert_security_headers(response: httpx.Response) -> None:
    """The security headers the Caddyfile's ``(doorstep)`` snippet promises on every answer."""
    headers = response.headers
    hsts = headers.get("strict-transport-security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    assert max_age, f"no HSTS on {response.url}"
    assert int(max_age.group(1)) >= 31536000
    assert "includesubdomains" in hsts.lower()
    csp = csp_directives(headers.get("content-security-policy", ""))
    assert csp.get("object-src") == "'none'", csp
    assert csp.get("base-uri") == "'none'", csp
    assert csp.get("frame-ancestors") == "'none'", csp
    assert csp.get("default-src") == "'self'", csp
    assert headers.get("referrer-policy") == "no-referrer"
    permissions = [p.strip() for p in headers.get("permissions-policy", "").split(",")]
    assert "camera=(self)" in permissions
    assert "geolocation=(self)" in permissions
    assert headers.get("x-content-type-options") == "nosniff"
    assert "server" not in headers, f"Server: {headers.get('server')} on {response.url}"


async def test_caddy_sets_security_and_cache_headers(shared_stack: Stack) -> None:
    stack = shared_stack
    # The local profile (the tests' origin) and the production site block ({$DOORSTEP_DOMAIN}).
    for site in (stack.origin, stack.production_url):
        async with httpx.AsyncClient(base_url=site, timeout=30) as browser:
            page = await browser.get("/")
            assert page.status_code == 200
            assert "Doorstep" in page.text
            assert_security_headers(page)
            assert page.headers["cache-control"] == "no-cache"

            asset = await browser.get("/assets/app-abc.js")
            assert asset.status_code == 200
            assert_security_headers(asset)
            cache = [d.strip() for d in asset.headers["cache-control"].split(",")]
            assert "immutable" in cache
            assert "max-age=31536000" in cache

            worker = await browser.get("/sw.js")
            assert worker.status_code == 200
            assert worker.headers["cache-control"] == "no-cache"

            # A client-side route gets the app shell, revalidated.
            route = await browser.get("/visits/6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b")
            assert route.status_code == 200
            assert route.text == page.text
            assert route.headers["cache-control"] == "no-cache"

            # API answers through Caddy: the same headers, never cached, with a request id.
            health = await browser.get("/healthz")
            assert health.status_code == 200
            assert_security_headers(health)
            assert health.headers["cache-control"] == "no-store"
            assert re.fullmatch(r"[0-9a-f]{16}", health.headers["x-request-id"])


async def test_metrics_are_private_to_the_internal_network(shared_stack: Stack) -> None:
    stack = shared_stack
    async with httpx.AsyncClient(timeout=30) as http:
        for site in (stack.origin, stack.production_url):
            public = await http.get(f"{site}/metrics")
            assert public.status_code == 404
            assert "doorstep_" not in public.text
        for i in range(2):
            direct = await http.get(f"{stack.worker_url(i)}/metrics")
            assert direct.status_code == 200
            assert "doorstep_http_request_duration_seconds" in direct.text


async def test_caddy_compresses_responses(shared_stack: Stack, sign_in: SignIn) -> None:
    stack = shared_stack
    async with httpx.AsyncClient(base_url=stack.origin, timeout=30) as browser:
        plain = await browser.get("/", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        for path in ("/", "/assets/app-abc.js", "/api/openapi.json"):
            response = await browser.get(path, headers={"Accept-Encoding": "gzip"})
            assert response.status_code == 200, path
            assert response.headers.get("content-encoding") == "gzip", path
            assert "Accept-Encoding" in response.headers.get("vary", ""), path
        page = await browser.get("/", headers={"Accept-Encoding": "gzip"})
        assert page.content == plain.content  # httpx decoded it: the same page
        assert page.num_bytes_downloaded < len(plain.content) / 2

    # A sync answer, gzipped as the app asks for it.
    client = await sign_in(stack)
    phone = Phone(client)
    pushed = await post_gzip(
        client, "/api/sync/push", {"client_id": phone.client_id, "mutations": visits(phone, 20)}
    )
    assert pushed.status_code == 200, pushed.text
    response = await post_gzip(
        client, "/api/sync/pull", {"client_id": phone.client_id, "cursor": None, "limit": 100}
    )
    assert response.status_code == 200, response.text
    assert len(own(response.json()["changes"])) == 20
    assert response.headers.get("content-encoding") == "gzip"


OVERSIZED_PUSH = b'{"client_id": "' + b"x" * 2_500_000 + b'", "mutations": []}'


def raw_json_headers(stack: Stack, client: httpx.AsyncClient) -> dict[str, str]:
    """Headers of a JSON request sent by hand from the signed-in browser ``client``."""
    return {
        "Content-Type": "application/json",
        "Origin": stack.origin,
        "Cookie": cookie_header(client),
    }


async def created_upload(client: httpx.AsyncClient, data: bytes) -> tuple[str, str]:
    """A photo recorded by sync and its upload created by tus (nothing sent yet):
    (photo id, upload URL)."""
    visit_id, photo_id = await PhotoPhone(client).record_photo(data)
    created = await tus.TusClient(client).create(photo_id, visit_id, data)
    assert created.status_code == 201, created.text
    return photo_id, str(created.headers["Location"])


async def test_a_push_over_caddys_api_limit_is_refused_with_413(
    stack: Stack, sign_in: SignIn
) -> None:
    # /api/*: 2 MB. A 2.5 MB push is refused at the door, and the phone must see 413: a 5xx
    # would make it resend the same batch for ever (sync/PROTOCOL.md section 11).
    client = await sign_in(stack)
    headers = raw_json_headers(stack, client)
    status = await send_raw(stack.origin, "POST", "/api/sync/push", headers, OVERSIZED_PUSH)
    assert status == 413, f"{status}; Caddy: {stack.caddy_errors()[-1:]}"


async def test_oversized_bodies_do_not_take_the_workers_out_of_rotation(
    stack: Stack, sign_in: SignIn
) -> None:
    # Whatever Caddy answers to a body over its limit, it must not count it against a worker:
    # otherwise one oversized request per worker takes the whole site down.
    client = await sign_in(stack)
    headers = raw_json_headers(stack, client)
    for _ in range(3):
        await send_raw(stack.origin, "POST", "/api/sync/push", headers, OVERSIZED_PUSH)
    answers = [(await client.get("/api/me")).status_code for _ in range(6)]
    assert answers == [200] * 6, f"{answers}; Caddy: {stack.caddy_errors()[-2:]}"


async def test_an_upload_chunk_over_caddys_limit_is_refused_with_413(
    stack: Stack, sign_in: SignIn
) -> None:
    # /api/uploads*: 12 MB per request. A 13 MB chunk of a declared 13 MB photo is refused and
    # nothing of it is kept.
    client = await sign_in(stack)
    data = b"\xff\xd8\xff" + bytes(13_000_000 - 3)
    _, url = await created_upload(client, data)
    headers = {**tus.patch_headers(0), "Cookie": cookie_header(client)}
    status = await send_raw(stack.origin, "PATCH", url, headers, data)
    assert status == 413, f"{status}; Caddy: {stack.caddy_errors()[-1:]}"
    head = await tus.TusClient(client).head(url)
    assert head.status_code == 200
    assert head.headers["Upload-Offset"] == "0"


async def test_a_phone_hanging_up_mid_request_is_not_a_server_error(
    stack: Stack, sign_in: SignIn
) -> None:
    # Phones lose signal mid-push, and Caddy hangs up on a worker when its retry fails: the
    # worker must shrug (no 5xx, no error log), not report a crash.
    client = await sign_in(stack)
    phone = Phone(client)
    body = b'{"client_id": "' + phone.client_id.encode() + b'", "mutations": []}' + b" " * 5000
    for path in ("/api/sync/push", "/api/sync/pull", "/api/visits/validate"):
        headers = {**raw_json_headers(stack, client), "X-Request-Id": request_id("hangup")}
        await send_raw(stack.worker_url(0), "POST", path, headers, body, stop_after=100)
    await asyncio.sleep(0.5)
    assert stack.server_errors() == []


async def test_photo_downloads_keep_the_apps_own_headers_through_caddy(
    shared_stack: Stack, sign_in: SignIn
) -> None:
    # docs/photos.md: originals are served with a sandboxing CSP and never cached. Caddy's site
    # headers must not replace them with the app shell's policy.
    client = await sign_in(shared_stack)
    data = jpeg_bytes()
    photo_id, url = await created_upload(client, data)
    patch = await tus.TusClient(client).patch(url, 0, data)
    assert patch.status_code == 204, patch.text
    original = await client.get(f"/api/photos/{photo_id}/original")
    assert original.status_code == 200
    assert original.content == data
    assert original.headers["cache-control"] == "private, no-store"
    assert original.headers["x-content-type-options"] == "nosniff"
    csp = csp_directives(original.headers["content-security-policy"])
    assert csp == {"default-src": "'none'", "sandbox": ""}, original.headers[
        "content-security-policy"
    ]


# --- d. backpressure ----------------------------------------------------------------------------


PHONES = 40
MUTATIONS = 200


def visits(phone: Phone, n: int) -> list[dict[str, Any]]:
    """n new visits, as a phone's queue after a shift offline."""
    return [
        phone.mutation(
            "visits",
            new_id(),
            {
                "victim.name": f"Victim {phone.seq + 1}",
                "address.line1": f"{phone.seq + 1} Ombersley Road",
                "address.postcode": "WR3 8JE",
                "offence.type": "dwelling",
            },
        )
        for _ in range(n)
    ]


async def test_overloaded_workers_answer_503_with_retry_after_and_retries_succeed(
    busy_stack: Stack, sign_in: SignIn
) -> None:
    stack = busy_stack
    client = await sign_in(stack)
    cookie = cookie_header(client)
    phones = [Phone(client) for _ in range(PHONES)]
    queues = [visits(phone, MUTATIONS) for phone in phones]
    seen: list[int] = []
    overloaded: list[httpx.Response] = []
    retried_ok = 0
    shed_pulls = 0

    async with httpx.AsyncClient(
        base_url=stack.origin,
        headers={"Origin": stack.origin, "Cookie": cookie},
        timeout=60,
        limits=httpx.Limits(max_connections=PHONES),
    ) as http:
        start = asyncio.Event()

        async def push(phone: Phone, mutations: list[dict[str, Any]]) -> httpx.Response:
            nonlocal retried_ok
            await start.wait()
            waited = False
            deadline = time.monotonic() + 90
            while True:
                response = await post_gzip(
                    http, "/api/sync/push", {"client_id": phone.client_id, "mutations": mutations}
                )
                seen.append(response.status_code)
                if response.status_code != 503 or time.monotonic() > deadline:
                    if waited and response.status_code == 200:
                        retried_ok += 1
                    return response
                overloaded.append(response)
                retry_after = int(response.headers["Retry-After"])
                waited = True
                await asyncio.sleep(retry_after + random.uniform(0, 0.5))

        tasks = [asyncio.create_task(push(p, q)) for p, q in zip(phones, queues, strict=True)]
        await asyncio.sleep(0.2)
        start.set()
        answers = await asyncio.gather(*tasks)

    assert overloaded, "nothing was shed: 40 pushes never exceeded 2 x 2 requests in flight"
    assert {s for s in seen if s >= 500} == {503}, sorted(set(seen))
    for response in overloaded:
        assert 1 <= int(response.headers["Retry-After"]) <= 10
        assert response.json()["error"]["code"] == "overloaded"
    assert retried_ok > 0
    for phone, answer in zip(phones, answers, strict=True):
        assert answer.status_code == 200, answer.text
        assert answer.json()["last_seq"] == phone.seq == MUTATIONS
        assert set(statuses(answer)) == {"applied"}

    # Every visit stored once: the officer's feed holds exactly the 40 x 200 that were pushed.
    pushed = {m["id"] for queue in queues for m in queue}
    changes: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await post_gzip(
            client, "/api/sync/pull", {"client_id": new_id(), "cursor": cursor, "limit": 1000}
        )
        if page.status_code == 503:
            shed_pulls += 1
            await asyncio.sleep(int(page.headers["Retry-After"]))
            continue
        assert page.status_code == 200, page.text
        body = page.json()
        changes += body["changes"]
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    assert set(once_each(own(changes))) == pushed

    # The workers counted what they shed.
    shed = 0.0
    async with httpx.AsyncClient(timeout=30) as http:
        for i in range(2):
            text = (await http.get(f"{stack.worker_url(i)}/metrics")).text
            for line in text.splitlines():
                if line.startswith("doorstep_overloaded_total "):
                    shed += float(line.split()[1])
    assert shed == len(overloaded) + shed_pulls
    assert stack.server_errors() == []


async def test_no_worker_ready_answers_503_with_retry_after_and_the_error_body(
    stack: Stack, sign_in: SignIn
) -> None:
    # Found by the storm benchmark: when every worker failed a health check at once, Caddy
    # answered its own 503 ("no upstreams available") with no Retry-After and no body, which
    # a phone could not tell from a failure. It must look like the app's own overload answer.
    client = await sign_in(stack)
    phone = Phone(client)
    for i in range(2):
        await asyncio.to_thread(stack.stop_worker, i)
    await asyncio.sleep(3)  # the health checks (every second) mark both workers down
    body = {"client_id": phone.client_id, "mutations": visits(phone, 1)}
    response = await post_gzip(client, "/api/sync/push", body)
    assert response.status_code == 503, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= 10
    assert response.json()["error"]["code"] == "unavailable"
    assert response.json()["error"]["details"] == {"retry_after": 5}
