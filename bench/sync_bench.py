"""Sync throughput on PostgreSQL: many phones push visits over HTTP, then one device pulls them.

    .venv/bin/python bench/sync_bench.py [--postgres-url URL] [--clients 20] [--mutations 10000]
                                         [--batch 100] [--workers 2] [--quick]

What it does, all against one PostgreSQL server (``--postgres-url``, default
``$DOORSTEP_BENCH_POSTGRES_URL`` or ``postgres://postgres@127.0.0.1:5432/test``):

1. Creates a throwaway database ``doorstep_bench_<random>`` and runs ``doorstep migrate`` on it.
2. Creates one officer per client and a team supervisor, starts ``doorstep serve`` (uvicorn,
   ``--workers N``, on a free port of 127.0.0.1) and enrols every one of them with the software
   passkey over HTTP, so each client has its own session cookie (not timed).
3. Push (timed): every client, concurrently, pushes its share of the mutations in batches, one
   batch after another, gzip-compressed as the PWA sends them. About 80% create a visit (13
   fields); the rest are follow-up puts (``base_rev`` from the acknowledgement) on visits the
   same client created in earlier batches.
4. Pull (timed): the supervisor of the team (a fresh device) pulls everything with limit 1000,
   following cursors. Every visit must arrive exactly once at the right revision, and every push
   result must be ``applied`` or ``merged``.
5. Baseline, same run and same server: plain asyncpg writes the very same visit rows (copied from
   the ``visit`` table) into ``bench_visit`` (``LIKE visit INCLUDING ALL``), replaying the same
   batches (creates as INSERT, follow-ups as UPDATE, one transaction per batch) from as many
   concurrent connections as there were clients; then selects them back in pages of 1000 by the
   indexed ``version`` column.

It prints Doorstep's rates beside the baseline's as ratios, the gzip bytes on the wire per
visit (request and response bodies, HTTP headers excluded), and push latency percentiles. The
server is stopped and the database dropped at the end, whatever happens. Exit status 1 if any
correctness check fails (or the server answers 5xx), 2 on a setup problem.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import platform
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from tests.support.authenticator import SoftAuthenticator  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
HOST = "127.0.0.1"
TEAM = "Bench Response Team"
AREA = "Bench Area"
EDIT_SHARE = 0.2  # follow-up puts among the mutations
PULL_LIMIT = 1000
REQUEST_TIMEOUT = 120.0  # seconds, per HTTP request
READY_TIMEOUT = 60.0
RUN_TIMEOUT = 1800.0  # seconds, the whole measured part

POSTCODES = [
    "WR3 8JE",
    "WR1 2ES",
    "WR2 6BQ",
    "WR4 9PA",
    "WR5 1DR",
    "WR9 8DS",
    "WR14 3HX",
    "B97 4DP",
    "DY10 1AB",
    "B60 3AR",
]
TOWNS = ["Worcester", "Malvern", "Droitwich", "Redditch", "Kidderminster", "Bromsgrove"]
STREETS = [
    "Ombersley Road",
    "Bath Road",
    "Lansdowne Crescent",
    "Tolladine Road",
    "Barbourne Terrace",
    "Henwick Road",
    "St John's",
    "Malvern Road",
]
FIRST = ["Ann", "Sam", "Priya", "Tom", "Grace", "Mohammed", "Ellen", "David", "Aisha", "Joe"]
LAST = ["Smith", "Patel", "Jones", "Evans", "Khan", "Taylor", "Brown", "Hughes", "Wood", "Lee"]
PROPERTY_TYPES = ["semi", "terrace", "detached", "semi", "bungalow"]
ADVICE = [
    {"id": "wide-double-locks", "version": 1},
    {"id": "door-chain", "version": 1},
    {"id": "timer-switches", "version": 1},
]
BASE_TIME = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


class BenchFailure(Exception):
    """A correctness check failed or the server misbehaved: the run is not valid."""


# --- helpers ---------------------------------------------------------------------------------


def iso(moment: datetime) -> str:
    """ISO-8601 with milliseconds and Z, as ``Date.toISOString()`` writes it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def with_database(url: str, name: str) -> str:
    """The same server URL naming another database."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def asyncpg_dsn(url: str) -> str:
    """asyncpg wants postgresql:// (tortoise writes postgres://)."""
    for prefix in ("postgres://", "asyncpg://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def tortoise_url(url: str) -> str:
    """tortoise-orm wants postgres:// (or asyncpg://)."""
    if url.startswith("postgresql://"):
        return "postgres://" + url[len("postgresql://") :]
    return url


def free_port() -> int:
    """A TCP port nobody listens on right now, on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def gzip_json(body: Any) -> bytes:
    """Compact JSON (as JSON.stringify writes it), gzip level 6 (as CompressionStream)."""
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return gzip.compress(raw, compresslevel=6, mtime=0)


# --- workload --------------------------------------------------------------------------------


def visit_fields(rng: random.Random, n: int) -> dict[str, Any]:
    """A realistic new visit: 13 fields across the sections an officer fills in first."""
    reported = BASE_TIME + timedelta(minutes=rng.randrange(0, 60 * 24 * 14))
    arrived = reported + timedelta(minutes=rng.randrange(25, 600))
    return {
        "reference.crime_reference": f"22/{40000 + n:05d}/26",
        "reference.reported_at": iso(reported),
        "attendance.arrived_at": iso(arrived),
        "address.line1": f"{rng.randrange(1, 240)} {rng.choice(STREETS)}",
        "address.town": rng.choice(TOWNS),
        "address.postcode": rng.choice(POSTCODES),
        "place.property_type": rng.choice(PROPERTY_TYPES),
        "victim.name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "victim.phone": f"07700 900{rng.randrange(0, 1000):03d}",
        "offence.type": "dwelling",
        "offence.entry_point": "rear_door",
        "offence.entry_method": "forced",
        "advice.items": [ADVICE[0]],
    }


def follow_up_fields(rng: random.Random, created: dict[str, Any]) -> dict[str, Any]:
    """A later put on the same visit: leaving time, Victims' Code, rooms, more advice, damage."""
    arrived = datetime.fromisoformat(created["attendance.arrived_at"].replace("Z", "+00:00"))
    return {
        "attendance.left_at": iso(arrived + timedelta(minutes=rng.randrange(30, 120))),
        "victim.victims_code_given": True,
        "offence.rooms_entered": rng.sample(["kitchen", "hallway", "lounge", "bedroom 1"], 2),
        "advice.items": ADVICE[: rng.randrange(2, 4)],
        "loss.damage": "Rear door frame split at the lock keep; door secured by the victim.",
    }


@dataclass
class Phone:
    """One officer's app install: its session, client_id, seq counter and what it pushed."""

    index: int
    collar: str
    authenticator: SoftAuthenticator
    client: httpx.AsyncClient
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    seq: int = 0
    created: dict[str, dict[str, Any]] = field(default_factory=dict)  # visit id -> its fields
    revs: dict[str, int] = field(default_factory=dict)  # acknowledged rev per visit
    edited: set[str] = field(default_factory=set)
    batches: list[list[tuple[str, str]]] = field(default_factory=list)  # (op, visit id)
    latencies: list[float] = field(default_factory=list)
    bytes_up: int = 0
    bytes_down: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


def batch_plan(total: int, batch: int) -> list[tuple[int, int]]:
    """(creates, follow-ups) per batch: the first batch creates only, follow-ups spread after."""
    sizes = [min(batch, total - start) for start in range(0, total, batch)]
    edits_left = round(total * EDIT_SHARE) if len(sizes) > 1 else 0
    plan: list[tuple[int, int]] = []
    created = 0
    for i, size in enumerate(sizes):
        later = len(sizes) - i
        edits = 0
        if i > 0:
            edits = min(edits_left, -(-edits_left // later), size, created)
        edits_left -= edits
        plan.append((size - edits, edits))
        created += size - edits
    return plan


# --- the database and the server -------------------------------------------------------------


async def create_database(admin_url: str, name: str) -> None:
    """CREATE DATABASE on the benchmark server."""
    conn = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_database(admin_url: str, name: str) -> None:
    """DROP DATABASE ... WITH (FORCE): nothing of the run is left behind."""
    conn = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def server_env(database_url: str, port: int) -> dict[str, str]:
    """The environment of ``doorstep migrate`` / ``doorstep serve`` for this run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")}
    env.update(
        DOORSTEP_DATABASE_URL=database_url,
        DOORSTEP_ORIGIN=f"http://localhost:{port}",
        DOORSTEP_RP_ID="localhost",
        DOORSTEP_LOG_LEVEL="WARNING",
        # The reader is a fresh officer's phone in the same team: with team visibility on it
        # pulls the whole team's visits (supervisors work online and pull nothing).
        DOORSTEP_OFFICERS_SEE_TEAM_VISITS="true",
        DOORSTEP_PHOTO_DIR=str(Path(tempfile.gettempdir()) / "doorstep-bench-photos"),
        PYTHONUNBUFFERED="1",
    )
    return env


def migrate(env: dict[str, str]) -> None:
    """``doorstep migrate`` against the bench database."""
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"doorstep migrate failed:\n{done.stdout}\n{done.stderr}")


async def create_people(database_url: str, origin: str, clients: int) -> list[tuple[str, str]]:
    """Officers (one per client) and a team supervisor, with enrolment codes: [(collar, code)].

    The last pair is the supervisor's.
    """
    from tortoise import Tortoise

    from server.auth.service import issue_enrolment_code
    from server.db import close_orm, tortoise_config
    from server.org.models import Role, SupervisionScope
    from server.org.service import create_officer
    from server.settings import Settings

    settings = Settings(database_url=database_url, origin=origin, rp_id="localhost")
    now = datetime.now(UTC)
    people: list[tuple[str, str]] = []
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        for i in range(clients + 1):
            supervisor = i == clients
            collar = f"S{9000 + i}" if supervisor else f"B{1000 + i}"
            await create_officer(
                collar_number=collar,
                display_name=f"{'Sgt' if supervisor else 'PC'} Bench {i}",
                role=Role.OFFICER,
                team_name=TEAM,
                area_name=AREA,
                supervision_scope=SupervisionScope.TEAM,
            )
            code, _ = await issue_enrolment_code(collar, settings, now)
            people.append((collar, code))
    finally:
        await close_orm()
    return people


class Server:
    """``doorstep serve`` in a subprocess, logging to a file; stopped by its own pid."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log_path: Path) -> None:
        self.env = env
        self.port = port
        self.workers = workers
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start uvicorn on 127.0.0.1:port with N workers."""
        log = self.log_path.open("wb")
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "server.cli",
                    "serve",
                    "--host",
                    HOST,
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the workers stop with it
            )
        finally:
            log.close()

    async def wait_ready(self) -> None:
        """Poll /readyz until it answers 200 (or the server dies, or time runs out)."""
        deadline = time.monotonic() + READY_TIMEOUT
        async with httpx.AsyncClient(base_url=f"http://{HOST}:{self.port}", timeout=5) as c:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"doorstep serve exited:\n{self.log_tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await c.get("/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        raise RuntimeError(
            f"doorstep serve not ready after {READY_TIMEOUT:.0f}s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        """SIGTERM to the server's process group, SIGKILL if it lingers."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def log_lines(self) -> list[str]:
        """Everything the server wrote."""
        try:
            return self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []

    def log_tail(self, n: int = 40) -> str:
        """The last lines of the server log."""
        return "\n".join(self.log_lines()[-n:])


# --- HTTP ------------------------------------------------------------------------------------


def new_client(port: int, index: int) -> httpx.AsyncClient:
    """One phone's browser: its own cookie jar and one keep-alive HTTP/1.1 connection.

    It connects to 127.0.0.1 but speaks for the origin http://localhost:PORT. Each phone has its
    own address as Caddy would forward it (X-Forwarded-For, trusted from 127.0.0.1), so the
    per-address enrolment limit applies per phone, as in the field.
    """
    return httpx.AsyncClient(
        base_url=f"http://{HOST}:{port}",
        headers={
            "Origin": f"http://localhost:{port}",
            "Accept-Encoding": "gzip",
            "X-Forwarded-For": f"10.77.{index // 250}.{index % 250 + 1}",
        },
        timeout=REQUEST_TIMEOUT,
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
    )


async def enrol(
    client: httpx.AsyncClient, authenticator: SoftAuthenticator, collar: str, code: str, origin: str
) -> None:
    """Register a passkey with the real endpoints; the session cookie lands in the client."""
    options = await client.post("/api/auth/enrol/options", json={"collar": collar, "code": code})
    if options.status_code != 200:
        raise RuntimeError(f"enrol options for {collar}: {options.status_code} {options.text}")
    credential = authenticator.create(options.json(), origin)
    verify = await client.post(
        "/api/auth/enrol/verify", json={"credential": credential, "label": f"Bench {collar}"}
    )
    if verify.status_code != 200:
        raise RuntimeError(f"enrol verify for {collar}: {verify.status_code} {verify.text}")


async def post_gzip(client: httpx.AsyncClient, path: str, body: Any) -> tuple[httpx.Response, int]:
    """POST a gzip-compressed JSON body; returns the response and the bytes sent in the body."""
    payload = gzip_json(body)
    response = await client.post(
        path,
        content=payload,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    return response, len(payload)


async def run_phone(
    phone: Phone, plan: list[tuple[int, int]], rng: random.Random, numbering: list[int]
) -> None:
    """Push this phone's batches in order, each after the previous one was acknowledged."""
    for creates, edits in plan:
        mutations: list[dict[str, Any]] = []
        ops: list[tuple[str, str]] = []
        candidates = [v for v in phone.created if v not in phone.edited and v in phone.revs]
        for visit_id in rng.sample(candidates, edits):
            phone.seq += 1
            phone.edited.add(visit_id)
            fields = follow_up_fields(rng, phone.created[visit_id])
            mutations.append(
                {
                    "seq": phone.seq,
                    "collection": "visits",
                    "id": visit_id,
                    "op": "put",
                    "base_rev": phone.revs[visit_id],
                    "fields": fields,
                    "at": iso(BASE_TIME + timedelta(seconds=phone.seq)),
                }
            )
            ops.append(("edit", visit_id))
        for _ in range(creates):
            phone.seq += 1
            numbering[0] += 1
            visit_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            fields = visit_fields(rng, numbering[0])
            phone.created[visit_id] = fields
            mutations.append(
                {
                    "seq": phone.seq,
                    "collection": "visits",
                    "id": visit_id,
                    "op": "put",
                    "base_rev": None,
                    "fields": fields,
                    "at": iso(BASE_TIME + timedelta(seconds=phone.seq)),
                }
            )
            ops.append(("create", visit_id))
        started = time.perf_counter()
        response, sent = await post_gzip(
            phone.client, "/api/sync/push", {"client_id": phone.client_id, "mutations": mutations}
        )
        phone.latencies.append(time.perf_counter() - started)
        phone.bytes_up += sent
        phone.bytes_down += response.num_bytes_downloaded
        if response.status_code != 200:
            raise BenchFailure(
                f"client {phone.index} push (seqs {mutations[0]['seq']}..{phone.seq}): "
                f"HTTP {response.status_code} {response.text[:500]}"
            )
        if response.headers.get("content-encoding") != "gzip":
            raise BenchFailure(f"client {phone.index}: push answer not gzipped")
        answer = response.json()
        if answer["last_seq"] != phone.seq:
            raise BenchFailure(
                f"client {phone.index}: last_seq {answer['last_seq']}, expected {phone.seq}"
            )
        if len(answer["results"]) != len(mutations):
            raise BenchFailure(f"client {phone.index}: {len(answer['results'])} results")
        for mutation, result in zip(mutations, answer["results"], strict=True):
            status = result["status"]
            phone.statuses[status] = phone.statuses.get(status, 0) + 1
            if result["seq"] != mutation["seq"] or status not in ("applied", "merged"):
                raise BenchFailure(
                    f"client {phone.index} seq {mutation['seq']}: {status} "
                    f"{json.dumps(result.get('error'))}"
                )
            phone.revs[mutation["id"]] = result["rev"]
        phone.batches.append(ops)


async def pull_all(
    client: httpx.AsyncClient, client_id: str
) -> tuple[list[dict[str, Any]], int, int, int]:
    """Follow cursors from null to the end: (changes, pages, bytes up, bytes down)."""
    changes: list[dict[str, Any]] = []
    cursor: str | None = None
    pages = up = down = 0
    while True:
        response, sent = await post_gzip(
            client,
            "/api/sync/pull",
            {"client_id": client_id, "cursor": cursor, "limit": PULL_LIMIT},
        )
        pages += 1
        up += sent
        down += response.num_bytes_downloaded
        if response.status_code != 200:
            raise BenchFailure(
                f"pull page {pages}: HTTP {response.status_code} {response.text[:500]}"
            )
        body = response.json()
        changes += body["changes"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return changes, pages, up, down


def verify_pull(phones: list[Phone], changes: list[dict[str, Any]]) -> None:
    """Every created visit exactly once, at its acknowledged rev, with what was sent."""
    expected: dict[str, tuple[Phone, dict[str, Any]]] = {}
    for phone in phones:
        for visit_id, fields in phone.created.items():
            expected[visit_id] = (phone, fields)
    seen: set[str] = set()
    problems: list[str] = []
    for change in changes:
        visit_id = change["id"]
        if change["collection"] != "visits" or change["deleted"]:
            problems.append(f"unexpected change {change['collection']} {visit_id}")
            continue
        if visit_id in seen:
            problems.append(f"visit {visit_id} delivered twice")
        seen.add(visit_id)
        if visit_id not in expected:
            problems.append(f"visit {visit_id} was never pushed")
            continue
        phone, fields = expected[visit_id]
        record = change["record"]
        if change["rev"] != phone.revs[visit_id]:
            problems.append(
                f"visit {visit_id} rev {change['rev']}, acknowledged {phone.revs[visit_id]}"
            )
        for path in ("reference.crime_reference", "address.postcode", "victim.name"):
            if record.get(path) != fields[path]:
                problems.append(f"visit {visit_id} {path} {record.get(path)!r} != {fields[path]!r}")
        if (visit_id in phone.edited) != (record.get("victim.victims_code_given") is True):
            which = "missing" if visit_id in phone.edited else "unexpected"
            problems.append(f"visit {visit_id}: follow-up {which}")
    missing = set(expected) - seen
    if missing:
        problems.append(f"{len(missing)} pushed visits never pulled, e.g. {sorted(missing)[:3]}")
    if problems:
        raise BenchFailure(
            f"pull check failed ({len(problems)} problems): " + "; ".join(problems[:10])
        )


# --- baseline --------------------------------------------------------------------------------


EDIT_COLUMNS = [
    "attendance_left_at",
    "victim_victims_code_given",
    "offence_rooms_entered",
    "advice_items",
    "loss_damage",
]


async def baseline(db_dsn: str, phones: list[Phone]) -> tuple[float, int, float, int]:
    """Plain asyncpg: write the same rows in the same batches, then read them back by pages.

    Returns (write seconds, rows written, read seconds, rows read).
    """
    conn = await asyncpg.connect(db_dsn)
    try:
        await conn.execute("DROP TABLE IF EXISTS bench_visit")
        await conn.execute("CREATE TABLE bench_visit (LIKE visit INCLUDING ALL)")
        rows = await conn.fetch("SELECT * FROM visit")
    finally:
        await conn.close()
    columns = list(rows[0].keys())
    by_id = {str(r["id"]): tuple(r.values()) for r in rows}
    edit_values = {str(r["id"]): tuple(r[c] for c in EDIT_COLUMNS) for r in rows}
    quoted = ", ".join(f'"{c}"' for c in columns)
    insert = (
        f"INSERT INTO bench_visit ({quoted}) VALUES "
        f"({', '.join(f'${i + 1}' for i in range(len(columns)))})"
    )
    update = (
        "UPDATE bench_visit SET "
        + ", ".join(f'"{c}" = ${i + 2}' for i, c in enumerate(EDIT_COLUMNS))
        + ", rev = rev + 1, updated_at = now() WHERE id = $1"
    )
    # asyncpg hands jsonb back as text and takes text for it: the rows go back unchanged.
    connections = [await asyncpg.connect(db_dsn) for _ in phones]

    async def replay(conn: asyncpg.Connection, phone: Phone) -> int:
        written = 0
        for ops in phone.batches:
            inserts = [by_id[v] for op, v in ops if op == "create"]
            updates = [(uuid.UUID(v), *edit_values[v]) for op, v in ops if op == "edit"]
            async with conn.transaction():
                if inserts:
                    await conn.executemany(insert, inserts)
                if updates:
                    await conn.executemany(update, updates)
            written += len(inserts) + len(updates)
        return written

    try:
        started = time.perf_counter()
        counts = await asyncio.gather(
            *(replay(c, p) for c, p in zip(connections, phones, strict=True))
        )
        write_seconds = time.perf_counter() - started
    finally:
        for c in connections:
            await c.close()

    conn = await asyncpg.connect(db_dsn)
    try:
        await conn.execute("ANALYZE bench_visit")
        read = 0
        after = -1
        started = time.perf_counter()
        while True:
            page = await conn.fetch(
                "SELECT * FROM bench_visit WHERE version > $1 ORDER BY version LIMIT $2",
                after,
                PULL_LIMIT,
            )
            read += len(page)
            if len(page) < PULL_LIMIT:
                break
            after = page[-1]["version"]
        read_seconds = time.perf_counter() - started
    finally:
        await conn.close()
    if read != len(rows):
        raise BenchFailure(f"baseline read {read} rows, wrote {len(rows)}")
    return write_seconds, sum(counts), read_seconds, read


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Results:
    """What the run measured."""

    push_seconds: float = 0.0
    mutations: int = 0
    visits: int = 0
    latencies: list[float] = field(default_factory=list)
    push_up: int = 0
    push_down: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    pull_seconds: float = 0.0
    pulled: int = 0
    pages: int = 0
    pull_up: int = 0
    pull_down: int = 0
    base_write_seconds: float = 0.0
    base_written: int = 0
    base_read_seconds: float = 0.0
    base_read: int = 0
    pg_version: str = ""


async def measure(args: argparse.Namespace, db_url: str, port: int) -> Results:
    """Enrol everybody, push, pull, verify, then the baseline."""
    origin = f"http://localhost:{port}"
    people = await create_people(db_url, origin, args.clients)
    res = Results()
    phones: list[Phone] = []
    clients: list[httpx.AsyncClient] = []
    try:
        for i, (collar, code) in enumerate(people):
            client = new_client(port, i)
            clients.append(client)
            authenticator = SoftAuthenticator()
            await enrol(client, authenticator, collar, code, origin)
            phones.append(Phone(i, collar, authenticator, client))
        supervisor = phones.pop()

        per_client = [args.mutations // args.clients] * args.clients
        for i in range(args.mutations % args.clients):
            per_client[i] += 1
        plans = [batch_plan(n, args.batch) for n in per_client]
        rngs = [random.Random(1000 + i) for i in range(args.clients)]
        numbering = [0]

        started = time.perf_counter()
        await asyncio.gather(
            *(
                run_phone(p, plan, rng, numbering)
                for p, plan, rng in zip(phones, plans, rngs, strict=True)
            )
        )
        res.push_seconds = time.perf_counter() - started
        res.mutations = sum(p.seq for p in phones)
        res.visits = sum(len(p.created) for p in phones)
        res.latencies = [t for p in phones for t in p.latencies]
        res.push_up = sum(p.bytes_up for p in phones)
        res.push_down = sum(p.bytes_down for p in phones)
        for p in phones:
            for status, n in p.statuses.items():
                res.statuses[status] = res.statuses.get(status, 0) + n
        if res.mutations != args.mutations:
            raise BenchFailure(f"pushed {res.mutations} mutations, meant {args.mutations}")

        started = time.perf_counter()
        changes, res.pages, res.pull_up, res.pull_down = await pull_all(
            supervisor.client, supervisor.client_id
        )
        res.pull_seconds = time.perf_counter() - started
        res.pulled = len(changes)
        verify_pull(phones, changes)
    finally:
        for client in clients:
            await client.aclose()

    db_dsn = asyncpg_dsn(db_url)
    conn = await asyncpg.connect(db_dsn)
    try:
        res.pg_version = str(await conn.fetchval("SHOW server_version"))
        in_db = await conn.fetchval("SELECT count(*) FROM visit")
        if in_db != res.visits:
            raise BenchFailure(f"{in_db} visit rows in the database, {res.visits} created")
    finally:
        await conn.close()
    (
        res.base_write_seconds,
        res.base_written,
        res.base_read_seconds,
        res.base_read,
    ) = await baseline(db_dsn, phones)
    return res


def report(args: argparse.Namespace, res: Results) -> None:
    """The table: Doorstep beside the baseline, as ratios."""
    push_rate = res.mutations / res.push_seconds
    base_write_rate = res.base_written / res.base_write_seconds
    pull_rate = res.pulled / res.pull_seconds
    base_read_rate = res.base_read / res.base_read_seconds
    edits = res.mutations - res.visits
    lat_ms = [t * 1000 for t in res.latencies]
    print("Doorstep sync benchmark (PostgreSQL)")
    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; PostgreSQL {res.pg_version}"
    )
    print(
        f"run: {args.clients} clients x {args.mutations // args.clients} mutations in batches of "
        f"{args.batch} ({res.visits} visits created + {edits} follow-up puts); server "
        f"uvicorn --workers {args.workers}; pull limit {PULL_LIMIT} ({res.pages} pages)"
    )
    print(
        "baseline: plain asyncpg on the same server, same visit rows and batches "
        f"({args.clients} connections, executemany: INSERT creates, UPDATE follow-ups), "
        f"read back in pages of {PULL_LIMIT} by indexed version"
    )
    print()
    header = f"{'':<22}{'Doorstep':>14}{'baseline':>14}{'ratio':>9}"
    print(header)
    print("-" * len(header))
    print(
        f"{'push mutations/s':<22}{push_rate:>14,.0f}{base_write_rate:>14,.0f}"
        f"{push_rate / base_write_rate:>8.3f}x"
    )
    print(
        f"{'pull records/s':<22}{pull_rate:>14,.0f}{base_read_rate:>14,.0f}"
        f"{pull_rate / base_read_rate:>8.3f}x"
    )
    print()
    print(
        f"push: {res.push_seconds:.2f} s for {res.mutations} mutations "
        f"(baseline {res.base_write_seconds:.2f} s); batch latency p50 "
        f"{percentile(lat_ms, 50):.0f} ms, p95 {percentile(lat_ms, 95):.0f} ms, "
        f"max {max(lat_ms):.0f} ms over {len(lat_ms)} batches"
    )
    print(
        f"pull: {res.pull_seconds:.2f} s for {res.pulled} records "
        f"(baseline {res.base_read_seconds:.3f} s)"
    )
    print(
        "gzip bytes on the wire per visit (bodies only): "
        f"push {(res.push_up + res.push_down) / res.visits:,.0f} "
        f"(up {res.push_up / res.visits:,.0f}, down {res.push_down / res.visits:,.0f}); "
        f"pull {(res.pull_up + res.pull_down) / res.visits:,.0f} "
        f"(up {res.pull_up / res.visits:,.1f}, down {res.pull_down / res.visits:,.0f})"
    )
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(res.statuses.items()))
    print(
        f"checks: push results {statuses}; {res.pulled} pulled = {res.visits} visits created, "
        "each once at its acknowledged rev: OK"
    )


async def main_async(args: argparse.Namespace) -> int:
    """Set up, measure, report; always stop the server and drop the database."""
    name = f"doorstep_bench_{secrets.token_hex(4)}"
    db_url = tortoise_url(with_database(args.postgres_url, name))
    port = free_port()
    env = server_env(db_url, port)
    log_path = Path(tempfile.gettempdir()) / f"{name}-server.log"
    server = Server(env, port, args.workers, log_path)
    created = False
    status = 0
    try:
        await create_database(args.postgres_url, name)
        created = True
        await asyncio.to_thread(migrate, env)
        server.start()
        await server.wait_ready()
        async with asyncio.timeout(args.timeout):
            results = await measure(args, db_url, port)
        report(args, results)
    except BenchFailure as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        status = 1
    except TimeoutError:
        print(f"FAILED: the run took longer than {args.timeout:.0f} s", file=sys.stderr)
        status = 1
    finally:
        await asyncio.to_thread(server.stop)
        problems = [
            line
            for line in server.log_lines()
            if any(w in line for w in ("ERROR", "Traceback", "WARNING", "push retried", " 500"))
        ]
        if problems:
            print(
                f"\nserver log ({log_path}): {len(problems)} warning/error lines", file=sys.stderr
            )
            for line in problems[:30]:
                print("  " + line, file=sys.stderr)
            if status:
                print("server log tail:\n" + server.log_tail(), file=sys.stderr)
        elif status:
            print("server log tail:\n" + server.log_tail(), file=sys.stderr)
        if created:
            await drop_database(args.postgres_url, name)
        if not problems:
            with contextlib.suppress(OSError):
                log_path.unlink()
    return status


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line arguments (``--quick`` for a small smoke run)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("DOORSTEP_BENCH_POSTGRES_URL") or DEFAULT_URL,
        help="a PostgreSQL server where a throwaway database may be created",
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--mutations", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers")
    parser.add_argument("--timeout", type=float, default=RUN_TIMEOUT, help="seconds for the run")
    parser.add_argument("--quick", action="store_true", help="2 clients, 400 mutations")
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.mutations = 2, 400
    if args.clients < 1 or args.mutations < args.clients or not 1 <= args.batch <= 500:
        parser.error("need clients >= 1, mutations >= clients and 1 <= batch <= 500")
    if urlsplit(asyncpg_dsn(args.postgres_url)).hostname not in {"127.0.0.1", "localhost", "::1"}:
        parser.error("the benchmark only talks to a PostgreSQL server on this machine")
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    try:
        return asyncio.run(main_async(args))
    except (OSError, RuntimeError, asyncpg.PostgresError) as exc:
        print(f"setup failed: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
