"""The Caddyfile is valid for the Caddy that production runs (Debian's caddy)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_caddyfile_validates_with_caddy() -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.fail("caddy is not installed: `make test` installs it (make system-deps)")
    result = subprocess.run(
        [caddy, "validate", "--config", str(ROOT / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Valid configuration" in result.stdout + result.stderr
