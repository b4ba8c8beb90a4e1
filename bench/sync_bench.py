"""Sync throughput on PostgreSQL: many phones push visits over HTTP, then one device pulls them.

    .venv/bin/python bench/sync_bench.py [--postgres-url URL] [--clients 20] [--mutations 10000]
                                         [--batch 100] [--workers 2] [--quick]

What it does, all against one PostgreSQL server (``--postgres-url``, default
``$DOORSTEP_BENCH_POSTGRES_URL`` or ``postgres://postgres@127.0.0.1:5432/test``):

1. Creates a throwaway database ``doorstep_bench_<pid>_<random>`` with a restricted role for the
   server and an audit key, as production runs it (``harness.postgres.deployment``), and runs
   ``doorstep migrate`` on it as the tables' owner (the baselines connect as the owner too).
2. Starts ``doorstep serve`` (uvicorn, ``--workers N``, on a free port of 127.0.0.1); an
   administrator (``doorstep create-officer --role admin``) creates one officer per client and a
   team supervisor through the admin API, with their enrolment codes, and every one of them
   enrols with the software passkey over HTTP, so each client has its own session cookie (not
   timed).
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
import json
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/ and harness/

import asyncpg
import httpx

from bench.common import (
    ADVICE,
    BenchFailure,
    add_postgres_url,
    check_postgres_url,
    iso,
    machine,
    measured,
    new_client,
    percentile,
    queued,
    run,
    server_env,
    server_log_report,
    tree_cpu_seconds,
    visit_fields,
)
from bench.sync_floor import EDIT_COLUMNS, fair_floor
from harness.http import post_gzip
from harness.passkeys import Administrator, sign_in_new_device
from harness.phone import Phone as SyncPhone
from harness.ports import HOST, free_port
from harness.postgres import Deployment, asyncpg_dsn, deployment
from harness.processes import Process, doorstep, serve_argv

TEAM = "Bench Response Team"
AREA = "Bench Area"
EDIT_SHARE = 0.2  # follow-up puts among the mutations
PULL_LIMIT = 1000
CATALOGUE = "advice_items"  # synced to every phone beside its visits
RUN_TIMEOUT = 1800.0  # seconds, the whole measured part

# --- workload --------------------------------------------------------------------------------


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
    client: httpx.AsyncClient
    queue: SyncPhone = field(init=False)  # its client_id and seq counter
    created: dict[str, dict[str, Any]] = field(default_factory=dict)  # visit id -> its fields
    revs: dict[str, int] = field(default_factory=dict)  # acknowledged rev per visit
    edited: set[str] = field(default_factory=set)
    batches: list[list[tuple[str, str]]] = field(default_factory=list)  # (op, visit id)
    latencies: list[float] = field(default_factory=list)
    bytes_up: int = 0
    bytes_down: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.queue = SyncPhone(self.client)


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


# --- the people ------------------------------------------------------------------------------


async def create_people(port: int, env: dict[str, str], clients: int) -> list[tuple[str, str]]:
    """Officers (one per client) and a team supervisor, with enrolment codes, made by an
    administrator through the admin API: [(collar, code)]. The last pair is the supervisor's."""
    people: list[tuple[str, str]] = []
    origin = f"http://localhost:{port}"
    async with Administrator.signed_in(f"http://{HOST}:{port}", origin, env) as admin:
        for i in range(clients + 1):
            supervisor = i == clients
            collar = f"S{9000 + i}" if supervisor else f"B{1000 + i}"
            name = f"{'Sgt' if supervisor else 'PC'} Bench {i}"
            people.append(await admin.new_officer(collar, name, team=TEAM, area=AREA))
    return people


# --- the phones ------------------------------------------------------------------------------


async def run_phone(
    phone: Phone, plan: list[tuple[int, int]], rng: random.Random, numbering: list[int]
) -> None:
    """Push this phone's batches in order, each after the previous one was acknowledged."""
    for creates, edits in plan:
        mutations: list[dict[str, Any]] = []
        ops: list[tuple[str, str]] = []
        candidates = [v for v in phone.created if v not in phone.edited and v in phone.revs]
        queue = phone.queue
        for visit_id in rng.sample(candidates, edits):
            phone.edited.add(visit_id)
            fields = follow_up_fields(rng, phone.created[visit_id])
            mutations.append(queued(queue, "visits", visit_id, fields, phone.revs[visit_id]))
            ops.append(("edit", visit_id))
        for _ in range(creates):
            numbering[0] += 1
            visit_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            fields = visit_fields(rng, numbering[0])
            phone.created[visit_id] = fields
            mutations.append(queued(queue, "visits", visit_id, fields))
            ops.append(("create", visit_id))
        started = time.perf_counter()
        response = await post_gzip(
            phone.client, "/api/sync/push", {"client_id": queue.client_id, "mutations": mutations}
        )
        phone.latencies.append(time.perf_counter() - started)
        phone.bytes_up += len(response.request.content)
        phone.bytes_down += response.num_bytes_downloaded
        if response.status_code != 200:
            raise BenchFailure(
                f"client {phone.index} push (seqs {mutations[0]['seq']}..{queue.seq}): "
                f"HTTP {response.status_code} {response.text[:500]}"
            )
        if response.headers.get("content-encoding") != "gzip":
            raise BenchFailure(f"client {phone.index}: push answer not gzipped")
        answer = response.json()
        if answer["last_seq"] != queue.seq:
            raise BenchFailure(
                f"client {phone.index}: last_seq {answer['last_seq']}, expected {queue.seq}"
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
        response = await post_gzip(
            client,
            "/api/sync/pull",
            {"client_id": client_id, "cursor": cursor, "limit": PULL_LIMIT},
        )
        pages += 1
        up += len(response.request.content)
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
    """Every created visit exactly once, at its acknowledged rev, with what was sent (beside
    them only the advice catalogue's items)."""
    expected: dict[str, tuple[Phone, dict[str, Any]]] = {}
    for phone in phones:
        for visit_id, fields in phone.created.items():
            expected[visit_id] = (phone, fields)
    seen: set[str] = set()
    problems: list[str] = []
    for change in changes:
        visit_id = change["id"]
        if change["collection"] == CATALOGUE and not change["deleted"]:
            continue  # the advice catalogue `doorstep migrate` installs, synced to every phone
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
    catalogue: int = 0  # advice items among the pulled records
    pages: int = 0
    pull_up: int = 0
    pull_down: int = 0
    base_write_seconds: float = 0.0
    base_written: int = 0
    base_read_seconds: float = 0.0
    base_read: int = 0
    push_cpu: float = 0.0  # server CPU-seconds (uvicorn and its workers) while pushing
    pull_cpu: float = 0.0
    floor_seconds: float = 0.0
    floor_written: int = 0
    pg_version: str = ""


async def measure(
    args: argparse.Namespace, db: Deployment, port: int, env: dict[str, str], server_pid: int
) -> Results:
    """Enrol everybody, push, pull, verify, then the baseline."""
    origin = f"http://localhost:{port}"
    people = await create_people(port, env, args.clients)
    res = Results()
    phones: list[Phone] = []
    clients: list[httpx.AsyncClient] = []
    try:
        for i, (collar, code) in enumerate(people):
            client = new_client(port, i)
            clients.append(client)
            await sign_in_new_device(client, collar, code, origin=origin, label=f"Bench {collar}")
            phones.append(Phone(i, collar, client))
        supervisor = phones.pop()

        per_client = [args.mutations // args.clients] * args.clients
        for i in range(args.mutations % args.clients):
            per_client[i] += 1
        plans = [batch_plan(n, args.batch) for n in per_client]
        rngs = [random.Random(1000 + i) for i in range(args.clients)]
        numbering = [0]

        cpu = tree_cpu_seconds(server_pid)
        started = time.perf_counter()
        await asyncio.gather(
            *(
                run_phone(p, plan, rng, numbering)
                for p, plan, rng in zip(phones, plans, rngs, strict=True)
            )
        )
        res.push_seconds = time.perf_counter() - started
        res.push_cpu = tree_cpu_seconds(server_pid) - cpu
        res.mutations = sum(p.queue.seq for p in phones)
        res.visits = sum(len(p.created) for p in phones)
        res.latencies = [t for p in phones for t in p.latencies]
        res.push_up = sum(p.bytes_up for p in phones)
        res.push_down = sum(p.bytes_down for p in phones)
        for p in phones:
            for status, n in p.statuses.items():
                res.statuses[status] = res.statuses.get(status, 0) + n
        if res.mutations != args.mutations:
            raise BenchFailure(f"pushed {res.mutations} mutations, meant {args.mutations}")

        cpu = tree_cpu_seconds(server_pid)
        started = time.perf_counter()
        changes, res.pages, res.pull_up, res.pull_down = await pull_all(
            supervisor.client, supervisor.queue.client_id
        )
        res.pull_seconds = time.perf_counter() - started
        res.pull_cpu = tree_cpu_seconds(server_pid) - cpu
        res.pulled = len(changes)
        res.catalogue = sum(c["collection"] == CATALOGUE for c in changes)
        verify_pull(phones, changes)
    finally:
        for client in clients:
            await client.aclose()

    db_dsn = asyncpg_dsn(db.owner_url)  # the baselines connect as the tables' owner
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
    res.floor_seconds, res.floor_written = await fair_floor(
        db_dsn, phones, [p.queue.client_id for p in phones]
    )
    if res.floor_written != res.mutations:
        raise BenchFailure(f"the fair floor wrote {res.floor_written} of {res.mutations}")
    return res


async def measure_and_report(
    args: argparse.Namespace, db: Deployment, port: int, env: dict[str, str], server_pid: int
) -> None:
    """The measured part, then its report."""
    report(args, await measure(args, db, port, env, server_pid))


def report(args: argparse.Namespace, res: Results) -> None:
    """The table: Doorstep beside the baseline, as ratios."""
    push_rate = res.mutations / res.push_seconds
    base_write_rate = res.base_written / res.base_write_seconds
    pull_rate = res.pulled / res.pull_seconds
    base_read_rate = res.base_read / res.base_read_seconds
    edits = res.mutations - res.visits
    lat_ms = [t * 1000 for t in res.latencies]
    print("Doorstep sync benchmark (PostgreSQL)")
    print(machine(res.pg_version))
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
    print(
        "fair floor: plain asyncpg writing every row the guarantees need, in the same batches "
        "and transactions: the client's seq, received mutations, revisions, visit rows with "
        "their foreign keys and versions from the transaction id (no lock, as Doorstep's), "
        "audit rows chained from one "
        "head row (bench/sync_floor.py); target push >= 0.7x of it, pull >= 0.3x of the bare "
        "select"
    )
    floor_rate = res.floor_written / res.floor_seconds
    print()
    header = f"{'':<22}{'Doorstep':>14}{'baseline':>14}{'ratio':>9}"
    print(header)
    print("-" * len(header))
    print(
        f"{'push mutations/s':<22}{push_rate:>14,.0f}{base_write_rate:>14,.0f}"
        f"{push_rate / base_write_rate:>8.3f}x"
    )
    print(
        f"{'push vs fair floor':<22}{push_rate:>14,.0f}{floor_rate:>14,.0f}"
        f"{push_rate / floor_rate:>8.3f}x"
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
    print(f"fair floor: {res.floor_seconds:.2f} s for {res.floor_written} mutations")
    print(
        f"server CPU (uvicorn and workers): push {res.push_cpu:.1f} s = "
        f"{res.push_cpu / res.mutations * 1000:.2f} ms per mutation; pull {res.pull_cpu:.2f} s = "
        f"{res.pull_cpu / max(res.pulled, 1) * 1000:.3f} ms per record"
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
        f"checks: push results {statuses}; {res.pulled} pulled = {res.visits} visits created "
        f"+ {res.catalogue} advice catalogue items, "
        "each once at its acknowledged rev: OK"
    )


async def main_async(args: argparse.Namespace) -> int:
    """Set up, measure, report; always stop the server and drop the database."""
    status = 0
    async with deployment(args.postgres_url, "doorstep_bench") as db:
        port = free_port()
        # The reader is a fresh officer's phone in the same team: with team visibility on it
        # pulls the whole team's visits (supervisors work online and pull nothing).
        env = server_env(db, port, DOORSTEP_OFFICERS_SEE_TEAM_VISITS="true")
        log_path = Path(tempfile.gettempdir()) / f"{db.owner_url.rsplit('/', 1)[1]}-server.log"
        server = Process("doorstep serve", serve_argv(port, workers=args.workers), env, log_path)
        try:
            await asyncio.to_thread(doorstep, "migrate", env=env, timeout=300)
            await server.start_ready(f"http://{HOST}:{port}/readyz")
            assert server.pid is not None
            work = measure_and_report(args, db, port, env, server.pid)
            status = await measured(work, args.timeout)
        finally:
            await asyncio.to_thread(server.stop)
            needles = ("ERROR", "Traceback", "WARNING", "push retried", " 500")
            server_log_report(server, status != 0, *needles)
    return status


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line arguments (``--quick`` for a small smoke run)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_postgres_url(parser)
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
    check_postgres_url(parser, args.postgres_url)
    return args


if __name__ == "__main__":
    sys.exit(run(main_async, parse_args()))
