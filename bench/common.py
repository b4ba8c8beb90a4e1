"""What the benchmarks share beyond the harness: their PostgreSQL option and exit statuses, the
machine line and percentiles of their reports, and the visits the sync and storm benchmarks
push (the same recipe, so their figures compare)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import sys
import tempfile
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from harness.phone import Phone
from harness.ports import HOST
from harness.postgres import Deployment, is_local
from harness.processes import Process, clean_env

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
REQUEST_TIMEOUT = 120.0  # seconds, per HTTP request


class BenchFailure(Exception):
    """A correctness check failed or the server misbehaved: the run is not valid."""


# --- running ---------------------------------------------------------------------------------


def add_postgres_url(parser: argparse.ArgumentParser) -> None:
    """``--postgres-url``: where a throwaway database may be created."""
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("DOORSTEP_BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL,
        help="a PostgreSQL server where a throwaway database may be created",
    )


def check_postgres_url(parser: argparse.ArgumentParser, url: str) -> None:
    """Refuse a PostgreSQL server on another machine."""
    if not is_local(url):
        parser.error("the benchmark only talks to a PostgreSQL server on this machine")


def run(
    main_async: Callable[[argparse.Namespace], Coroutine[Any, Any, int]], args: argparse.Namespace
) -> int:
    """Run the benchmark: its exit status, or 2 (and why) if it could not be set up."""
    try:
        return asyncio.run(main_async(args))
    except (OSError, RuntimeError, asyncpg.PostgresError) as exc:
        print(f"setup failed: {exc}", file=sys.stderr)
        return 2


async def measured(work: Coroutine[Any, Any, None], seconds: float) -> int:
    """Await the measured part (and its report) within ``seconds``: 0, or 1 (and why,
    on stderr) if a check failed or time ran out."""
    try:
        async with asyncio.timeout(seconds):
            await work
    except BenchFailure as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    except TimeoutError:
        print(f"FAILED: the run took longer than {seconds:.0f} s", file=sys.stderr)
        return 1
    return 0


def server_env(database: str | Deployment, port: int, **settings: str) -> dict[str, str]:
    """The environment of ``doorstep`` commands and ``doorstep serve`` on 127.0.0.1:port: a
    SQLite URL, or a PostgreSQL deployment (the server as its restricted role, ``doorstep
    migrate`` as the owner, the audit key)."""
    database_env = (
        database.env() if isinstance(database, Deployment) else {"DOORSTEP_DATABASE_URL": database}
    )
    env = clean_env(
        **database_env,
        DOORSTEP_ORIGIN=f"http://localhost:{port}",
        DOORSTEP_RP_ID="localhost",
        DOORSTEP_LOG_LEVEL="WARNING",
        DOORSTEP_PHOTO_DIR=str(Path(tempfile.gettempdir()) / "doorstep-bench-photos"),
    )
    env.update(settings)
    return env


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


def server_log_report(server: Process, failed: bool, *needles: str) -> None:
    """After the run, on stderr: the server's log lines holding any of ``needles`` (the log is
    kept, and named, if there are any; removed if not), and its tail if the run failed."""
    problems = server.lines_with(*needles)
    if problems:
        print(
            f"\nserver log ({server.log_path}): {len(problems)} warning/error lines",
            file=sys.stderr,
        )
        for line in problems[:30]:
            print("  " + line, file=sys.stderr)
    if failed:
        print("server log tail:\n" + server.log_tail(), file=sys.stderr)
    if not problems:
        with contextlib.suppress(OSError):
            server.log_path.unlink()


# --- reporting -------------------------------------------------------------------------------


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) used so far by a process and all its descendants that are
    still running (Linux /proc; 0 for what cannot be read): e.g. uvicorn and its workers."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total


def machine(postgres_version: str | None = None) -> str:
    """The report's machine line."""
    line = (
        f"machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}"
    )
    return line + (f"; PostgreSQL {postgres_version}" if postgres_version else "")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# --- the visits phones push ------------------------------------------------------------------

BASE_TIME = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
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
# Items of the default catalogue (server/advice/catalogue.py): a push refuses ticks of items
# the catalogue does not have, and `doorstep migrate` installs the defaults.
ADVICE = [
    {"id": "wide-double-locks", "version": 1},
    {"id": "door-viewer-chain", "version": 1},
    {"id": "wide-interior-timer-lights", "version": 1},
]


def iso(moment: datetime) -> str:
    """ISO-8601 with milliseconds and Z, as ``Date.toISOString()`` writes it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


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


def queued(
    phone: Phone,
    collection: str,
    record_id: str,
    fields: dict[str, Any],
    base_rev: int | None = None,
) -> dict[str, Any]:
    """The phone's next mutation (a put), made one second after its previous one."""
    at = iso(BASE_TIME + timedelta(seconds=phone.seq + 1))
    return phone.mutation(collection, record_id, fields, base_rev=base_rev, at=at)
