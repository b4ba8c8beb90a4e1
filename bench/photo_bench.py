"""Photo uploads and derivatives, each against a bare baseline measured in the same run.

    .venv/bin/python bench/photo_bench.py [--uploads 20] [--size-mib 4] [--chunk-mib 1]
                                          [--postgres [URL]] [--rounds 5]

1. Uploads (timed): ``doorstep serve`` (uvicorn, one worker, on a free port of 127.0.0.1) on a
   throwaway database - SQLite in a temporary folder by default, or a new PostgreSQL database
   with ``--postgres`` (default URL ``$DOORSTEP_BENCH_POSTGRES_URL`` or
   ``postgres://postgres@127.0.0.1:5432/test``). One officer enrols a passkey over HTTP with
   the software authenticator, records a visit and its photos by sync push, then sends each
   photo by tus: POST, then PATCHes of ``--chunk-mib`` with ``Upload-Checksum: sha256``, one
   upload after another. Every photo must end ``verified`` and its original byte-identical.
2. Baseline (same run, same client, same disk): a minimal Starlette app under the same uvicorn
   that streams each PATCH body straight into a file, nothing else.
3. Derivatives: a 12-megapixel (4000 x 3000) JPEG made into the display copy and thumbnail by
   ``server.photos.images.make_derivatives``, against plain Pillow open + draft + thumbnail of
   the same file (median of ``--rounds``).

It prints MB/s and ms beside the baselines as ratios. Exit 1 if a correctness check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import io
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from PIL import Image  # noqa: E402

from tests.support.authenticator import SoftAuthenticator  # noqa: E402

HOST = "127.0.0.1"
MIB = 1024 * 1024
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test"
TUS = {"Tus-Resumable": "1.0.0"}
COLLAR = "P4321"


class BenchFailure(Exception):
    """A correctness check failed: the run is not valid."""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


# --- the baseline server: a bare streaming write ---------------------------------------------


def baseline_app(folder: Path) -> Any:
    """A Starlette app whose one endpoint streams the request body into a file."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def write(request: Request) -> Response:
        path = folder / request.path_params["name"]
        with path.open("ab") as out:
            async for data in request.stream():
                out.write(data)
        return Response(status_code=204)

    return Starlette(routes=[Route("/bare/{name}", write, methods=["PATCH"])])


def serve_baseline(port: int, folder: str) -> None:
    """Entry point of the baseline subprocess."""
    import uvicorn

    uvicorn.run(
        baseline_app(Path(folder)), host=HOST, port=port, log_level="warning", access_log=False
    )


class Process:
    """A server subprocess in its own process group, stopped by its pid."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def wait_ready(self, url: str) -> None:
        """Poll until the server answers HTTP at all."""
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited:\n{self.log.read_text()[-3000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    await client.get(url)
                    return
                await asyncio.sleep(0.2)
        raise RuntimeError(f"server not ready:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        """SIGTERM the group, SIGKILL if it lingers."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


# --- database --------------------------------------------------------------------------------


def asyncpg_dsn(url: str) -> str:
    """asyncpg wants postgresql://."""
    return "postgresql://" + url.split("://", 1)[1]


async def create_pg_database(admin_url: str) -> tuple[str, str]:
    """A throwaway PostgreSQL database: (its name, its URL)."""
    import asyncpg

    name = f"doorstep_photobench_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name, urlunsplit(urlsplit(admin_url)._replace(path="/" + name))


async def drop_pg_database(admin_url: str, name: str) -> None:
    """DROP DATABASE ... WITH (FORCE)."""
    import asyncpg

    conn = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def create_officer_code(database_url: str, origin: str) -> str:
    """Create the bench officer and an enrolment code for them."""
    from tortoise import Tortoise

    from server.auth.service import issue_enrolment_code
    from server.db import close_orm, tortoise_config
    from server.org.models import Role, SupervisionScope
    from server.org.service import create_officer
    from server.settings import Settings

    settings = Settings(database_url=database_url, origin=origin, rp_id="localhost")
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        await create_officer(
            collar_number=COLLAR,
            display_name="PC Bench",
            role=Role.OFFICER,
            team_name="Bench Team",
            area_name="Bench Area",
            supervision_scope=SupervisionScope.TEAM,
        )
        code, _ = await issue_enrolment_code(COLLAR, settings, datetime.now(UTC))
    finally:
        await close_orm()
    return code


# --- the upload run --------------------------------------------------------------------------


def b64(text: str) -> str:
    """Base64 of UTF-8 text (tus metadata values)."""
    return base64.b64encode(text.encode()).decode()


async def enrol(client: httpx.AsyncClient, code: str, origin: str) -> None:
    """Passkey enrolment over HTTP with the software authenticator (sets the session cookie)."""
    authenticator = SoftAuthenticator()
    options = await client.post("/api/auth/enrol/options", json={"collar": COLLAR, "code": code})
    if options.status_code != 200:
        raise BenchFailure(f"enrol options: {options.status_code} {options.text}")
    credential = authenticator.create(options.json(), origin)
    verify = await client.post(
        "/api/auth/enrol/verify", json={"credential": credential, "label": "Bench phone"}
    )
    if verify.status_code != 200:
        raise BenchFailure(f"enrol verify: {verify.status_code} {verify.text}")


async def record_photos(client: httpx.AsyncClient, photos: list[bytes]) -> tuple[str, list[str]]:
    """Push a visit and one photo record per payload, as the phone does before uploading."""
    visit_id = str(uuid.uuid4())
    ids = [str(uuid.uuid4()) for _ in photos]
    mutations: list[dict[str, Any]] = [
        {
            "seq": 1,
            "collection": "visits",
            "id": visit_id,
            "op": "put",
            "base_rev": None,
            "fields": {"victim.name": "Bench Victim"},
            "at": "2026-11-23T09:00:00.000Z",
        }
    ]
    for n, (photo_id, data) in enumerate(zip(ids, photos, strict=True), start=2):
        mutations.append(
            {
                "seq": n,
                "collection": "photos",
                "id": photo_id,
                "op": "put",
                "base_rev": None,
                "fields": {
                    "visit_id": visit_id,
                    "category": "damage",
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "byte_size": len(data),
                    "content_type": "image/jpeg",
                },
                "at": "2026-11-23T09:00:00.000Z",
            }
        )
    pushed = await client.post(
        "/api/sync/push", json={"client_id": str(uuid.uuid4()), "mutations": mutations}
    )
    results = pushed.json().get("results", []) if pushed.status_code == 200 else []
    if pushed.status_code != 200 or any(r["status"] != "applied" for r in results):
        raise BenchFailure(f"push: {pushed.status_code} {pushed.text[:500]}")
    return visit_id, ids


@dataclass
class PreparedUpload:
    """One photo's tus requests, with checksums computed before the clock starts (the phone
    hashes while it captures; the baseline client hashes nothing either)."""

    photo_id: str
    data: bytes
    metadata: str
    chunks: list[tuple[int, bytes, str]]


def prepare(visit_id: str, photo_id: str, data: bytes, chunk: int) -> PreparedUpload:
    """Upload-Metadata and every chunk's Upload-Checksum."""
    metadata = ",".join(
        [
            f"photo_id {b64(photo_id)}",
            f"visit_id {b64(visit_id)}",
            f"sha256 {b64(hashlib.sha256(data).hexdigest())}",
            f"content_type {b64('image/jpeg')}",
        ]
    )
    chunks = []
    for offset in range(0, len(data), chunk):
        piece = data[offset : offset + chunk]
        digest = base64.b64encode(hashlib.sha256(piece).digest()).decode()
        chunks.append((offset, piece, f"sha256 {digest}"))
    return PreparedUpload(photo_id, data, metadata, chunks)


async def tus_upload(client: httpx.AsyncClient, upload: PreparedUpload) -> None:
    """POST then PATCH every chunk with its sha256 checksum."""
    created = await client.post(
        "/api/uploads",
        headers={
            **TUS,
            "Upload-Length": str(len(upload.data)),
            "Upload-Metadata": upload.metadata,
        },
    )
    if created.status_code != 201:
        raise BenchFailure(f"create: {created.status_code} {created.text}")
    url = created.headers["Location"]
    for offset, piece, checksum in upload.chunks:
        answer = await client.patch(
            url,
            content=piece,
            headers={
                **TUS,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                "Upload-Checksum": checksum,
            },
        )
        if answer.status_code != 204:
            raise BenchFailure(f"patch at {offset}: {answer.status_code} {answer.text}")


async def bare_upload(client: httpx.AsyncClient, name: str, data: bytes, chunk: int) -> None:
    """The same chunks, PATCHed to the bare streaming endpoint."""
    for offset in range(0, len(data), chunk):
        answer = await client.patch(f"/bare/{name}", content=data[offset : offset + chunk])
        if answer.status_code != 204:
            raise BenchFailure(f"bare patch: {answer.status_code}")


def photo_payloads(count: int, size: int) -> list[bytes]:
    """Random payloads (incompressible, like JPEG data) with a JPEG start-of-image marker."""
    return [b"\xff\xd8\xff\xe0" + os.urandom(size - 4) for _ in range(count)]


async def run_uploads(args: argparse.Namespace, work: Path) -> dict[str, float]:
    """Start both servers, upload through each, check the results; return the timings."""
    pg_name = ""
    if args.postgres:
        pg_name, database_url = await create_pg_database(args.postgres)
    else:
        database_url = f"sqlite://{work / 'doorstep.sqlite3'}"
    port, bare_port = free_port(), free_port()
    origin = f"http://localhost:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")}
    env.update(
        DOORSTEP_DATABASE_URL=database_url,
        DOORSTEP_ORIGIN=origin,
        DOORSTEP_RP_ID="localhost",
        DOORSTEP_PHOTO_DIR=str(work / "photos"),
        DOORSTEP_MAX_UPLOAD_BYTES=str(args.size_mib * MIB + MIB),
        DOORSTEP_MAX_BODY_BYTES=str(8 * MIB),  # one push records every photo
        DOORSTEP_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    servers: list[Process] = []
    try:
        migrated = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "server.cli", "migrate"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if migrated.returncode != 0:
            raise RuntimeError(f"migrate failed: {migrated.stderr}")
        code = await create_officer_code(database_url, origin)
        doorstep = Process(
            [sys.executable, "-m", "server.cli", "serve", "--host", HOST, "--port", str(port)],
            env,
            work / "doorstep.log",
        )
        servers.append(doorstep)
        bare_dir = work / "bare"
        bare_dir.mkdir()
        bare = Process(
            [sys.executable, __file__, "--serve-baseline", str(bare_port), str(bare_dir)],
            env,
            work / "bare.log",
        )
        servers.append(bare)
        await doorstep.wait_ready(f"http://{HOST}:{port}/healthz")
        await bare.wait_ready(f"http://{HOST}:{bare_port}/")

        size = args.size_mib * MIB
        # Two passes: the asked chunk size, then one PATCH per photo (shows the per-request cost).
        passes = {"chunked": args.chunk_mib * MIB, "whole": size}
        results: dict[str, float] = {}
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with (
            httpx.AsyncClient(
                base_url=f"http://{HOST}:{port}",
                headers={"Origin": origin},
                timeout=120,
                limits=limits,
            ) as client,
            httpx.AsyncClient(
                base_url=f"http://{HOST}:{bare_port}", timeout=120, limits=limits
            ) as bare_client,
        ):
            await enrol(client, code, origin)
            for name, chunk in passes.items():
                photos = photo_payloads(args.uploads, size)
                total_mb = sum(len(p) for p in photos) / 1e6
                visit_id, ids = await record_photos(client, photos)
                prepared = [
                    prepare(visit_id, photo_id, data, chunk)
                    for photo_id, data in zip(ids, photos, strict=True)
                ]
                started = time.perf_counter()
                for upload in prepared:
                    await tus_upload(client, upload)
                results[f"{name}_doorstep_mb_s"] = total_mb / (time.perf_counter() - started)
                for photo_id, data in zip(ids, photos, strict=True):
                    original = await client.get(f"/api/photos/{photo_id}/original")
                    if original.status_code != 200 or original.content != data:
                        raise BenchFailure(f"photo {photo_id} is not byte-identical")
                started = time.perf_counter()
                for n, data in enumerate(photos):
                    await bare_upload(bare_client, f"{name}-{n}", data, chunk)
                results[f"{name}_bare_mb_s"] = total_mb / (time.perf_counter() - started)
                for n, data in enumerate(photos):
                    if (bare_dir / f"{name}-{n}").read_bytes() != data:
                        raise BenchFailure("the baseline wrote something else")
        return results
    finally:
        for server in servers:
            server.stop()
        if pg_name:
            await drop_pg_database(args.postgres, pg_name)


# --- derivatives -----------------------------------------------------------------------------


def twelve_megapixel_jpeg() -> bytes:
    """A 4000 x 3000 JPEG with detail everywhere (gradient + noise), quality 90."""
    size = (4000, 3000)
    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    noise = Image.effect_noise(size, 60).convert("RGB")
    image = Image.blend(gradient, noise, 0.4)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def run_derivatives(rounds: int) -> dict[str, float]:
    """Median seconds of make_derivatives vs plain open + draft + thumbnail."""
    from server.photos.images import make_derivatives

    data = twelve_megapixel_jpeg()

    def ours() -> None:
        made = make_derivatives(io.BytesIO(data), 60_000_000)
        if made.display_size != (1600, 1200) or made.thumb_size != (320, 240):
            raise BenchFailure(f"unexpected derivative sizes {made.display_size}")

    def plain() -> None:
        image = Image.open(io.BytesIO(data))
        image.draft("RGB", (1600, 1200))
        image.thumbnail((1600, 1600))

    timings: dict[str, list[float]] = {"ours": [], "plain": []}
    for _ in range(rounds):
        for name, work in (("ours", ours), ("plain", plain)):
            started = time.perf_counter()
            work()
            timings[name].append(time.perf_counter() - started)
    return {
        "jpeg_mb": len(data) / 1e6,
        "ours_ms": statistics.median(timings["ours"]) * 1000,
        "plain_ms": statistics.median(timings["plain"]) * 1000,
    }


def print_table(args: argparse.Namespace, up: dict[str, float], dv: dict[str, float]) -> None:
    """The results, as a small table."""
    backend = "postgres" if args.postgres else "sqlite"
    print(
        f"photo_bench: {args.uploads} uploads x {args.size_mib} MiB in {args.chunk_mib} MiB "
        f"chunks, database {backend}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs"
    )
    rows = [
        ("measure", "doorstep", "baseline", "ratio"),
        (
            f"upload MB/s, {args.chunk_mib} MiB chunks (higher is better)",
            f"{up['chunked_doorstep_mb_s']:.1f}",
            f"{up['chunked_bare_mb_s']:.1f}",
            f"{up['chunked_doorstep_mb_s'] / up['chunked_bare_mb_s']:.2f}",
        ),
        (
            f"upload MB/s, one {args.size_mib} MiB PATCH per photo",
            f"{up['whole_doorstep_mb_s']:.1f}",
            f"{up['whole_bare_mb_s']:.1f}",
            f"{up['whole_doorstep_mb_s'] / up['whole_bare_mb_s']:.2f}",
        ),
        (
            f"derivatives per 12 MP JPEG ({dv['jpeg_mb']:.1f} MB), ms",
            f"{dv['ours_ms']:.0f}",
            f"{dv['plain_ms']:.0f}",
            f"{dv['ours_ms'] / dv['plain_ms']:.2f}",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for n, row in enumerate(rows):
        print(
            "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print(
        "baselines: a bare Starlette endpoint streaming PATCH bodies to a file on the same disk "
        "under the same uvicorn; plain Pillow open + draft + thumbnail(1600) of the same JPEG"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--size-mib", type=int, default=4)
    parser.add_argument("--chunk-mib", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5, help="derivative timing rounds")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=os.environ.get("DOORSTEP_BENCH_POSTGRES_URL", DEFAULT_PG),
        default="",
        help="run on a throwaway PostgreSQL database (optionally its server URL)",
    )
    parser.add_argument(
        "--serve-baseline", nargs=2, metavar=("PORT", "DIR"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.serve_baseline:
        serve_baseline(int(args.serve_baseline[0]), args.serve_baseline[1])
        return 0
    with tempfile.TemporaryDirectory(prefix="doorstep-photobench-") as folder:
        try:
            uploads = asyncio.run(run_uploads(args, Path(folder)))
        except BenchFailure as exc:
            print(f"photo_bench: FAILED: {exc}", file=sys.stderr)
            return 1
    try:
        derivatives = run_derivatives(args.rounds)
    except BenchFailure as exc:
        print(f"photo_bench: FAILED: {exc}", file=sys.stderr)
        return 1
    print_table(args, uploads, derivatives)
    return 0


if __name__ == "__main__":
    sys.exit(main())
