"""The ``doorstep`` command line: migrate, serve, manage officers, check the audit log."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import uuid
from collections.abc import Sequence
from typing import Any

from server.cli_orm import with_orm
from server.cli_reports import (
    cmd_create_integration,
    cmd_import_reports,
    cmd_list_integrations,
    cmd_revoke_integration,
)
from server.clock import SystemClock
from server.context import RequestContext
from server.db import apply_migrations
from server.errors import DoorstepError
from server.logs import configure_logging, uvicorn_log_config
from server.org.models import Role, SupervisionScope
from server.settings import Settings, SettingsError


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    """Apply migrations not yet applied, as the owner; then grant the server's role its share."""
    from server.db_roles import grant_server_role

    applied = asyncio.run(apply_migrations(settings.owner_database_url))
    for name in applied:
        print(f"applied {name}")
    if not applied:
        print("no migrations to apply")
    for line in asyncio.run(grant_server_role(settings)):
        print(line, file=sys.stderr if line.startswith("warning") else sys.stdout)
    _install_default_catalogue(settings)
    _install_leave_behind_texts(settings)
    return 0


def _install_leave_behind_texts(settings: Settings) -> None:
    """After migrating: the leave-behind's default texts, once (version 1; admins edit it)."""
    from server.aftercare.content import ensure_default_content

    if asyncio.run(with_orm(settings, lambda: ensure_default_content(settings))):
        print("installed the default leave-behind texts (version 1)")


def cmd_send_mail(settings: Settings, args: argparse.Namespace) -> int:
    """Send the leave-behinds waiting to be emailed (one pass; the server also does this)."""
    from server.aftercare.mail import send_pass

    report = asyncio.run(with_orm(settings, lambda: send_pass(settings, SystemClock().now())))
    print(
        f"queued {report.queued}, sent {report.sent}, retrying {report.retrying}, "
        f"failed {report.failed}"
    )
    return 0


def _install_default_catalogue(settings: Settings) -> None:
    """A fresh install offers advice without ``seed-demo`` (a separate step after migrating)."""
    from server.advice.catalogue import install_default_catalogue

    added = asyncio.run(with_orm(settings, install_default_catalogue))
    if added:
        print(f"installed the default advice catalogue ({added} items)")


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    """Run the API under uvicorn."""
    import uvicorn
    from tortoise import connections

    from server.db_roles import check_server_role

    # Fail here, with a plain message, rather than in every worker's start-up.
    asyncio.run(with_orm(settings, lambda: check_server_role(connections.get("default"))))
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Several worker processes: /metrics on any of them must report all of them.
        metrics_dir = tempfile.mkdtemp(prefix="doorstep-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    uvicorn.run(
        "server.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        log_config=uvicorn_log_config(settings.log_level),
        access_log=False,
    )
    return 0


def cmd_create_officer(settings: Settings, args: argparse.Namespace) -> int:
    """Create an officer account (and their team and area if new)."""
    from server.org.service import create_officer

    async def work() -> Any:
        return await create_officer(
            collar_number=args.collar,
            display_name=args.name,
            role=Role(args.role),
            team_name=args.team,
            area_name=args.area,
            supervision_scope=SupervisionScope(args.scope),
        )

    officer = asyncio.run(with_orm(settings, work))
    print(f"created {officer.role.value} {officer.collar_number} ({officer.id})")
    return 0


def cmd_seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Load the demo area, teams, officers, advice catalogue and visits."""
    from server.demo import seed_demo

    counts = asyncio.run(with_orm(settings, lambda: seed_demo(settings, SystemClock())))
    print("seeded " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    return 0


def cmd_enrol_code(settings: Settings, args: argparse.Namespace) -> int:
    """Issue a one-time enrolment code; the code is printed alone on the last line."""
    from server.auth.service import issue_enrolment_code

    code, row = asyncio.run(
        with_orm(
            settings,
            lambda: issue_enrolment_code(
                args.collar, ctx=RequestContext.system(settings, SystemClock().now())
            ),
        )
    )
    expires = f"{row.expires_at:%Y-%m-%d %H:%M} UTC"
    print(f"enrolment code for {args.collar}, single use, expires {expires}:")
    print(code)
    return 0


def cmd_revoke_device(settings: Settings, args: argparse.Namespace) -> int:
    """Revoke a device: its sessions end now and its next contact wipes it."""
    from server.auth.service import revoke_device

    try:
        device_id = uuid.UUID(args.device_id)
    except ValueError:
        print(f"doorstep: {args.device_id!r} is not a device id (a UUID)", file=sys.stderr)
        return 2
    device = asyncio.run(
        with_orm(
            settings,
            lambda: revoke_device(
                device_id, args.reason, ctx=RequestContext.system(settings, SystemClock().now())
            ),
        )
    )
    print(f"revoked device {device.id} ({device.label or 'no label'})")
    return 0


def cmd_audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    """Check the audit log's keyed chain and every anchor; exit 1 naming what is wrong."""
    from server.audit.anchors import anchor_store
    from server.audit.keys import load_audit_keys
    from server.audit.verify import verify_audit

    keys = load_audit_keys(settings)
    report = asyncio.run(with_orm(settings, lambda: verify_audit(keys, anchor_store(settings))))
    if report.intact:
        plural = "" if report.anchors_checked == 1 else "s"
        print(
            f"audit chain intact: {report.rows_checked} rows, checked against "
            f"{report.anchors_checked} anchor{plural}"
        )
        if report.rows_checked and not report.anchors_checked:
            print(
                "doorstep: warning: no audit anchors found, so deleting the newest rows would "
                "not be noticed; run `doorstep audit-anchor` (docs/deploy.md)",
                file=sys.stderr,
            )
        return 0
    if report.first_broken_id is None:
        print(f"audit anchors tampered with: {report.problem}")
    else:
        print(
            f"audit chain broken at row {report.first_broken_id}: {report.problem} "
            f"({report.rows_checked} rows before it are intact)"
        )
    return 1


def cmd_audit_anchor(settings: Settings, args: argparse.Namespace) -> int:
    """Write a signed checkpoint of the audit chain head outside the database (also sealing
    rows from before keyed hashing); the server does it by itself at intervals."""
    from server.audit.anchors import write_anchor
    from server.audit.keys import load_audit_keys

    keys = load_audit_keys(settings)

    async def work() -> tuple[Any, int]:
        from server.audit.anchors import anchor_store
        from server.audit.models import AuditEvent

        anchor = await write_anchor(anchor_store(settings), keys, SystemClock().now())
        last = await AuditEvent.all().order_by("-id").first()
        return anchor, last.id if last else 0

    anchor, last_id = asyncio.run(with_orm(settings, work))
    if anchor is not None:
        print(f"anchored the audit log at row {anchor.last_id}")
    elif last_id:
        print(f"already anchored at row {last_id}")
    else:
        print("the audit log is empty: nothing to anchor")
    return 0


def cmd_cleanup_uploads(settings: Settings, args: argparse.Namespace) -> int:
    """Expire abandoned photo uploads and remove their chunks (run it hourly)."""
    from server.photos.cleanup import cleanup_uploads
    from server.photos.store import create_store

    store = create_store(settings)
    report = asyncio.run(
        with_orm(settings, lambda: cleanup_uploads(store, settings, SystemClock().now()))
    )
    print(
        f"expired {report.expired} uploads, removed the chunks of {report.purged}, "
        f"cleared {report.leftovers} interrupted assemblies"
    )
    return 0


def cmd_retention(settings: Settings, args: argparse.Namespace) -> int:
    """Report (``--dry-run``) or erase (``--apply``) visits past their retention period.

    Prints counts only: no ids, names or anything else a terminal or log should not hold.
    """
    from server.photos.store import create_store
    from server.retention.runner import run_retention

    ctx = RequestContext.system(settings, SystemClock().now())
    store = create_store(settings)
    report = asyncio.run(
        with_orm(settings, lambda: run_retention(ctx=ctx, store=store, apply=args.apply))
    )
    print("retention (days): " + ", ".join(f"{p.state} {p.days or 'kept'}" for p in report.periods))
    print(
        "due for erasure: "
        + ", ".join(f"{state} {count}" for state, count in report.due.items())
        + f" ({sum(report.due.values())} visits)"
    )
    if report.applied:
        print(
            f"erased {sum(report.erased.values())} visits ({report.records} records), "
            f"removed {report.objects_removed} photo objects"
        )
    else:
        print("dry run: nothing erased")
    if report.objects_pending:
        print(
            f"doorstep: warning: {report.objects_pending} photo objects still to remove "
            "(the store could not be reached); run again",
            file=sys.stderr,
        )
    return 0


def cmd_restore_fence(settings: Settings, args: argparse.Namespace) -> int:
    """After restoring a backup: start a new feed epoch so every phone resynchronises fully."""
    from server.feed import start_new_feed_epoch

    asyncio.run(with_orm(settings, start_new_feed_epoch))
    print("new feed epoch: every device will pull its records again from the start")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="doorstep", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("migrate", help="apply database migrations not yet applied").set_defaults(
        func=cmd_migrate
    )

    serve = sub.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help="proxies whose X-Forwarded-* headers are trusted (Caddy)",
    )
    serve.set_defaults(func=cmd_serve)

    officer = sub.add_parser("create-officer", help="create an officer, supervisor or admin")
    officer.add_argument("--collar", required=True, help="collar number")
    officer.add_argument("--name", required=True, help="display name, e.g. 'PC Sam Patel'")
    officer.add_argument("--role", required=True, choices=[r.value for r in Role])
    officer.add_argument("--team", required=True, help="team name (created if new)")
    officer.add_argument("--area", help="area of the team (created if new)")
    officer.add_argument(
        "--scope",
        default=SupervisionScope.TEAM.value,
        choices=[s.value for s in SupervisionScope],
        help="for supervisors: see their team or their whole area",
    )
    officer.set_defaults(func=cmd_create_officer)

    sub.add_parser("seed-demo", help="load a fictional demo").set_defaults(func=cmd_seed_demo)

    enrol = sub.add_parser("enrol-code", help="issue a one-time passkey enrolment code")
    enrol.add_argument("collar", help="the officer's collar number")
    enrol.set_defaults(func=cmd_enrol_code)

    revoke = sub.add_parser("revoke-device", help="revoke a lost device and end its sessions")
    revoke.add_argument("device_id", help="the device id (see GET /api/admin/devices)")
    revoke.add_argument("--reason", default="revoked from the command line")
    revoke.set_defaults(func=cmd_revoke_device)

    sub.add_parser(
        "audit-verify", help="check the audit log's keyed hash chain against its anchors"
    ).set_defaults(func=cmd_audit_verify)
    sub.add_parser(
        "audit-anchor", help="write a signed checkpoint of the audit log outside the database"
    ).set_defaults(func=cmd_audit_anchor)

    retention = sub.add_parser(
        "retention", help="erase visits past their retention period (docs/retention.md)"
    )
    mode = retention.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="count what would go; erase nothing")
    mode.add_argument("--apply", action="store_true", help="erase what is due, audited")
    retention.set_defaults(func=cmd_retention)

    sub.add_parser(
        "restore-fence", help="after restoring a backup: make every device resynchronise"
    ).set_defaults(func=cmd_restore_fence)
    sub.add_parser(
        "cleanup-uploads", help="expire abandoned photo uploads and remove their chunks"
    ).set_defaults(func=cmd_cleanup_uploads)
    sub.add_parser(
        "send-mail", help="email the leave-behinds victims asked for (one pass)"
    ).set_defaults(func=cmd_send_mail)

    integration = sub.add_parser(
        "create-integration", help="create a credential for the crime system to send reports"
    )
    integration.add_argument("name", help="a name for it, e.g. 'niche-rms'")
    integration.set_defaults(func=cmd_create_integration)
    revoke_integration = sub.add_parser(
        "revoke-integration", help="revoke an integration credential"
    )
    revoke_integration.add_argument("name")
    revoke_integration.set_defaults(func=cmd_revoke_integration)
    sub.add_parser(
        "list-integrations", help="list integration credentials (never their tokens)"
    ).set_defaults(func=cmd_list_integrations)
    reports = sub.add_parser("import-reports", help="take in reports from a CSV export")
    reports.add_argument("file", help="the CSV file (docs/intake.md)")
    reports.set_defaults(func=cmd_import_reports)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``doorstep`` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"doorstep: configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        result: int = args.func(settings, args)
    except SettingsError as exc:
        print(f"doorstep: configuration error: {exc}", file=sys.stderr)
        return 2
    except DoorstepError as exc:
        print(f"doorstep: {exc.message}", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
