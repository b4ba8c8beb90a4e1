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
   that streams each PATCH body straight into a file, nothing else; then the durable floor:
   the same, fsyncing each finished file before its last answer, as Doorstep must before it
   answers that an original is verified (the phone may then let its copy go).
3. Derivatives: a 12-megapixel (4000 x 3000) JPEG made into the display copy and thumbnail by
   ``server.photos.images.make_derivatives``, against plain Pillow open + draft + thumbnail of
   the same file (median of ``--rounds``).

It prints MB/s, the server's CPU time per MB uploaded (from ``/proc``: steadier than wall-clock
ratios on a busy machine) and ms beside the baselines as ratios, then the median time of each
kind of request (POST, PATCH, the last PATCH, which verifies the whole file, and a bare
PATCH): what a photo costs beyond its bytes. Exit 1 if a correctness check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import io
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/ and harness/

import httpx
from PIL import Image

from bench.common import DEFAULT_POSTGRES_URL, BenchFailure, server_env
from harness.passkeys import sign_in_new_device
from harness.phone import Phone
from harness.ports import HOST, free_port
from harness.postgres import Deployment, deployment
from harness.processes import Process, doorstep, serve_argv
from harness.tus import TUS, b64_sha256, metadata_header, patch_headers

MIB = 1024 * 1024
COLLAR = "P4321"


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
            # The durable floor: a finished file reaches the disk before the answer, as a
            # verified original must (the phone may then let its copy go).
            if request.query_params.get("last") == "durable":
                out.flush()
                os.fsync(out.fileno())
        return Response(status_code=204)

    return Starlette(routes=[Route("/bare/{name}", write, methods=["PATCH"])])


def serve_baseline(port: int, folder: str) -> None:
    """Entry point of the baseline subprocess."""
    import uvicorn

    uvicorn.run(
        baseline_app(Path(folder)), host=HOST, port=port, log_level="warning", access_log=False
    )


# --- the database and the officer ------------------------------------------------------------


@contextlib.asynccontextmanager
async def database(args: argparse.Namespace, work: Path) -> AsyncIterator[str | Deployment]:
    """SQLite in the work folder, or with ``--postgres`` a throwaway PostgreSQL database with a
    restricted role for the server and an audit key, as production runs it."""
    if not args.postgres:
        yield f"sqlite://{work / 'doorstep.sqlite3'}"
        return
    async with deployment(args.postgres, "doorstep_photobench") as db:
        yield db


def create_officer_code(env: dict[str, str]) -> str:
    """``doorstep create-officer`` (the bench officer) and ``doorstep enrol-code``."""
    account = ["--collar", COLLAR, "--name", "PC Bench", "--role", "officer"]
    doorstep("create-officer", *account, "--team", "Bench Team", "--area", "Bench Area", env=env)
    return doorstep("enrol-code", COLLAR, env=env).strip().splitlines()[-1]


# --- the upload run --------------------------------------------------------------------------


async def record_photos(client: httpx.AsyncClient, photos: list[bytes]) -> tuple[str, list[str]]:
    """Push a visit and one photo record per payload, as the phone does before uploading."""
    phone = Phone(client)
    visit_id = str(uuid.uuid4())
    ids = [str(uuid.uuid4()) for _ in photos]
    mutations = [phone.mutation("visits", visit_id, {"victim.name": "Bench Victim"})]
    for photo_id, data in zip(ids, photos, strict=True):
        fields = {
            "visit_id": visit_id,
            "category": "damage",
            "sha256": hashlib.sha256(data).hexdigest(),
            "byte_size": len(data),
            "content_type": "image/jpeg",
        }
        mutations.append(phone.mutation("photos", photo_id, fields))
    pushed = await phone.push(*mutations)
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
    metadata = metadata_header(photo_id, visit_id, hashlib.sha256(data).hexdigest(), "image/jpeg")
    chunks = []
    for offset in range(0, len(data), chunk):
        piece = data[offset : offset + chunk]
        chunks.append((offset, piece, b64_sha256(piece)))
    return PreparedUpload(photo_id, data, metadata, chunks)


# Seconds each request took, by kind ("create", "chunk", "last", "bare"), for the breakdown.
Requests = dict[str, list[float]]


async def tus_upload(client: httpx.AsyncClient, upload: PreparedUpload, took: Requests) -> None:
    """POST then PATCH every chunk with its sha256 checksum."""
    started = time.perf_counter()
    created = await client.post(
        "/api/uploads",
        headers={
            **TUS,
            "Upload-Length": str(len(upload.data)),
            "Upload-Metadata": upload.metadata,
        },
    )
    took["create"].append(time.perf_counter() - started)
    if created.status_code != 201:
        raise BenchFailure(f"create: {created.status_code} {created.text}")
    url = created.headers["Location"]
    for offset, piece, checksum in upload.chunks:
        started = time.perf_counter()
        answer = await client.patch(url, content=piece, headers=patch_headers(offset, checksum))
        last = offset + len(piece) == len(upload.data)
        took["last" if last else "chunk"].append(time.perf_counter() - started)
        if answer.status_code != 204:
            raise BenchFailure(f"patch at {offset}: {answer.status_code} {answer.text}")


async def bare_upload(
    client: httpx.AsyncClient,
    name: str,
    data: bytes,
    chunk: int,
    took: Requests,
    *,
    durable: bool = False,
) -> None:
    """The same chunks, PATCHed to the bare streaming endpoint (``durable``: the last one
    fsyncs the file before answering)."""
    for offset in range(0, len(data), chunk):
        last = durable and offset + chunk >= len(data)
        started = time.perf_counter()
        answer = await client.patch(
            f"/bare/{name}",
            content=data[offset : offset + chunk],
            params={"last": "durable"} if last else None,
        )
        if last or not durable:
            took["durable" if durable else "bare"].append(time.perf_counter() - started)
        if answer.status_code != 204:
            raise BenchFailure(f"bare patch: {answer.status_code}")


def photo_payloads(count: int, size: int) -> list[bytes]:
    """Random payloads (incompressible, like JPEG data) with a JPEG start-of-image marker."""
    return [b"\xff\xd8\xff\xe0" + os.urandom(size - 4) for _ in range(count)]


async def run_uploads(args: argparse.Namespace, work: Path) -> dict[str, float]:
    """Start both servers, upload through each, check the results; return the timings."""
    async with database(args, work) as db:
        port = free_port()
        env = server_env(
            db,
            port,
            DOORSTEP_PHOTO_DIR=str(work / "photos"),
            DOORSTEP_MAX_UPLOAD_BYTES=str(args.size_mib * MIB + MIB),
            DOORSTEP_MAX_BODY_BYTES=str(8 * MIB),  # one push records every photo
        )
        await asyncio.to_thread(doorstep, "migrate", env=env, timeout=300)
        code = await asyncio.to_thread(create_officer_code, env)
        bare_port, bare_dir = free_port(), work / "bare"
        bare_dir.mkdir()
        servers = [
            Process("doorstep serve", serve_argv(port), env, work / "doorstep.log"),
            Process(
                "baseline",
                [sys.executable, __file__, "--serve-baseline", str(bare_port), str(bare_dir)],
                env,
                work / "bare.log",
            ),
        ]
        try:
            await servers[0].start_ready(f"http://{HOST}:{port}/healthz")
            await servers[1].start_ready(f"http://{HOST}:{bare_port}/", status=None)
            pids = (servers[0].pid or 0, servers[1].pid or 0)
            return await upload_through_both(args, port, bare_port, bare_dir, code, pids)
        finally:
            for server in servers:
                server.stop()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, every thread) a process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def upload_through_both(
    args: argparse.Namespace,
    port: int,
    bare_port: int,
    bare_dir: Path,
    code: str,
    pids: tuple[int, int],
) -> dict[str, float]:
    """Enrol, then upload the same photos through Doorstep and through the bare endpoint."""
    origin = f"http://localhost:{port}"
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
        await sign_in_new_device(client, COLLAR, code, origin=origin, label="Bench phone")
        for name, chunk in passes.items():
            photos = photo_payloads(args.uploads, size)
            total_mb = sum(len(p) for p in photos) / 1e6
            visit_id, ids = await record_photos(client, photos)
            prepared = [
                prepare(visit_id, photo_id, data, chunk)
                for photo_id, data in zip(ids, photos, strict=True)
            ]
            took: Requests = {"create": [], "chunk": [], "last": [], "bare": [], "durable": []}
            started, cpu = time.perf_counter(), cpu_seconds(pids[0])
            for upload in prepared:
                await tus_upload(client, upload, took)
            results[f"{name}_doorstep_mb_s"] = total_mb / (time.perf_counter() - started)
            results[f"{name}_doorstep_cpu_ms_mb"] = (cpu_seconds(pids[0]) - cpu) * 1000 / total_mb
            for photo_id, data in zip(ids, photos, strict=True):
                original = await client.get(f"/api/photos/{photo_id}/original")
                if original.status_code != 200 or original.content != data:
                    raise BenchFailure(f"photo {photo_id} is not byte-identical")
            started, cpu = time.perf_counter(), cpu_seconds(pids[1])
            for n, data in enumerate(photos):
                await bare_upload(bare_client, f"{name}-{n}", data, chunk, took)
            results[f"{name}_bare_mb_s"] = total_mb / (time.perf_counter() - started)
            results[f"{name}_bare_cpu_ms_mb"] = (cpu_seconds(pids[1]) - cpu) * 1000 / total_mb
            started = time.perf_counter()
            for n, data in enumerate(photos):
                await bare_upload(bare_client, f"{name}-d{n}", data, chunk, took, durable=True)
            results[f"{name}_durable_mb_s"] = total_mb / (time.perf_counter() - started)
            for kind, seconds in took.items():
                if seconds:
                    results[f"{name}_{kind}_ms"] = statistics.median(seconds) * 1000
            for n, data in enumerate(photos):
                if (bare_dir / f"{name}-{n}").read_bytes() != data:
                    raise BenchFailure("the baseline wrote something else")
    return results


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
    from server.photos.budget import DecodeBudget
    from server.photos.images import make_derivatives
    from server.settings import Settings

    data = twelve_megapixel_jpeg()
    # The server's memory budget for decoding, at its default size (one decode at a time here).
    budget = DecodeBudget(Settings().image_decode_budget_bytes)

    def ours() -> None:
        made = make_derivatives(io.BytesIO(data), 60_000_000, budget=budget)
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


def _ratio(ours: float, baseline: float) -> str:
    return f"{ours / baseline:.2f}" if baseline else "-"


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
            f"upload MB/s, {args.chunk_mib} MiB chunks vs the durable floor",
            f"{up['chunked_doorstep_mb_s']:.1f}",
            f"{up['chunked_durable_mb_s']:.1f}",
            f"{up['chunked_doorstep_mb_s'] / up['chunked_durable_mb_s']:.2f}",
        ),
        (
            f"upload MB/s, one {args.size_mib} MiB PATCH vs the durable floor",
            f"{up['whole_doorstep_mb_s']:.1f}",
            f"{up['whole_durable_mb_s']:.1f}",
            f"{up['whole_doorstep_mb_s'] / up['whole_durable_mb_s']:.2f}",
        ),
        (
            f"server CPU ms per MB, {args.chunk_mib} MiB chunks (lower is better)",
            f"{up['chunked_doorstep_cpu_ms_mb']:.1f}",
            f"{up['chunked_bare_cpu_ms_mb']:.1f}",
            _ratio(up["chunked_doorstep_cpu_ms_mb"], up["chunked_bare_cpu_ms_mb"]),
        ),
        (
            f"server CPU ms per MB, one {args.size_mib} MiB PATCH per photo",
            f"{up['whole_doorstep_cpu_ms_mb']:.1f}",
            f"{up['whole_bare_cpu_ms_mb']:.1f}",
            _ratio(up["whole_doorstep_cpu_ms_mb"], up["whole_bare_cpu_ms_mb"]),
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
        "under the same uvicorn (the durable floor: the same, with the finished file fsynced "
        "before the last answer, as a verified original is); plain Pillow open + draft + "
        "thumbnail(1600) of the same JPEG"
    )
    chunks = len(range(0, args.size_mib, args.chunk_mib))
    print("where a photo's time goes, median ms per request (doorstep | bare):")
    for name, count in (("chunked", chunks), ("whole", 1)):
        middle = f" + {up[f'{name}_chunk_ms']:.1f} x {count - 1} PATCH" if count > 1 else ""
        print(
            f"  {name}: POST {up[f'{name}_create_ms']:.1f}{middle} + last PATCH (verifies) "
            f"{up[f'{name}_last_ms']:.1f} | {up[f'{name}_bare_ms']:.1f} x {count} PATCH | "
            f"durable last PATCH {up[f'{name}_durable_ms']:.1f}"
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
        const=os.environ.get("DOORSTEP_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
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
        except (OSError, RuntimeError) as exc:
            print(f"photo_bench: setup failed: {exc}", file=sys.stderr)
            return 2
    try:
        derivatives = run_derivatives(args.rounds)
    except BenchFailure as exc:
        print(f"photo_bench: FAILED: {exc}", file=sys.stderr)
        return 1
    print_table(args, uploads, derivatives)
    return 0


if __name__ == "__main__":
    sys.exit(main())
