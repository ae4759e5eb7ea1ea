"""The `xieshang` console script (interfaces.md): argument parsing and error reporting.

Each subcommand is a thin handler over a library function; errors become one line on
stderr saying what is wrong and what to do (a traceback only with --debug).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from xieshang.cli.errors import CommandError, UsageError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xieshang", description="协商治理看板 xieshang")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="generate and load a demo county, then serve the dashboard")
    demo.add_argument("--port", type=int, default=8050)
    demo.add_argument("--no-serve", action="store_true", help="load the demo and stop")

    load = sub.add_parser("load", help="load an inbox of submissions into the warehouse")
    load.add_argument("inbox", type=Path)
    load.add_argument("--db")
    load.add_argument("--json", action="store_true", help="print the run report as JSON")

    serve = sub.add_parser("serve", help="serve the dashboard (development server)")
    serve.add_argument("--db")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8050)

    kpi = sub.add_parser("kpi", help="print every figure for a scope and period as JSON")
    kpi.add_argument("--scope", required=True)
    kpi.add_argument("--from", dest="start", type=_date, required=True)
    kpi.add_argument("--to", dest="end", type=_date, required=True)
    kpi.add_argument("--form")
    kpi.add_argument("--category")
    kpi.add_argument("--online", choices=("yes", "no"))
    kpi.add_argument("--db")

    marts = sub.add_parser("marts", help="maintain the marts (the summaries the figures read)")
    marts_sub = marts.add_subparsers(dest="action", required=True)
    rebuild = marts_sub.add_parser(
        "rebuild", help="rebuild the marts from the warehouse tables (after an upgrade)"
    )
    rebuild.add_argument("--db")

    export = sub.add_parser("export", help="write an export file")
    export_sub = export.add_subparsers(dest="what", required=True)
    assessment = export_sub.add_parser("assessment", help="the assessment table (考核评估表)")
    assessment.add_argument("--level", choices=("township", "village"), required=True)
    assessment.add_argument("--within")
    assessment.add_argument("--from", dest="start", type=_date, required=True)
    assessment.add_argument("--to", dest="end", type=_date, required=True)
    assessment.add_argument("--format", choices=("csv", "xlsx"), required=True)
    assessment.add_argument("--output", type=Path, required=True)
    assessment.add_argument("--weights", type=Path)
    assessment.add_argument("--db")

    generate = sub.add_parser("generate", help="write a synthetic inbox for a demo county")
    generate.add_argument("outdir", type=Path)
    generate.add_argument("--townships", type=int, default=13)
    generate.add_argument("--villages-per-township", type=int, default=15)
    generate.add_argument("--months", type=int, default=12)
    generate.add_argument("--end", help="last month to generate, YYYY-MM (default: this month)")
    generate.add_argument("--seed", type=int, default=1)
    generate.add_argument("--dirty", action="store_true", help="add known numbers of bad rows")
    return parser


def _cmd_load(args: argparse.Namespace) -> int:
    from xieshang.cli.commands import load

    return load.run(args)


def _cmd_demo(args: argparse.Namespace) -> int:
    from xieshang.cli.commands import demo

    return demo.run(args)


def _cmd_serve(args: argparse.Namespace) -> int:
    from xieshang.cli.commands import serve

    return serve.run(args)


def _cmd_kpi(args: argparse.Namespace) -> int:
    from xieshang.cli.commands import kpi

    return kpi.run(args)


def _cmd_marts(args: argparse.Namespace) -> int:
    from xieshang.cli.commands import marts

    return marts.run(args)


def _cmd_export(args: argparse.Namespace) -> int:
    from xieshang.cli.commands import export

    return export.run(args)


def _cmd_generate(args: argparse.Namespace) -> int:
    from xieshang.cli.commands import generate

    return generate.run(args)


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "load": _cmd_load,
    "demo": _cmd_demo,
    "serve": _cmd_serve,
    "kpi": _cmd_kpi,
    "marts": _cmd_marts,
    "export": _cmd_export,
    "generate": _cmd_generate,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error, as argparse does
    try:
        return HANDLERS[args.command](args)
    except UsageError as exc:
        if args.debug:
            raise
        print(f"xieshang: {exc}", file=sys.stderr)
        return 2
    except (CommandError, OSError, ValueError) as exc:
        if args.debug:
            raise
        print(f"xieshang: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 — the contract is one line, never a traceback
        if args.debug:
            raise
        from xieshang.marts import StaleMarts  # its message names the command that fixes it

        if isinstance(exc, StaleMarts):
            print(f"xieshang: {exc}", file=sys.stderr)
            return 1
        print(
            f"xieshang: {type(exc).__name__}: {exc} (run again with --debug for details)",
            file=sys.stderr,
        )
        return 1
