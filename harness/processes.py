"""Child processes: each in its own process group, logging to a file, probed until it answers,
its log scanned, and always stopped by its own pid (never by name).

``doorstep`` runs this checkout's command line (``python -m server.cli`` with this interpreter,
from the repository root), so children run the code under test, not an installed copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from harness import ROOT
from harness.ports import HOST


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without any inherited ``DOORSTEP_*`` setting (nor a
    Prometheus folder of another server), plus ``settings``; children import this checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DOORSTEP_") and k != "PROMETHEUS_MULTIPROC_DIR"
    }
    env.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    env.update(settings)
    return env


def doorstep_argv(*args: str) -> list[str]:
    """The ``doorstep`` command of this checkout."""
    return [sys.executable, "-m", "server.cli", *args]


def serve_argv(port: int, *, workers: int | None = None) -> list[str]:
    """``doorstep serve`` on 127.0.0.1:port (uvicorn; ``workers`` processes if given)."""
    argv = doorstep_argv("serve", "--host", HOST, "--port", str(port))
    return [*argv, "--workers", str(workers)] if workers is not None else argv


def doorstep(*args: str, env: dict[str, str], timeout: float = 120) -> str:
    """Run ``doorstep <args>``; returns its stdout, raises RuntimeError (with its output) if it
    fails."""
    done = subprocess.run(
        doorstep_argv(*args),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"doorstep {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


class Process:
    """A child process in its own process group, its output appended to a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it (again, after ``stop``, on the same log)."""
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: children it forks stop with it
            )

    @property
    def alive(self) -> bool:
        """Whether it is running."""
        return self.popen is not None and self.popen.poll() is None

    @property
    def pid(self) -> int | None:
        """Its process id, while it has one."""
        return self.popen.pid if self.popen is not None else None

    def wait_ready(self, url: str, *, timeout: float = 60.0, status: int | None = 200) -> None:
        """Poll ``url`` until it answers ``status`` (any status if None); raise RuntimeError,
        with the end of the log, if the process exits or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive:
                raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                answer = httpx.get(url, timeout=2)
                if status is None or answer.status_code == status:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{url} not ready in {timeout:.0f}s ({self.name}):\n{self.log_tail()}")

    async def start_ready(self, url: str, **wait: Any) -> None:
        """``start``, then ``wait_ready`` without blocking the event loop."""
        self.start()
        await asyncio.to_thread(self.wait_ready, url, **wait)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        """Send ``sig`` to its process group and wait; SIGKILL if it lingers."""
        if not self.alive:
            return
        assert self.popen is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def log(self) -> str:
        """Everything it wrote."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_lines(self) -> list[str]:
        """Everything it wrote, line by line."""
        return self.log().splitlines()

    def log_tail(self, n: int = 40) -> str:
        """Its last ``n`` lines."""
        return "\n".join(self.log_lines()[-n:])

    def lines_with(self, *needles: str) -> list[str]:
        """The log lines holding any of ``needles``."""
        return [line for line in self.log_lines() if any(n in line for n in needles)]


class Service:
    """Something that runs while a ``with`` block does: started on entry (stopped again if it
    fails to start), stopped on the way out whatever happens."""

    def start(self) -> None:
        """Start and wait until it answers."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop whatever runs, whatever state it is in."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
