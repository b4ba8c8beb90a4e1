"""Shift-change storm: hundreds of phones reconnect at once to two workers behind Caddy.

    .venv/bin/python bench/storm.py [--phones 500] [--quick] [--spread 10] [--chunk-kib 256]
                                    [--postgres-url URL] [--caddyfile PATH]

The issue's words: against two workers behind Caddy on PostgreSQL on this machine, 500 simulated
phones (each its own session) reconnect within 10 s, each pushing 20 queued mutations and one
1 MB photo and then pulling. It prints p50, p95 and p99 latency, completion time, the count of
errors other than 503-then-retried (must be 0), and then checks that every mutation and every
photo byte is stored exactly once; also the storm's mutation throughput as a ratio to the
single-client push throughput measured in the same run, and the server's CPU-seconds (both
workers and Caddy) per mutation and per uploaded MB.

What it does, all on 127.0.0.1:

1. Creates a throwaway database ``doorstep_storm_<pid>_<random>`` on ``--postgres-url`` (default
   ``$DOORSTEP_BENCH_POSTGRES_URL`` or ``postgres://postgres@127.0.0.1:5432/test``) with a
   restricted role for the workers and an audit key, as production runs it
   (``harness.postgres.deployment``), and runs ``doorstep migrate`` as the tables' owner.
2. Starts two workers (``doorstep serve --port A`` and ``--port B``, i.e. ``python -m server.cli
   serve``) sharing the database and one ``DOORSTEP_PHOTO_DIR``, and Caddy with the repository
   Caddyfile (``DOORSTEP_DOMAIN=http://127.0.0.1:<port>``, the local profile moved from 8080 to a
   free port, which is the public origin ``http://localhost:<port>``): ``harness.stack``. An
   administrator (``doorstep create-officer --role admin``) creates one officer per phone in 10
   teams, plus one for the baseline, each with a one-time enrolment code, through the admin API.
3. Enrols every phone's passkey (software authenticator) directly against the workers, with a
   distinct ``X-Forwarded-For`` per phone: Caddy replaces a client's X-Forwarded-For with the
   connection's address, so through Caddy every local phone would be 127.0.0.1 and the
   per-address enrolment limit (20 an hour) would stop the set-up. Not timed.
4. Baseline (timed): one phone pushes 2,000 mutations (the storm phones' recipe, 100 visits'
   worth) in batches of 100, one after the other, through Caddy.
5. The storm (timed): every phone waits a random delay in [0, spread], then, through Caddy, with
   its own session cookie and keep-alive connection, at most 200 requests in flight across all
   phones (the benchmark's own bound on 2 cores): pushes its 20 queued
   mutations in two gzip batches of 10 (1 visit, 5 property items, 2 kit issues, edits of them,
   and the photo's metadata record), uploads its 1 MiB photo by tus (checksummed chunks), and
   pulls its feed to the end. 503 and 429 are answered by waiting Retry-After (with jitter) and
   sending the same request again: those are counted as "503-then-retried", not errors. Any other
   non-2xx answer or a transport error is an error (the phone then retries as the app does:
   resend the push, HEAD and resume the upload).
6. Checks, in the database and on disk: 20 received mutations (seqs 1..20, all accepted) and 20
   revisions per phone, one visit per phone with its 5 items, 2 kits and 1 photo, every photo
   ``verified`` with the declared SHA-256 and size, exactly one original file per photo whose
   bytes hash to it; and each phone's pull held each of its records exactly once at the
   acknowledged revision.

Exit status 1 if any error was counted or any check failed, 2 on a set-up problem. Processes are
stopped, the database dropped and the photo folder removed whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import http.cookiejar
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/ and harness/

import asyncpg
import httpx

from bench.common import (
    BASE_TIME,
    REQUEST_TIMEOUT,
    BenchFailure,
    add_postgres_url,
    check_postgres_url,
    iso,
    machine,
    percentile,
    queued,
    run,
    visit_fields,
)
from harness.http import GZIP_JSON, gzip_json
from harness.passkeys import Administrator, sign_in_new_device
from harness.phone import Phone as SyncPhone
from harness.postgres import Deployment, asyncpg_dsn, deployment
from harness.processes import doorstep
from harness.stack import CADDYFILE, Stack
from harness.tus import TUS, b64_sha256, patch_headers
from harness.tus import metadata as tus_metadata

TEAMS = 10
AREA = "Storm Area"
MUTATIONS_PER_PHONE = 20
PHOTO_BYTES = 1024 * 1024
BASELINE_VISITS = 100  # x 20 mutations = 2,000
BASELINE_BATCH = 100
MAX_IN_FLIGHT = 200  # requests on the wire at once, across all phones
ENROL_CONCURRENCY = 16
PULL_LIMIT = 200
ERROR_RETRIES = 5  # after an error a phone tries again, as the app does, this many times
ADVICE = [{"id": "wide-double-locks", "version": 1}, {"id": "door-viewer-chain", "version": 1}]
CATALOGUE = "advice_items"  # `doorstep migrate` installs it; every phone pulls it too


class PhoneFailed(Exception):
    """A phone gave up after repeated errors (each already counted)."""


# --- the workload: one phone's 20 mutations ---------------------------------------------------


@dataclass
class Recipe:
    """The records one phone creates offline and the 20 mutations that describe them."""

    visit_id: str
    item_ids: list[str]
    kit_ids: list[str]
    photo_id: str
    arrived_at: datetime = BASE_TIME
    first: list[dict[str, Any]] = field(default_factory=list)  # seqs 1..10 (creations, edits)
    second: list[dict[str, Any]] = field(default_factory=list)  # 11..20, after the first's ack


def new_recipe(rng: random.Random) -> Recipe:
    """Ids of one visit's records (the mutations are made by ``first_batch``/``second_batch``)."""

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    return Recipe(
        visit_id=new_id(),
        item_ids=[new_id() for _ in range(5)],
        kit_ids=[new_id() for _ in range(2)],
        photo_id=new_id(),
    )


def first_batch(queue: SyncPhone, recipe: Recipe, rng: random.Random, number: int) -> None:
    """Ten mutations made offline: a visit, 5 items, 2 kits, and 2 edits of the new visit."""
    v = recipe.visit_id
    created = visit_fields(rng, number)
    recipe.arrived_at = datetime.fromisoformat(created["attendance.arrived_at"])
    m = [queued(queue, "visits", v, created)]
    categories = ["jewellery", "phone", "computer", "cash", "bicycle"]
    for i, item in enumerate(recipe.item_ids):
        fields = {
            "visit_id": v,
            "category": categories[i],
            "description": f"Item {i + 1} taken from the front bedroom",
            "estimated_value_pence": rng.randrange(1_000, 200_000),
        }
        m.append(queued(queue, "property_items", item, fields))
    for i, kit in enumerate(recipe.kit_ids):
        fields = {
            "visit_id": v,
            "kit_code": f"SW-{number:06d}-{i}",
            "recipient": "victim" if i == 0 else "neighbour",
            "registration": "to_do",
        }
        m.append(queued(queue, "kit_issues", kit, fields))
    # Edits of its own new visit, before any acknowledgement: base_rev null (PROTOCOL.md 11.1).
    m.append(queued(queue, "visits", v, {"victim.phone": f"07711 {number % 1000000:06d}"}))
    m.append(queued(queue, "visits", v, {"offence.rooms_entered": ["kitchen", "hallway"]}))
    recipe.first = m


def second_batch(queue: SyncPhone, recipe: Recipe, revs: dict[str, int], photo: Photo) -> None:
    """Ten more, made on the acknowledged revisions: edits, the photo's metadata."""
    v = recipe.visit_id
    m = [
        queued(
            queue,
            "photos",
            recipe.photo_id,
            {
                "visit_id": v,
                "category": "point_of_entry",
                "caption": "Rear door, forced at the lock keep",
                "taken_at": iso(recipe.arrived_at + timedelta(minutes=20)),
                "byte_size": photo.size,
                "sha256": photo.sha256,
                "content_type": "image/jpeg",
            },
        ),
        queued(queue, "visits", v, {"advice.items": ADVICE}, revs[v]),
        queued(queue, "visits", v, {"victim.victims_code_given": True}, revs[v]),
        queued(queue, "visits", v, {"loss.damage": "Rear door frame split."}, revs[v]),
        queued(queue, "visits", v, {"enquiry.csi_requested": True}, revs[v]),
    ]
    for i, item in enumerate(recipe.item_ids[:3]):
        fields = {"marks_or_serial": f"SN-{i}-{v[:8]}", "property_marked": i % 2 == 0}
        m.append(queued(queue, "property_items", item, fields, revs[item]))
    kit = recipe.kit_ids[0]
    m.append(queued(queue, "kit_issues", kit, {"registration": "done"}, revs[kit]))
    left_at = iso(recipe.arrived_at + timedelta(minutes=90))
    m.append(queued(queue, "visits", v, {"attendance.left_at": left_at}, revs[v]))
    recipe.second = m


# --- the photo ----------------------------------------------------------------------------------


@dataclass
class Photo:
    """1 MiB: a real JPEG, then bytes of this phone's own after its end marker (unique SHA-256)."""

    data: bytes
    sha256: str
    size: int


def base_jpeg() -> bytes:
    """A camera-like JPEG just under 1 MiB (so derivatives are really made)."""
    from PIL import Image

    size = (1600, 1200)
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image = Image.blend(image, Image.effect_noise(size, 60).convert("RGB"), 0.35)
    for quality in (85, 75, 65, 50):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() < PHOTO_BYTES * 0.9:
            return out.getvalue()
    raise RuntimeError("could not make a JPEG under 1 MiB")


def phone_photo(base: bytes, seed: int) -> Photo:
    """This phone's photo."""
    data = base + random.Random(seed).randbytes(PHOTO_BYTES - len(base))
    return Photo(data, hashlib.sha256(data).hexdigest(), len(data))


# --- processes ----------------------------------------------------------------------------------


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) a process has used so far (Linux /proc; 0 if unknown)."""
    if pid is None:
        times = os.times()
        return times.user + times.system
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def create_people(stack: Stack, phones: int) -> list[tuple[str, str]]:
    """One officer per phone in 10 teams, plus the baseline phone's, made by an administrator
    through the admin API (on a worker): [(collar, code)]."""
    limit = asyncio.Semaphore(ENROL_CONCURRENCY)
    base_url, env = stack.worker_url(0), stack.cli_env()
    async with Administrator.signed_in(base_url, stack.origin, env) as admin:

        async def one(i: int) -> tuple[str, str]:
            async with limit:
                team = f"Storm Team {i % TEAMS}"
                return await admin.new_officer(
                    f"S{10000 + i}", f"PC Storm {i}", team=team, area=AREA
                )

        # Each team's first officer alone: the admin API makes a missing team on the fly, and
        # two requests making the same team at once would race for its unique code.
        first = [await one(i) for i in range(min(TEAMS, phones + 1))]
        rest = await asyncio.gather(*(one(i) for i in range(len(first), phones + 1)))
        return first + list(rest)


# --- phones ---------------------------------------------------------------------------------------


@dataclass
class Phone:
    """One officer's phone: its session, queue, records and what happened to it."""

    index: int
    collar: str
    cookie: str = ""
    queue: SyncPhone = field(init=False)  # its client_id and seq (made by ``Storm.connect``)
    recipe: Recipe | None = None
    photo_sha256: str = ""
    revs: dict[str, int] = field(default_factory=dict)
    pulled: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    push_started: float = 0.0
    push_finished: float = 0.0
    done: bool = False
    client: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        """This phone's own HTTP client (opened by ``Storm.connect``)."""
        assert self.client is not None
        return self.client


@dataclass
class Tally:
    """Requests, 503/429-then-retried answers and errors across all phones."""

    requests: int = 0
    retried: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


class Storm:
    """What every phone does, and the cap on requests in flight across all of them."""

    def __init__(self, origin: str, chunk: int) -> None:
        self.origin = origin
        self.chunk = chunk
        self.tally = Tally()
        self.in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)

    def connect(self, phone: Phone) -> None:
        """The phone's own client: one keep-alive connection, its session cookie, no jar.

        One client per phone rather than one shared pool of 200: httpcore's pool scans every
        queued request against every connection on each change, which with hundreds waiting
        cost the benchmark process as much CPU as both workers together.
        """
        jar = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        phone.client = httpx.AsyncClient(
            base_url=self.origin,
            cookies=jar,
            headers={"Origin": self.origin, "Accept-Encoding": "gzip", "Cookie": phone.cookie},
            timeout=httpx.Timeout(REQUEST_TIMEOUT),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            verify=False,  # plain HTTP on 127.0.0.1: skip loading CA certificates per client
        )
        phone.queue = SyncPhone(phone.client)

    async def send(
        self,
        phone: Phone,
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """One request, waiting for a slot among the MAX_IN_FLIGHT."""
        async with self.in_flight:
            return await phone.http.request(method, url, headers=headers, content=content)

    def error(self, phone: Phone, what: str) -> None:
        """Count an error (anything but 2xx and 503/429-then-retried)."""
        self.tally.errors.append(f"phone {phone.index}: {what}")

    async def backoff(self, response: httpx.Response) -> bool:
        """If this is 503/429 with Retry-After, wait it out (with jitter) and say so."""
        retry_after = response.headers.get("retry-after", "")
        if response.status_code not in (429, 503) or not retry_after.isdigit():
            return False
        status = response.status_code
        self.tally.retried[status] = self.tally.retried.get(status, 0) + 1
        await asyncio.sleep(int(retry_after) * random.uniform(1.0, 1.5))
        return True

    async def call(
        self,
        phone: Phone,
        method: str,
        url: str,
        what: str,
        *,
        ok: int = 200,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """Send until ``ok``: wait out 503/429, count anything else as an error and retry."""
        errors = 0
        while True:
            try:
                response = await self.send(phone, method, url, headers, content)
            except httpx.HTTPError as exc:
                self.error(phone, f"{what}: {type(exc).__name__} {exc}")
            else:
                self.tally.requests += 1
                if response.status_code == ok:
                    return response
                if await self.backoff(response):
                    continue
                self.error(phone, f"{what}: HTTP {response.status_code} {response.text[:200]}")
            errors += 1
            if errors > ERROR_RETRIES:
                raise PhoneFailed(what)
            await asyncio.sleep(0.5 * 2**errors * random.uniform(0.5, 1.0))

    async def push(self, phone: Phone, mutations: list[dict[str, Any]]) -> None:
        """Push one batch (resending the very same batch after a failure) and record the revs."""
        body = gzip_json({"client_id": phone.queue.client_id, "mutations": mutations})
        response = await self.call(
            phone,
            "POST",
            "/api/sync/push",
            f"push seqs {mutations[0]['seq']}..{mutations[-1]['seq']}",
            headers=GZIP_JSON,
            content=body,
        )
        answer = response.json()
        if answer["last_seq"] != mutations[-1]["seq"]:
            raise BenchFailure(f"phone {phone.index}: last_seq {answer['last_seq']}")
        for mutation, result in zip(mutations, answer["results"], strict=True):
            if result["status"] not in ("applied", "merged"):
                raise BenchFailure(
                    f"phone {phone.index} seq {mutation['seq']}: {result['status']} "
                    f"{json.dumps(result.get('error'))}"
                )
            phone.revs[mutation["id"]] = result["rev"]

    async def upload(self, phone: Phone, recipe: Recipe, photo: Photo) -> None:
        """tus: create, then PATCH checksummed chunks; after an error, HEAD and resume."""
        metadata = tus_metadata(
            {
                "photo_id": recipe.photo_id,
                "visit_id": recipe.visit_id,
                "sha256": photo.sha256,
                "content_type": "image/jpeg",
                "filename": "IMG_0001.jpg",
            }
        )
        created = await self.call(
            phone,
            "POST",
            "/api/uploads",
            "tus create",
            ok=201,
            headers={**TUS, "Upload-Length": str(photo.size), "Upload-Metadata": metadata},
        )
        url = urlsplit(created.headers["Location"]).path
        offset = int(created.headers.get("Upload-Offset", "0"))
        errors = 0
        while offset < photo.size:
            piece = photo.data[offset : offset + self.chunk]
            headers = patch_headers(offset, b64_sha256(piece))
            what = f"tus PATCH at {offset}"
            try:
                response = await self.send(phone, "PATCH", url, headers, piece)
            except httpx.HTTPError as exc:
                self.error(phone, f"{what}: {type(exc).__name__} {exc}")
            else:
                self.tally.requests += 1
                if response.status_code == 204:
                    offset = int(response.headers["Upload-Offset"])
                    continue
                if await self.backoff(response):
                    continue  # nothing was taken: the same chunk again
                self.error(phone, f"{what}: HTTP {response.status_code} {response.text[:200]}")
            errors += 1
            if errors > ERROR_RETRIES:
                raise PhoneFailed(what)
            await asyncio.sleep(0.5 * 2**errors * random.uniform(0.5, 1.0))
            head = await self.call(phone, "HEAD", url, "tus HEAD", headers=TUS)
            offset = int(head.headers["Upload-Offset"])

    async def pull(self, phone: Phone) -> None:
        """Follow the feed from the start to the end."""
        cursor = None
        while True:
            body = gzip_json(
                {"client_id": phone.queue.client_id, "cursor": cursor, "limit": PULL_LIMIT}
            )
            response = await self.call(
                phone,
                "POST",
                "/api/sync/pull",
                "pull",
                headers=GZIP_JSON,
                content=body,
            )
            page = response.json()
            phone.pulled += page["changes"]
            cursor = page["cursor"]
            if not page["has_more"]:
                return

    async def run_phone(
        self, phone: Phone, delay: float, base: bytes, started: float, finished: list[float]
    ) -> None:
        """One phone's reconnection: push 20, upload the photo, pull."""
        await asyncio.sleep(delay)
        t0 = time.perf_counter()
        rng = random.Random(phone.index)
        recipe = new_recipe(rng)
        phone.recipe = recipe
        photo = phone_photo(base, phone.index)
        phone.photo_sha256 = photo.sha256
        try:
            first_batch(phone.queue, recipe, rng, phone.index)
            phone.push_started = t0
            await self.push(phone, recipe.first)
            second_batch(phone.queue, recipe, phone.revs, photo)
            await self.push(phone, recipe.second)
            t1 = time.perf_counter()
            phone.push_finished = t1
            await self.upload(phone, recipe, photo)
            t2 = time.perf_counter()
            await self.pull(phone)
            t3 = time.perf_counter()
        except PhoneFailed:
            return
        phone.timings = {"push": t1 - t0, "upload": t2 - t1, "pull": t3 - t2, "phone": t3 - t0}
        phone.done = True
        finished.append(t3 - started)


# --- set-up: enrolment ------------------------------------------------------------------------


async def enrol_all(
    people: list[tuple[str, str]], worker_ports: list[int], origin: str
) -> list[Phone]:
    """Enrol every passkey directly against the workers, one X-Forwarded-For per phone."""
    limit = asyncio.Semaphore(ENROL_CONCURRENCY)

    async def one(i: int, collar: str, code: str) -> Phone:
        async with limit:
            port = worker_ports[i % len(worker_ports)]
            async with httpx.AsyncClient(
                base_url=f"http://localhost:{port}",
                headers={
                    "Origin": origin,
                    "X-Forwarded-For": f"10.{i // 62500}.{i // 250 % 250}.{i % 250 + 1}",
                },
                timeout=REQUEST_TIMEOUT,
                verify=False,  # plain HTTP: skip loading CA certificates per client
            ) as client:
                label = f"Bench {collar}"
                await sign_in_new_device(client, collar, code, origin=origin, label=label)
                cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        return Phone(i, collar, cookie)

    return list(
        await asyncio.gather(*(one(i, collar, code) for i, (collar, code) in enumerate(people)))
    )


# --- baseline ----------------------------------------------------------------------------------


async def baseline(storm: Storm, phone: Phone) -> tuple[int, float]:
    """One phone, 2,000 mutations (100 visits' recipes) in batches of 100, one after another."""
    rng = random.Random(10**6)
    recipes = [new_recipe(rng) for _ in range(BASELINE_VISITS)]
    per_batch = BASELINE_BATCH // (MUTATIONS_PER_PHONE // 2)
    photo = Photo(b"", "0" * 64, PHOTO_BYTES)  # its metadata only: no bytes are sent
    started = time.perf_counter()
    for group in range(0, len(recipes), per_batch):
        chunk = recipes[group : group + per_batch]
        for n, recipe in enumerate(chunk):
            first_batch(phone.queue, recipe, rng, 10**6 + group + n)
        await storm.push(phone, [m for r in chunk for m in r.first])
        for recipe in chunk:
            second_batch(phone.queue, recipe, phone.revs, photo)
        await storm.push(phone, [m for r in chunk for m in r.second])
    return phone.queue.seq, time.perf_counter() - started


# --- checks -------------------------------------------------------------------------------------


def check_pulls(phones: list[Phone], db_revs: dict[str, int]) -> None:
    """Each phone's pull: each of its 9 records once, at its latest rev in the database, which
    is the rev its pushes were acknowledged at (the photo's is later: the server's own upload
    revisions); the photo verified."""
    problems: list[str] = []
    for phone in phones:
        recipe = phone.recipe
        assert recipe is not None
        seen: dict[str, dict[str, Any]] = {}
        for change in phone.pulled:
            if change["collection"] == CATALOGUE and not change["deleted"]:
                continue
            if change["id"] in seen:
                problems.append(f"phone {phone.index}: {change['id']} pulled twice")
            seen[change["id"]] = change
        if set(seen) != set(phone.revs):
            problems.append(f"phone {phone.index}: pulled {len(seen)} records, not its 9")
            continue
        for record_id, acked in phone.revs.items():
            rev = seen[record_id]["rev"]
            latest = db_revs.get(record_id)
            if rev != latest or seen[record_id]["deleted"]:
                problems.append(f"phone {phone.index}: {record_id} pulled rev {rev}, db {latest}")
            elif record_id != recipe.photo_id and rev != acked:
                problems.append(f"phone {phone.index}: {record_id} rev {rev}, acked {acked}")
        photo = seen[recipe.photo_id]["record"]
        if photo.get("upload.status") != "verified" or photo.get("sha256") != phone.photo_sha256:
            problems.append(f"phone {phone.index}: photo {photo.get('upload.status')}")
    if problems:
        raise BenchFailure(f"pull check ({len(problems)} problems): " + "; ".join(problems[:10]))


def check_originals(
    photos: list[asyncpg.Record], expected_sha: dict[str, str], photo_dir: Path
) -> tuple[int, int, int, list[str]]:
    """Each verified photo's original on disk: (verified, files, bytes on disk, problems)."""
    problems: list[str] = []
    verified = 0
    for row in photos:
        sha = expected_sha.get(str(row["id"]))
        facts = (row["status"], row["sha256"], row["original_sha256"])
        if facts != ("verified", sha, sha) or not (
            row["byte_size"] == row["original_bytes"] == PHOTO_BYTES
        ):
            problems.append(f"photo {row['id']}: {facts} {row['byte_size']}")
            continue
        stored = photo_dir / row["original_key"]
        digest = hashlib.sha256()
        with stored.open("rb") as fh:
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != sha or stored.stat().st_size != PHOTO_BYTES:
            problems.append(f"photo {row['id']}: stored bytes do not hash to its SHA-256")
            continue
        verified += 1
    originals = photo_dir / "originals"
    files = [p for p in originals.rglob("*") if p.is_file()] if originals.exists() else []
    return verified, len(files), sum(f.stat().st_size for f in files), problems


async def check_database(
    db_dsn: str, phones: list[Phone], photo_dir: Path
) -> tuple[list[str], dict[str, int]]:
    """Every mutation and every photo byte stored exactly once.

    Returns the lines to print, and every phone record's latest rev (for the pull check).
    """
    clients = [uuid.UUID(p.queue.client_id) for p in phones]
    visits = [uuid.UUID(p.recipe.visit_id) for p in phones if p.recipe]
    conn = await asyncpg.connect(db_dsn)
    try:
        received = await conn.fetch(
            """SELECT client_id, count(*) AS n, count(DISTINCT seq) AS seqs, min(seq) AS lo,
                      max(seq) AS hi,
                      count(*) FILTER (WHERE status IN ('applied', 'merged')) AS accepted
               FROM received_mutation WHERE client_id = ANY($1::uuid[]) GROUP BY client_id""",
            clients,
        )
        last_seqs = await conn.fetch(
            "SELECT id, last_seq FROM sync_client WHERE id = ANY($1::uuid[])", clients
        )
        revisions = await conn.fetch(
            """SELECT client_id, count(*) AS n, count(DISTINCT seq) AS seqs, min(seq) AS lo,
                      max(seq) AS hi
               FROM revision WHERE client_id = ANY($1::uuid[]) GROUP BY client_id""",
            clients,
        )
        visit_rows = await conn.fetch(
            """SELECT v.id, (SELECT count(*) FROM property_item i WHERE i.visit_id = v.id) AS items,
                      (SELECT count(*) FROM kit_issue k WHERE k.visit_id = v.id) AS kits,
                      (SELECT count(*) FROM photo p WHERE p.visit_id = v.id) AS photos,
                      (SELECT count(*) FROM visit w WHERE w.officer_id = v.officer_id) AS owned
               FROM visit v WHERE v.id = ANY($1::uuid[])""",
            visits,
        )
        photos = await conn.fetch(
            """SELECT p.id, p.status, p.sha256, p.byte_size, p.original_sha256, p.original_bytes,
                      p.original_key
               FROM photo p WHERE p.visit_id = ANY($1::uuid[])""",
            visits,
        )
        rev_rows = await conn.fetch(
            """SELECT id, rev FROM visit WHERE id = ANY($1::uuid[])
               UNION ALL SELECT id, rev FROM property_item WHERE visit_id = ANY($1::uuid[])
               UNION ALL SELECT id, rev FROM kit_issue WHERE visit_id = ANY($1::uuid[])
               UNION ALL SELECT id, rev FROM photo WHERE visit_id = ANY($1::uuid[])""",
            visits,
        )
        uploads = await conn.fetch(
            """SELECT u.state, count(*) AS n FROM photo_upload u JOIN photo p ON p.id = u.photo_id
               WHERE p.visit_id = ANY($1::uuid[]) GROUP BY u.state""",
            visits,
        )
    finally:
        await conn.close()

    n = len(phones)
    problems: list[str] = []
    good = [
        r
        for r in received
        if (r["n"], r["seqs"], r["lo"], r["hi"], r["accepted"]) == (20, 20, 1, 20, 20)
    ]
    if len(good) != n:
        problems.append(f"received mutations: {len(good)} of {n} clients have exactly 1..20")
    total = sum(r["n"] for r in received)
    if total != n * MUTATIONS_PER_PHONE:
        problems.append(f"{total} received mutations, expected {n * MUTATIONS_PER_PHONE}")
    if sorted(r["last_seq"] for r in last_seqs) != [MUTATIONS_PER_PHONE] * n:
        problems.append("some client's last_seq is not 20")
    good_revs = [r for r in revisions if (r["n"], r["seqs"], r["lo"], r["hi"]) == (20, 20, 1, 20)]
    if len(good_revs) != n:
        problems.append(f"revisions: {len(good_revs)} of {n} clients have exactly seqs 1..20")
    shapes = [(r["items"], r["kits"], r["photos"], r["owned"]) for r in visit_rows]
    if len(visit_rows) != n or any(s != (5, 2, 1, 1) for s in shapes):
        problems.append(f"visits: {len(visit_rows)} of {n} with 5 items, 2 kits, 1 photo each")

    expected_sha = {p.recipe.photo_id: p.photo_sha256 for p in phones if p.recipe}
    verified, files, stored_bytes, photo_problems = await asyncio.to_thread(
        check_originals, photos, expected_sha, photo_dir
    )
    problems += photo_problems
    if verified != n or len(photos) != n:
        problems.append(f"photos: {verified} of {n} verified and byte-identical on disk")
    if files != n:
        problems.append(f"{files} original files on disk for {n} photos")
    states = {r["state"]: r["n"] for r in uploads}
    if states.get("complete") != n:
        problems.append(f"uploads by state: {states}")
    if problems:
        raise BenchFailure("database check: " + "; ".join(problems[:10]))
    db_revs = {str(r["id"]): r["rev"] for r in rev_rows}
    return [
        f"{total:,} received mutations = {n} clients x 20 (seqs 1..20 each once, all accepted); "
        f"{sum(r['n'] for r in revisions):,} revisions = {n} x 20",
        f"{len(visit_rows)} visits, one per phone, each with 5 property items, 2 kits, 1 photo",
        f"{verified} photos verified; {files} original files, {stored_bytes:,} bytes = "
        f"{n} x {PHOTO_BYTES:,}, each hashing to its photo's SHA-256; uploads {states}",
    ], db_revs


# --- the run ------------------------------------------------------------------------------------


def ms(values: list[float]) -> str:
    """p50, p95, p99 and max, in ms."""
    v = [x * 1000 for x in values]
    return "".join(f"{percentile(v, q):>9,.0f}" for q in (50, 95, 99)) + f"{max(v):>9,.0f}"


async def measure(args: argparse.Namespace, db: Deployment, workdir: Path) -> int:
    """Set up, baseline, storm, checks, report. Returns the exit status."""
    setup_started = time.perf_counter()
    db_url = db.owner_url  # the checks read as the tables' owner; the workers as the app role
    stack = Stack(db, workdir, caddyfile=Path(args.caddyfile), DOORSTEP_LOG_LEVEL="WARNING")
    origin, photo_dir = stack.origin, stack.photo_dir
    await asyncio.to_thread(doorstep, "migrate", env=stack.cli_env(), timeout=300)
    base = await asyncio.to_thread(base_jpeg)
    everyone: list[Phone] = []
    status = 0
    try:
        await asyncio.to_thread(stack.start)
        people = await create_people(stack, args.phones)
        phones = await enrol_all(people, stack.worker_ports, origin)
        everyone = list(phones)
        setup_seconds = time.perf_counter() - setup_started
        baseline_phone = phones.pop()

        storm = Storm(origin, args.chunk_kib * 1024)
        for phone in [*phones, baseline_phone]:
            storm.connect(phone)
        base_mutations, base_seconds = await baseline(storm, baseline_phone)
        base_errors = len(storm.tally.errors)

        delays = [random.Random(7_000 + p.index).uniform(0, args.spread) for p in phones]
        finished: list[float] = []
        pids = {
            "workers": [w.pid for w in stack.workers if w.pid],
            "caddy": [stack.caddy.pid] if stack.caddy and stack.caddy.pid else [],
        }
        cpu_before = {k: sum(cpu_seconds(p) for p in v) for k, v in pids.items()}
        cpu_before["benchmark client"] = cpu_seconds()
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        await asyncio.gather(
            *(
                storm.run_phone(p, d, base, started, finished)
                for p, d in zip(phones, delays, strict=True)
            )
        )
        completion = time.perf_counter() - started
        cpu = {k: sum(cpu_seconds(p) for p in v) - cpu_before[k] for k, v in pids.items()}
        cpu["benchmark client"] = cpu_seconds() - cpu_before["benchmark client"]
        load_after = os.getloadavg()[0]

        tally = storm.tally
        done = [p for p in phones if p.done]
        mutations = sum(p.queue.seq for p in phones)
        base_rate = base_mutations / base_seconds
        storm_rate = mutations / completion
        first_push = min(p.push_started for p in phones if p.push_started)
        last_push = max(p.push_finished for p in phones if p.push_finished)
        retried = sum(tally.retried.values())

        conn = await asyncpg.connect(asyncpg_dsn(db_url))
        try:
            pg = await conn.fetchval("SHOW server_version")
        finally:
            await conn.close()
        print("Doorstep storm benchmark (two workers behind Caddy, PostgreSQL)")
        print(f"{machine(pg)}; Caddy {args.caddy_version}")
        print(
            f"run: {len(phones)} phones ({TEAMS} teams), each its own session, starting within "
            f"{args.spread:g} s; each pushes {MUTATIONS_PER_PHONE} mutations (2 gzip batches), "
            f"uploads a {PHOTO_BYTES // 1024} KiB photo by tus in {args.chunk_kib} KiB "
            f"checksummed chunks, pulls; each phone its own connection, at most {MAX_IN_FLIGHT} "
            f"requests in flight; Caddyfile "
            f"{args.caddyfile}"
        )
        print(f"set-up (not timed): {setup_seconds:.1f} s, {len(phones) + 1} passkeys enrolled")
        print()
        print(f"{'latency, ms':<26}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}")
        print("-" * 62)
        if done:
            for key, label in (
                ("push", f"push ({MUTATIONS_PER_PHONE} mutations)"),
                ("upload", "upload (whole photo)"),
                ("pull", "pull (to the end)"),
                ("phone", "whole phone"),
            ):
                print(f"{label:<26}{ms([p.timings[key] for p in done])}")
        print()
        print(
            f"completion: {completion:.2f} s from the first phone's start to the last phone's "
            f"end; {len(done)} of {len(phones)} phones completed"
        )
        print(
            f"requests: {tally.requests:,} answered; 503-then-retried: {retried} "
            f"({', '.join(f'{k}: {v}' for k, v in sorted(tally.retried.items())) or 'none'}); "
            f"errors: {len(tally.errors)}"
        )
        print(
            f"single client: {base_mutations:,} mutations in batches of {BASELINE_BATCH} in "
            f"{base_seconds:.2f} s = {base_rate:,.0f} mutations/s"
        )
        print(
            f"storm: {mutations:,} mutations in {completion:.2f} s = {storm_rate:,.0f} "
            f"mutations/s, ratio to the single client {storm_rate / base_rate:.2f}x "
            f"(pushes alone: {mutations / (last_push - first_push):,.0f} mutations/s over "
            f"{last_push - first_push:.2f} s)"
        )
        print(
            "CPU during the storm: "
            + ", ".join(f"{k} {v:.0f} s" for k, v in cpu.items())
            + f" (of {completion * (os.cpu_count() or 1):.0f} core-seconds; PostgreSQL not "
            f"counted); load average {load_before:.1f} before, {load_after:.1f} after"
        )
        server_cpu = cpu["workers"] + cpu["caddy"]
        uploaded_mb = len(phones) * PHOTO_BYTES / 1e6
        print(
            f"server CPU (workers + Caddy): {server_cpu:.1f} s = "
            f"{server_cpu / mutations * 1000:.2f} ms per mutation, "
            f"{server_cpu / uploaded_mb:.3f} s per uploaded MB (the whole storm's CPU, pushes, "
            f"uploads and pulls, over each; workers alone {cpu['workers'] / mutations * 1000:.2f} "
            f"ms per mutation)"
        )
        for line in tally.errors[:20]:
            print(f"  error: {line}")
        if tally.errors or base_errors:
            status = 1
        if len(done) != len(phones):
            raise BenchFailure(f"{len(phones) - len(done)} phones gave up")

        lines, db_revs = await check_database(asyncpg_dsn(db_url), phones, photo_dir)
        for line in lines:
            print(f"check: {line}: OK")
        check_pulls(done, db_revs)
        print(
            "check: every phone's pull held each of its 9 records once, at its latest rev "
            "(= the acknowledged rev; photos verified): OK"
        )
    except BenchFailure as exc:
        print(f"FAILED: {exc}")
        status = 1
    finally:
        for phone in everyone:
            if phone.client is not None:
                await phone.client.aclose()
        await asyncio.to_thread(stack.stop)
        problems = [
            f"{worker.name}: {line[:300]}"
            for worker in stack.workers
            for line in worker.lines_with("ERROR", "Traceback")
        ]
        proxy_errors = stack.caddy.lines_with('"level":"error"') if stack.caddy else []
        if problems or proxy_errors:
            print(
                f"server logs: {len(problems)} worker error lines, {len(proxy_errors)} Caddy "
                "error lines"
            )
            for line in (problems + proxy_errors)[:10]:
                print(f"  {line[:300]}")
            status = 1
        else:
            print("server logs: no worker errors, no Caddy errors")
    return status


async def main_async(args: argparse.Namespace) -> int:
    """Make the database, run, and always clean up."""
    workdir = Path(tempfile.mkdtemp(prefix="doorstep-storm-"))
    try:
        async with deployment(args.postgres_url, "doorstep_storm") as db:
            async with asyncio.timeout(args.timeout):
                return await measure(args, db, workdir)
    except TimeoutError:
        print(f"FAILED: the run took longer than {args.timeout:.0f} s")
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_postgres_url(parser)
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--quick", action="store_true", help="50 phones")
    parser.add_argument(
        "--spread", type=float, default=10.0, help="seconds over which phones start"
    )
    parser.add_argument("--chunk-kib", type=int, default=256, help="tus chunk size (256..1024)")
    parser.add_argument("--caddyfile", default=str(CADDYFILE))
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds for the whole run")
    args = parser.parse_args(argv)
    if args.quick:
        args.phones = 50
    if args.phones < 1 or not 256 <= args.chunk_kib <= 1024:
        parser.error("need --phones >= 1 and 256 <= --chunk-kib <= 1024")
    check_postgres_url(parser, args.postgres_url)
    if shutil.which("caddy") is None:
        parser.error("caddy is not installed (make system-deps)")
    version = subprocess.run(["caddy", "version"], capture_output=True, text=True, check=False)
    args.caddy_version = (version.stdout.split() or ["?"])[0]
    return args


if __name__ == "__main__":
    sys.exit(run(main_async, parse_args()))
