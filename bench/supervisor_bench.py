"""Supervisor queries on PostgreSQL: the filtered visit list, one visit's detail and the figures.

    .venv/bin/python bench/supervisor_bench.py [--postgres-url URL] [--visits 100000]
                                               [--list-reps 200] [--stats-reps 50] [--quick]

What it does, all against one PostgreSQL server (``--postgres-url``, default
``$DOORSTEP_BENCH_POSTGRES_URL`` or ``postgres://postgres@127.0.0.1:5432/test``):

1. Creates a throwaway database ``doorstep_supbench_<random>`` with a restricted role for the
   server and an audit key, as production runs it (``harness.postgres.deployment``), and runs
   ``doorstep migrate`` as the tables' owner.
2. Loads the force straight into the tables with asyncpg COPY (not timed): 4 areas x 5 teams x
   10 officers, ``--visits`` realistic visits (reported over the last 90 days, arrival 0.5 to
   48 h after the report, status mix draft 10% / completed 30% / returned 5% / approved 55%,
   every section filled as the phone fills it, per-field revisions and authors) and about 0.3
   SmartWater kit issues per visit; then ANALYZE.
3. Enrols an area-scope supervisor (sees a quarter of the visits) and a team-scope supervisor
   (codes from ``doorstep enrol-code``) with the software passkey over HTTP against ``doorstep
   serve --workers 1`` (latency, not throughput).
4. For each supervisor, over the last 30 days, alternating request by request with the baseline:
   ``GET /api/visits?date_from&date_to&status=completed&limit=50`` (page 1, then following
   ``next_cursor`` 5 times to page 6), ``GET /api/visits/{id}`` for each visit of page 1 in
   turn (their history, the revisions the phone would have written, is added first) and
   ``GET /api/stats?date_from&date_to``, after warm-up.
5. Baseline, same run, same database: the same queries as plain SQL through asyncpg
   (``bench/supervisor_sql.py``). The list: one hand-written SELECT of the summary columns
   joined to the officer, with the same WHERE, ORDER BY created_at DESC, id DESC LIMIT 51 and
   the same keyset condition. The detail: the six SELECTs of what it shows (the visit with its
   officer, property, kits, photos, reviews, revisions) and the advice titles. The figures: one
   statement, every visit in the window that is not a draft (dated by its linked report's
   reported-at where it has one, as the endpoint counts) grouped by GROUPING SETS into the
   total and by area, team and officer, named by joins to area, team and officer, with the
   attendance target the endpoint reports. The four per-dimension statements the endpoint ran
   before (``stats_sql``) and their three name look-ups are timed too, as a second reference,
   and must give the same figures.

Two floors are timed too: a durable commit of one row (every list page and detail commits its
audit rows before it answers) and ``GET /healthz`` through the same client (HTTP, middleware and
client, no database).

It prints p50 and p99 latency of each beside its baseline, as ratios (Doorstep / baseline), and
the EXPLAIN (ANALYZE, BUFFERS) summary of the baseline queries (time, plan, indexes used), both
the custom plan PostgreSQL makes for the first five executions of a prepared statement and the
generic plan it may keep from the sixth. The timed baseline is planned with its values every
time (``plan_cache_mode = force_custom_plan``), as Doorstep's list is: at 1,000,000 visits the
generic plan of the list sorts every visit in the window (80 ms for an area), which made the
baseline, not Doorstep, slow. Every
Doorstep page must list exactly the baseline's visits in the same order and the figures must
count the same visits. The server is stopped and the database dropped at the end, whatever
happens. Exit status 1 if a check fails (or the server answers other than 200), 2 on a setup
problem.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/ and harness/

import asyncpg
import httpx

from bench import common
from bench.common import BenchFailure, iso, percentile
from bench.plans import explain
from bench.supervisor_data import (
    HISTORY_DAYS,
    OFFICERS_PER_TEAM,
    TEAMS_PER_AREA,
    WINDOW_DAYS,
    Force,
    load_data,
)
from bench.supervisor_history import add_history
from bench.supervisor_sql import (
    ADVICE_SQL,
    APP_PAGE,
    FIGURES_WHERE,
    PAGE,
    STATS_KEYS,
    default_list_sql,
    detail_sql,
    list_sql,
    stats_grouping_sql,
    stats_sql,
)
from harness.passkeys import sign_in_new_device
from harness.ports import HOST, free_port
from harness.postgres import asyncpg_dsn, deployment
from harness.processes import Process, doorstep, serve_argv

RUN_TIMEOUT = 1800.0  # seconds, everything after the load
FOLLOWS = 5  # cursors followed after the first page: page 6 is the deep page


@dataclass
class Subject:
    """One supervisor under test: their HTTP client and the queries' parameters."""

    label: str
    client: httpx.AsyncClient
    scope_column: str
    scope_value: int
    date_from: datetime
    date_to: datetime
    in_scope: int = 0
    in_window: int = 0
    counted: int = 0  # what the figures count: the window's visits that are not drafts
    matching: int = 0
    pages: int = 0  # pages walked (1 + cursors followed)
    target_seconds: int = 0  # the attendance target the figures use (the endpoint says which)
    opened: list[str] = field(default_factory=list)  # the visits whose detail is timed (page 1)
    samples: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    four_statements: list[float] = field(default_factory=list)  # the figures' old baseline

    def list_args(self, cursor: tuple[datetime, uuid.UUID] | None) -> list[Any]:
        args: list[Any] = [self.scope_value, self.date_from, self.date_to, "completed"]
        return args + list(cursor) if cursor else args

    def query_params(self, cursor: str | None = None) -> dict[str, str]:
        params = {
            "date_from": iso(self.date_from),
            "date_to": iso(self.date_to),
            "status": "completed",
            "limit": str(PAGE),
        }
        if cursor:
            params["cursor"] = cursor
        return params

    def stats_statements(self) -> tuple[list[str], list[Any]]:
        """The figures by grouping sets (one statement), then the four per-dimension ones."""
        statements = [stats_grouping_sql(self.scope_column)]
        statements += [stats_sql(self.scope_column, key) for key in STATS_KEYS]
        return statements, [self.scope_value, self.date_from, self.date_to, self.target_seconds]


async def doorstep_page(
    subject: Subject, cursor: str | None
) -> tuple[float, list[str], str | None]:
    """One page of ``GET /api/visits``: (seconds, visit ids, next cursor)."""
    started = time.perf_counter()
    response = await subject.client.get("/api/visits", params=subject.query_params(cursor))
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise BenchFailure(f"GET /api/visits: HTTP {response.status_code} {response.text[:300]}")
    body = response.json()
    return elapsed, [v["id"] for v in body["visits"]], body["next_cursor"]


async def baseline_page(
    conn: asyncpg.Connection, subject: Subject, cursor: tuple[datetime, uuid.UUID] | None
) -> tuple[float, list[str], tuple[datetime, uuid.UUID] | None]:
    """The same page as plain SQL: (seconds, visit ids, next keyset position)."""
    sql = list_sql(subject.scope_column, cursor is not None)
    started = time.perf_counter()
    rows = await conn.fetch(sql, *subject.list_args(cursor))
    elapsed = time.perf_counter() - started
    page = rows[:PAGE]
    more = len(rows) > PAGE
    return (
        elapsed,
        [str(r["id"]) for r in page],
        (page[-1]["created_at"], page[-1]["id"]) if more else None,
    )


async def doorstep_stats(subject: Subject) -> tuple[float, dict[str, Any]]:
    """``GET /api/stats`` over the window."""
    params = {"date_from": iso(subject.date_from), "date_to": iso(subject.date_to)}
    started = time.perf_counter()
    response = await subject.client.get("/api/stats", params=params)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise BenchFailure(f"GET /api/stats: HTTP {response.status_code} {response.text[:300]}")
    return elapsed, response.json()


async def baseline_stats(
    conn: asyncpg.Connection, statements: list[str], params: list[Any]
) -> tuple[float, list[list[asyncpg.Record]]]:
    """The figures: one statement that names its groups too, or the four per-dimension ones and
    the three name look-ups they need."""
    started = time.perf_counter()
    results = [await conn.fetch(s, *params) for s in statements]
    if len(results) > 1:
        await conn.fetch("SELECT id, name FROM area")
        await conn.fetch("SELECT id, name FROM team")
        await conn.fetch(
            "SELECT id, display_name, collar_number FROM officer WHERE id = ANY($1::uuid[])",
            [uuid.UUID(r["k"]) for r in results[-1]],
        )
    return time.perf_counter() - started, results


async def doorstep_detail(subject: Subject, visit_id: str) -> tuple[float, dict[str, Any]]:
    """``GET /api/visits/{id}``: (seconds, the visit)."""
    started = time.perf_counter()
    response = await subject.client.get(f"/api/visits/{visit_id}")
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise BenchFailure(f"GET /api/visits/{{id}}: HTTP {response.status_code}")
    return elapsed, response.json()


async def baseline_detail(
    conn: asyncpg.Connection, subject: Subject, visit_id: str
) -> tuple[float, list[list[asyncpg.Record]]]:
    """The same visit as plain SQL: its six SELECTs, then the titles of the advice it ticked."""
    key = uuid.UUID(visit_id)
    statements = detail_sql(subject.scope_column)
    started = time.perf_counter()
    results = [await conn.fetch(statements[0], key, subject.scope_value)]
    results += [await conn.fetch(s, key) for s in statements[1:]]
    ticked = json.loads(results[0][0]["advice_items"]) if results[0] else []
    results.append(await conn.fetch(ADVICE_SQL, [t["id"] for t in ticked]))
    return time.perf_counter() - started, results


# --- measuring -------------------------------------------------------------------------------


async def commit_probe(conn: asyncpg.Connection, n: int) -> list[float]:
    """Seconds of ``n`` durable commits of one small row each: the floor under any request
    that writes (every list page and detail commits its consult audit rows before answering)."""
    await conn.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (at timestamptz)")
    times = []
    for _ in range(n):
        started = time.perf_counter()
        async with conn.transaction():
            await conn.execute("INSERT INTO bench_commit_probe VALUES (now())")
        times.append(time.perf_counter() - started)
    return times


async def http_probe(client: httpx.AsyncClient, n: int) -> list[float]:
    """Seconds of ``n`` ``GET /healthz`` through a supervisor's client: HTTP, the middleware and
    the client itself, no database - the floor under every Doorstep request timed here."""
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = await client.get("/healthz")
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise BenchFailure(f"GET /healthz: HTTP {response.status_code}")
    return times


async def check(conn: asyncpg.Connection, subject: Subject) -> None:
    """Doorstep lists exactly the baseline's visits, page by page, and counts the same figures."""
    column = subject.scope_column
    subject.in_scope = await conn.fetchval(
        f"SELECT count(*) FROM visit WHERE {column} = $1 AND NOT deleted",
        subject.scope_value,
    )
    subject.in_window = await conn.fetchval(
        f"SELECT count(*) FROM visit WHERE {column} = $1 AND NOT deleted "
        "AND reference_reported_at >= $2 AND reference_reported_at < $3",
        *subject.list_args(None)[:3],
    )
    subject.counted = await conn.fetchval(
        f"SELECT count(*) FROM visit WHERE {FIGURES_WHERE.format(scope_column=column)}",
        *subject.list_args(None)[:3],
    )
    subject.matching = await conn.fetchval(
        f"SELECT count(*) FROM visit WHERE {column} = $1 AND NOT deleted "
        "AND reference_reported_at >= $2 AND reference_reported_at < $3 AND status = $4",
        *subject.list_args(None),
    )
    d_cursor: str | None = None
    b_cursor: tuple[datetime, uuid.UUID] | None = None
    for page in range(1, FOLLOWS + 2):
        _, d_ids, d_cursor = await doorstep_page(subject, d_cursor)
        _, b_ids, b_cursor = await baseline_page(conn, subject, b_cursor)
        if d_ids != b_ids:
            raise BenchFailure(
                f"{subject.label} page {page}: Doorstep listed {len(d_ids)} visits, the baseline "
                f"{len(b_ids)}, not the same ones in the same order"
            )
        if (d_cursor is None) != (b_cursor is None):
            raise BenchFailure(f"{subject.label} page {page}: next_cursor disagrees")
        subject.pages = page
        if page == 1:
            subject.opened = d_ids
            await add_history(conn, [uuid.UUID(i) for i in d_ids])
            await conn.execute("ANALYZE revision")
        if d_cursor is None:
            break
    for visit_id in subject.opened:
        _, visit = await doorstep_detail(subject, visit_id)
        _, rows = await baseline_detail(conn, subject, visit_id)
        counts = [len(visit[k]) for k in ("kit_issues", "revisions")]
        if visit["id"] != visit_id or counts != [len(rows[2]), len(rows[5])]:
            raise BenchFailure(f"{subject.label} detail of {visit_id}: kits or revisions disagree")
    _, stats = await doorstep_stats(subject)
    subject.target_seconds = int(stats["target_seconds"])
    statements, params = subject.stats_statements()
    _, grouped = await baseline_stats(conn, statements[:1], params)
    _, results = await baseline_stats(conn, statements[1:], params)
    by_dim = {
        dim: [dict(r, dim=None, name=None) for r in grouped[0] if r["dim"] == dim]
        for dim in ("total", "area", "team", "officer")
    }
    apart = [[dict(r, dim=None, name=None) for r in rows] for rows in results]
    if list(by_dim.values()) != apart:
        raise BenchFailure(f"{subject.label} stats: grouping sets and the 4 statements disagree")
    total = results[0][0]["visits"] if results[0] else 0
    kits = results[0][0]["kits"] if results[0] else 0
    if stats["total"]["visits"] != total or stats["total"]["visits"] != subject.counted:
        raise BenchFailure(
            f"{subject.label} stats: Doorstep counts {stats['total']['visits']} visits, the "
            f"baseline {total}, the window holds {subject.counted} that are not drafts"
        )
    if stats["total"]["kits_issued"] != kits or len(stats["by_officer"]) != len(results[3]):
        raise BenchFailure(f"{subject.label} stats: kits or officer groups disagree")


async def alternate(
    reps: int,
    warmup: int,
    doorstep: Callable[[], Awaitable[list[float]]],
    baseline: Callable[[], Awaitable[list[float]]],
) -> tuple[list[list[float]], list[list[float]]]:
    """Run Doorstep then the baseline, ``warmup + reps`` times; keep the timed repetitions."""
    d_all: list[list[float]] = []
    b_all: list[list[float]] = []
    for rep in range(warmup + reps):
        d = await doorstep()
        b = await baseline()
        if rep >= warmup:
            d_all.append(d)
            b_all.append(b)
    return d_all, b_all


async def measure_subject(
    conn: asyncpg.Connection, subject: Subject, args: argparse.Namespace
) -> None:
    """The list (page 1 and the deepest page walked) and the figures, each beside its baseline."""
    await check(conn, subject)

    async def d_chain() -> list[float]:
        times, cursor = [], None
        for _ in range(subject.pages):
            elapsed, _, cursor = await doorstep_page(subject, cursor)
            times.append(elapsed)
        return times

    async def b_chain() -> list[float]:
        times: list[float] = []
        cursor = None
        for _ in range(subject.pages):
            elapsed, _, cursor = await baseline_page(conn, subject, cursor)
            times.append(elapsed)
        return times

    d_all, b_all = await alternate(args.list_reps, args.warmup, d_chain, b_chain)
    subject.samples["list page 1"] = ([t[0] for t in d_all], [t[0] for t in b_all])
    if subject.pages > 1:
        subject.samples[f"list page {subject.pages}"] = (
            [t[-1] for t in d_all],
            [t[-1] for t in b_all],
        )

    visits = itertools.cycle(subject.opened)
    opening = [""]  # the visit Doorstep just opened, which the baseline reads next

    async def d_detail() -> list[float]:
        opening[0] = next(visits)
        return [(await doorstep_detail(subject, opening[0]))[0]]

    async def b_detail() -> list[float]:
        return [(await baseline_detail(conn, subject, opening[0]))[0]]

    if subject.opened:
        d_all, b_all = await alternate(args.list_reps, args.warmup, d_detail, b_detail)
        subject.samples["detail"] = ([t[0] for t in d_all], [t[0] for t in b_all])

    statements, params = subject.stats_statements()

    async def d_stats() -> list[float]:
        return [(await doorstep_stats(subject))[0]]

    async def b_stats() -> list[float]:
        grouped = (await baseline_stats(conn, statements[:1], params))[0]
        subject.four_statements.append((await baseline_stats(conn, statements[1:], params))[0])
        return [grouped]

    d_all, b_all = await alternate(args.stats_reps, max(2, args.warmup // 4), d_stats, b_stats)
    subject.samples["stats"] = ([t[0] for t in d_all], [t[0] for t in b_all])
    subject.four_statements = subject.four_statements[-args.stats_reps :]


async def explain_all(conn: asyncpg.Connection, subjects: list[Subject]) -> list[str]:
    """Plans of the baseline list (first and deepest page) and of the figures (grouping sets,
    and the old total statement beside it)."""
    lines = []
    for subject in subjects:
        lines += await explain(
            conn,
            f"{subject.label}, list page 1:",
            list_sql(subject.scope_column, False),
            subject.list_args(None),
        )
        cursor = None
        for _ in range(subject.pages - 1):
            _, _, cursor = await baseline_page(conn, subject, cursor)
        if cursor is not None:
            lines += await explain(
                conn,
                f"{subject.label}, list page {subject.pages}:",
                list_sql(subject.scope_column, True),
                subject.list_args(cursor),
            )
        lines += await explain(
            conn,
            f"{subject.label}, the app's first page (no filter, {APP_PAGE} newest):",
            default_list_sql(subject.scope_column),
            [subject.scope_value],
        )
        statements, params = subject.stats_statements()
        lines += await explain(
            conn, f"{subject.label}, stats (one statement, grouping sets):", statements[0], params
        )
        lines += await explain(
            conn, f"{subject.label}, stats before (the total, 1 of 4):", statements[1], params
        )
    return lines


# --- the run ---------------------------------------------------------------------------------


async def measure(
    args: argparse.Namespace, env: dict[str, str], port: int, force: Force, end: datetime
) -> tuple[list[Subject], list[str], str, tuple[list[float], list[float]]]:
    """Enrol the supervisors, check, time everything, explain the baseline."""
    origin = f"http://localhost:{port}"
    if force.area_supervisor is None or force.team_supervisor is None:
        raise RuntimeError("the loader created no supervisors")
    people = [
        ("area supervisor", force.area_supervisor),
        ("team supervisor", force.team_supervisor),
    ]
    subjects: list[Subject] = []
    clients: list[httpx.AsyncClient] = []
    # The baseline and its plans as the tables' owner (the server connects as its own role).
    conn = await asyncpg.connect(
        asyncpg_dsn(env["DOORSTEP_MIGRATE_DATABASE_URL"]),
        server_settings={"plan_cache_mode": "force_custom_plan"},
    )
    try:
        pg_version = str(await conn.fetchval("SHOW server_version"))
        for i, (label, (_, collar, team_id, area_id)) in enumerate(people):
            issued = await asyncio.to_thread(doorstep, "enrol-code", collar, env=env)
            client = common.new_client(port, i)
            clients.append(client)
            code = issued.strip().splitlines()[-1]
            await sign_in_new_device(client, collar, code, origin=origin, label=f"Bench {collar}")
            area_scope = label.startswith("area")
            subjects.append(
                Subject(
                    label=label,
                    client=client,
                    scope_column="area_id" if area_scope else "team_id",
                    scope_value=area_id if area_scope else team_id,
                    date_from=end - timedelta(days=WINDOW_DAYS),
                    date_to=end,
                )
            )
        commits = await commit_probe(conn, 100)
        floors = await http_probe(clients[0], 100)
        for subject in subjects:
            await measure_subject(conn, subject, args)
        commits += await commit_probe(conn, 100)
        floors += await http_probe(clients[0], 100)
        plans = await explain_all(conn, subjects)
    finally:
        await conn.close()
        for client in clients:
            await client.aclose()
    return subjects, plans, pg_version, (commits, floors)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def report(
    args: argparse.Namespace,
    force: Force,
    subjects: list[Subject],
    plans: list[str],
    pg_version: str,
    end: datetime,
) -> None:
    """The table: Doorstep beside the baseline, as ratios; then the baseline's plans."""
    print("Doorstep supervisor benchmark (PostgreSQL)")
    print(common.machine(pg_version))
    print(
        f"data: {force.visits:,} visits over {HISTORY_DAYS} days, {force.kits:,} kit issues; "
        f"{force.areas} areas x {TEAMS_PER_AREA} teams x {OFFICERS_PER_TEAM} officers"
    )
    start = end - timedelta(days=WINDOW_DAYS)
    print(
        f"window: reported {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC ({WINDOW_DAYS} days)"
    )
    for s in subjects:
        print(
            f"  {s.label}: {s.in_scope:,} visits in scope, {s.in_window:,} in the window "
            f"({s.counted:,} not drafts, as the figures count), {s.matching:,} completed "
            f"({s.pages} page{'s' * (s.pages > 1)} of {PAGE} walked)"
        )
    print(
        f"runs: list {args.list_reps} x (page 1 + {FOLLOWS} cursors), detail {args.list_reps} "
        f"(page 1's visits in turn), stats {args.stats_reps}, after warm-up; Doorstep and "
        "baseline alternate; server uvicorn --workers 1"
    )
    print(
        "Doorstep: HTTP request to the response body read (session check, the reads, 50 "
        "chained audit rows a list page and 1 a detail, each committed durably, JSON, gzip)"
    )
    print(
        "baseline: asyncpg, same process and database; list = one SELECT of the summary "
        "columns joined to officer; detail = its 6 SELECTs + the advice titles; stats = one "
        "GROUPING SETS statement, names included"
    )
    print()
    header = (
        f"{'query':<34}{'Doorstep p50':>13}{'p99':>9}{'baseline p50':>14}{'p99':>9}"
        f"{'ratio p50':>11}{'ratio p99':>11}"
    )
    print(header + "   (ms)")
    print("-" * len(header))
    for s in subjects:
        for name, (d, b) in s.samples.items():
            d50, d99, b50, b99 = (
                percentile(d, 50),
                percentile(d, 99),
                percentile(b, 50),
                percentile(b, 99),
            )
            label = f"{s.label.split()[0]}: {name}"
            print(
                f"{label:<34}{ms(d50):>13}{ms(d99):>9}{ms(b50):>14}{ms(b99):>9}"
                f"{d50 / b50:>10.1f}x{d99 / b99:>10.1f}x"
            )
    print()
    print("the figures' baseline, one statement beside the four per-dimension ones (p50, ms):")
    for s in subjects:
        one = percentile(s.samples["stats"][1], 50)
        four = percentile(s.four_statements, 50)
        print(
            f"  {s.label}: grouping sets {ms(one)}, four statements {ms(four)} "
            f"({four / one:.1f}x); Doorstep {ms(percentile(s.samples['stats'][0], 50))}"
        )
    print()
    print("EXPLAIN (ANALYZE, BUFFERS) of the baseline queries:")
    for line in plans:
        print(line)
    print()
    print(
        "checks: every page Doorstep listed = the baseline's visits in the same order; each "
        "detail = the baseline's visit, kits and revisions; stats count the same visits, kits "
        "and officers; grouping sets = the four statements' figures: OK"
    )


async def measure_and_report(
    args: argparse.Namespace, env: dict[str, str], port: int, force: Force, end: datetime
) -> None:
    """The measured part, then its report."""
    subjects, plans, pg_version, (commits, floors) = await measure(args, env, port, force, end)
    report(args, force, subjects, plans, pg_version, end)
    print(
        f"a durable commit here (BEGIN, INSERT one row, COMMIT; 100 before and 100 after the "
        f"runs), the floor under every audited read: p50 {ms(percentile(commits, 50))} ms, "
        f"p99 {ms(percentile(commits, 99))} ms"
    )
    print(
        f"an HTTP request with no database (GET /healthz, same client, 100 before and 100 after), "
        f"the floor under every Doorstep request: p50 {ms(percentile(floors, 50))} ms, "
        f"p99 {ms(percentile(floors, 99))} ms"
    )


async def main_async(args: argparse.Namespace) -> int:
    """Set up, load, measure, report; always stop the server and drop the database."""
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    status = 0
    async with deployment(args.postgres_url, "doorstep_supbench") as db:
        db_url = db.owner_url  # migrations and the loader as the tables' owner
        port = free_port()
        env = common.server_env(db, port)
        log_path = Path(tempfile.gettempdir()) / f"{db_url.rsplit('/', 1)[1]}-server.log"
        server = Process("doorstep serve", serve_argv(port, workers=1), env, log_path)
        try:
            await asyncio.to_thread(doorstep, "migrate", env=env, timeout=300)
            started = time.perf_counter()
            force = await load_data(asyncpg_dsn(db_url), args.visits, args.seed, end)
            print(
                f"(loaded {force.visits:,} visits and {force.kits:,} kit issues in "
                f"{time.perf_counter() - started:.1f} s)",
                file=sys.stderr,
            )
            await server.start_ready(f"http://{HOST}:{port}/readyz")
            work = measure_and_report(args, env, port, force, end)
            status = await common.measured(work, args.timeout)
        finally:
            await asyncio.to_thread(server.stop)
            common.server_log_report(server, status != 0, "ERROR", "Traceback", "WARNING", " 500")
    return status


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line arguments (``--quick`` for a small smoke run)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    common.add_postgres_url(parser)
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--list-reps", type=int, default=200, help="timed list walks")
    parser.add_argument("--stats-reps", type=int, default=50, help="timed stats requests")
    parser.add_argument("--warmup", type=int, default=20, help="untimed list walks first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=float, default=RUN_TIMEOUT, help="seconds for the run")
    parser.add_argument(
        "--quick", action="store_true", help="5,000 visits, 30 list walks, 10 stats requests"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.visits, args.list_reps, args.stats_reps, args.warmup = 5_000, 30, 10, 5
    if args.visits < 1000 or args.list_reps < 1 or args.stats_reps < 1 or args.warmup < 0:
        parser.error("need visits >= 1000, list/stats reps >= 1 and warmup >= 0")
    common.check_postgres_url(parser, args.postgres_url)
    return args


if __name__ == "__main__":
    sys.exit(common.run(main_async, parse_args()))
