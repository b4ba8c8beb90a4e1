"""The ``doorstep`` commands of the pledge queue: integration credentials and CSV intake."""

from __future__ import annotations

import argparse
import asyncio
import sys

from server.cli_orm import with_orm
from server.clock import SystemClock
from server.context import RequestContext
from server.settings import Settings


def cmd_create_integration(settings: Settings, args: argparse.Namespace) -> int:
    """Create an integration credential; its token is printed once, alone on the last line."""
    from server.reports.credentials import create_integration

    ctx = RequestContext.system(settings, SystemClock().now())
    token, row = asyncio.run(with_orm(settings, lambda: create_integration(args.name, ctx=ctx)))
    print(f"integration {row.name} ({row.id}) may send reports to POST /api/reports")
    print("its token, shown this once (send it as 'Authorization: Bearer <token>'):")
    print(token)
    return 0


def cmd_revoke_integration(settings: Settings, args: argparse.Namespace) -> int:
    """Revoke an integration credential: its next call is refused."""
    from server.reports.credentials import revoke_integration

    ctx = RequestContext.system(settings, SystemClock().now())
    row = asyncio.run(with_orm(settings, lambda: revoke_integration(args.name, ctx=ctx)))
    print(f"revoked integration {row.name} ({row.id})")
    return 0


def cmd_list_integrations(settings: Settings, args: argparse.Namespace) -> int:
    """List integration credentials (never their tokens)."""
    from server.reports.credentials import list_integrations

    for row in asyncio.run(with_orm(settings, list_integrations)):
        state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
        used = f"last used {row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never used"
        print(f"{row.name}\t{row.id}\t{state}\t{used}")
    return 0


def cmd_import_reports(settings: Settings, args: argparse.Namespace) -> int:
    """Take in a CSV export of reports: exit 0 if every row was taken, 1 if some were refused
    (the good rows are kept), 2 if the file could not be read at all."""
    from pathlib import Path

    from server.reports.csvfile import BadFile, import_reports

    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"doorstep: cannot read {path.name}: {exc}", file=sys.stderr)
        return 2
    ctx = RequestContext.system(settings, SystemClock().now())
    try:
        result = asyncio.run(
            with_orm(settings, lambda: import_reports(text, ctx=ctx, name=path.name))
        )
    except BadFile as exc:
        print(f"doorstep: {path.name}: {exc}", file=sys.stderr)
        return 2
    for row in result.results:
        for problem in row.problems:
            print(f"row {row.row}: {problem.field}: {problem.message}")
    print(
        f"{result.received} rows: {result.created} created, {result.amended} amended, "
        f"{result.unchanged} unchanged, {result.stale} stale, {result.refused} refused"
    )
    return 1 if result.refused else 0
