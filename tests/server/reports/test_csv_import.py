"""``doorstep import-reports``: the sample file, bad rows by their spreadsheet row, reruns."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from server.org.models import Role
from server.org.service import create_officer
from server.reports.csvfile import BadFile, import_reports
from server.reports.models import Report
from tests.support.context import SystemContext

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "docs" / "intake-sample.csv"
HEADER = SAMPLE.read_text(encoding="utf-8").splitlines()[0]


async def _teams() -> None:
    for collar, team in (("7001", "Worcester Response A"), ("7002", "Malvern Neighbourhood")):
        await create_officer(
            collar_number=collar,
            display_name="PC Seed",
            role=Role.OFFICER,
            team_name=team,
            area_name="South Worcestershire",
        )


async def test_the_sample_file_imports_cleanly_and_a_rerun_changes_nothing(
    db: str, system_ctx: SystemContext
) -> None:
    await _teams()
    text = SAMPLE.read_text(encoding="utf-8")
    result = await import_reports(text, ctx=system_ctx(), name="intake-sample.csv")
    assert (result.received, result.created, result.refused) == (4, 4, 0), result
    assert [r.row for r in result.results] == [2, 3, 4, 5]
    local = await Report.get(reference_crime_reference="22/50102/26")
    assert local.reference_reported_at.isoformat() == "2026-11-22T21:15:00+00:00"
    uk = await Report.get(reference_crime_reference="22/50103/26")
    assert uk.victim_repeat_victim is True
    assert uk.team_id is not None
    area_only = await Report.get(reference_crime_reference="22/50104/26")
    assert area_only.team_id is None  # type: ignore[attr-defined]
    again = await import_reports(text, ctx=system_ctx(), name="intake-sample.csv")
    assert (again.unchanged, again.created) == (4, 0)


async def test_bad_rows_are_named_by_row_and_column_and_good_rows_kept(
    db: str, system_ctx: SystemContext
) -> None:
    await _teams()
    lines = [
        HEADER,
        "22/1/26,,2026-11-22T18:40:00Z,dwelling,1 High St,,Worcester,WR3 8JE,Ann,,,,no,"
        "Worcester Response A,,",
        "22/2/26,,yesterday,dwelling,1 High St,,Worcester,WR3 8JE,Ann,,,,no,Worcester Response A,,",
        "22/3/26,,2026-11-22T18:40:00Z,dwelling,1 High St,,Worcester,XX,Ann,,,,maybe,"
        "Worcester Response A,,",
        "",
        "22/5/26,,2026-11-22T18:40:00Z,burglary,1 High St,,Worcester,WR3 8JE,Ann,,,psychic,no,"
        "Worcester Response A,,",
    ]
    result = await import_reports("\n".join(lines), ctx=system_ctx(), name="bad.csv")
    refused = {r.row: sorted(p.field for p in r.problems) for r in result.results if r.problems}
    assert refused == {
        3: ["reported_at"],
        4: ["postcode", "repeat_victim"],
        6: ["offence_type", "vulnerabilities"],
    }
    assert (result.created, result.refused) == (1, 3)
    assert await Report.all().count() == 1


async def test_a_file_with_unknown_or_missing_columns_is_refused_whole(
    db: str, system_ctx: SystemContext
) -> None:
    with pytest.raises(BadFile, match="unknown columns: colour"):
        await import_reports(HEADER + ",colour\n", ctx=system_ctx(), name="x.csv")
    with pytest.raises(BadFile, match="missing columns: postcode"):
        await import_reports(HEADER.replace(",postcode", ""), ctx=system_ctx(), name="x.csv")


def test_the_command_prints_refused_rows_and_exits_1(tmp_path: Path) -> None:
    from tests.server.test_cli import run

    url = f"sqlite://{tmp_path / 'doorstep.sqlite3'}"
    assert run(["migrate"], url).returncode == 0
    assert run(["seed-demo"], url).returncode == 0
    bad = tmp_path / "export.csv"
    rows = SAMPLE.read_text(encoding="utf-8").splitlines()
    rows.append(rows[-1].replace("22/50104/26", "22/50105/26").replace("WR14 4HF", "W"))
    bad.write_text("\ufeff" + "\n".join(rows) + "\n", encoding="utf-8")  # Excel's BOM
    done = run(["import-reports", str(bad)], url)
    assert done.returncode == 1, done.stderr
    assert "row 6: postcode: not a valid UK postcode" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == (
        "5 rows: 4 created, 0 amended, 0 unchanged, 0 stale, 1 refused"
    )
    missing = run(["import-reports", str(tmp_path / "none.csv")], url)
    assert missing.returncode == 2
    assert sys.executable  # the command ran with this interpreter
