"""``doorstep retention`` as an administrator runs it: counts only, and erasing on --apply."""

from __future__ import annotations

import pytest

from tests.server.test_cli import run


@pytest.mark.parametrize("backend", ["sqlite"])
def test_retention_dry_run_and_apply_print_counts_only(database_url: str) -> None:
    refused = run(["retention"], database_url)
    assert refused.returncode == 2  # --dry-run or --apply must be said
    dry = run(["retention", "--dry-run"], database_url)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "retention (days): draft 180, deleted 30, submitted 2557, approved 2557",
        "due for erasure: draft 0, deleted 0, submitted 0, approved 0 (0 visits)",
        "dry run: nothing erased",
    ]
    applied = run(["retention", "--apply"], database_url)
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.splitlines()[-1] == "erased 0 visits (0 records), removed 0 photo objects"
