"""``credit`` — the everyday commands of the credit warehouse.

    credit demo                    simulate the feeds, ingest, build, check and publish (README command 1)
    credit check IDENTIFIER        pre-event credit check: USCC, ID number or name
    credit report SUBJECT          printable credit report (信用报告) of a subject: id, USCC, ID number or name
    credit warehouse status|start|stop|url|create-database|drop-database
    credit release SECTOR --reason R   release a sector the quality gate blocked (logged)
    credit dbt ARGS…               dbt against the configured warehouse
    credit codegen [--check]       regenerate the dbt files derived from the feed catalogue
"""

from __future__ import annotations

import argparse
import logging
import sys

from rich.console import Console

from credit import settings, warehouse

console = Console()


def _cmd_warehouse(args: argparse.Namespace) -> int:
    if args.action == "stop":
        stopped = warehouse.stop_embedded()
        console.print("embedded warehouse stopped" if stopped else "embedded warehouse was not running")
        return 0
    if args.action == "drop-database":
        location = warehouse.locate(create=False)
        if not args.yes:
            console.print(f"refusing to drop {location.describe()} without --yes")
            return 2
        warehouse.drop_database(location)
        console.print(f"dropped database {location.dbname}")
        return 0
    location = warehouse.locate(create=args.action in ("start", "create-database", "status"))
    if args.action == "url":
        print(location.sqlalchemy_url())
    else:
        console.print(location.describe())
    return 0


def _cmd_dbt(args: argparse.Namespace) -> int:
    from credit.dbt import run_dbt

    return run_dbt(args.dbt_args, check=False).returncode


def _cmd_codegen(args: argparse.Namespace) -> int:
    from credit import codegen

    return codegen.main(["--check"] if args.check else [])


def _cmd_check(args: argparse.Namespace) -> int:
    from credit.credit_check import credit_check, render

    result = credit_check(args.identifier)
    console.print(render(result))
    return 0 if result.found else 1


def _cmd_report(args: argparse.Namespace) -> int:
    import datetime

    from credit.credit_report import AmbiguousSubject, SubjectNotFound, write_report

    as_of = datetime.date.fromisoformat(args.as_of) if args.as_of else None
    try:
        path = write_report(args.subject, args.output, as_of=as_of)
    except SubjectNotFound as exc:
        console.print(str(exc))
        return 1
    except AmbiguousSubject as exc:
        console.print(f"{exc}; name one by its subject id:")
        for c in exc.candidates:
            console.print(f"  {c['subject_id']}  {c['subject_name']}  {c['uscc'] or ''}")
        return 2
    console.print(f"credit report written to {path}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from credit.demo import run_demo

    return run_demo(preset=args.preset, seed=args.seed, scale=args.scale, console=console)


def _cmd_release(args: argparse.Namespace) -> int:
    from credit.release import release_by_hand

    try:
        released, newly = release_by_hand(warehouse.locate(), args.sector, args.reason)
    except ValueError as exc:
        console.print(str(exc))
        return 2
    console.print(f"{args.sector}: released up to load {released} ({newly} load(s) newly released); "
                  "logged in audit.sector_release_log")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="credit", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="the main job on simulated feeds (README command 1)")
    demo.add_argument("--preset", default="demo", help="simulator preset: test, demo or city")
    demo.add_argument("--seed", type=int, default=20261127, help="simulator seed")
    demo.add_argument("--scale", type=float, default=1.0, help="scale the preset's size (benchmarks)")
    demo.set_defaults(func=_cmd_demo)

    check = sub.add_parser("check", help="pre-event credit check of a subject")
    check.add_argument("identifier", help="USCC, resident ID number or name")
    check.set_defaults(func=_cmd_check)

    report = sub.add_parser("report", help="printable credit report (信用报告) of a subject")
    report.add_argument("subject", help="subject id, USCC, resident ID number or name")
    report.add_argument("--as-of", help="the archive as of this date (YYYY-MM-DD; default today)")
    report.add_argument("--output", help="HTML file to write (default reports/credit_reports/…)")
    report.set_defaults(func=_cmd_report)

    wh = sub.add_parser("warehouse", help=f"the warehouse ({settings.WAREHOUSE_URL_ENV} or embedded)")
    wh.add_argument("action", choices=["status", "start", "stop", "url", "create-database", "drop-database"])
    wh.add_argument("--yes", action="store_true", help="confirm drop-database")
    wh.set_defaults(func=_cmd_warehouse)

    release = sub.add_parser("release", help="release a sector the quality gate blocked, with a reason")
    release.add_argument("sector", help="sector slug, e.g. environment_energy")
    release.add_argument("--reason", required=True, help="why (kept in audit.sector_release_log)")
    release.set_defaults(func=_cmd_release)

    dbt = sub.add_parser("dbt", help="run dbt against the warehouse", add_help=False)
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER)
    dbt.set_defaults(func=_cmd_dbt)

    codegen = sub.add_parser("codegen", help="regenerate dbt files from the feed catalogue")
    codegen.add_argument("--check", action="store_true")
    codegen.set_defaults(func=_cmd_codegen)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
