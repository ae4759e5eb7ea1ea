"""The `xieshang` console script (interfaces.md): argument parsing and error reporting.

Each subcommand is a thin handler over a library function; errors become one line on
stderr saying what is wrong and what to do (a traceback only with --debug).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from xieshang.cli.errors import CommandError, OutputError, UsageError, cannot_print
from xieshang.contract import settings


def _date(text: str) -> date:
    from xieshang.metrics.periods import parse_day

    day = parse_day(text)
    if day is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD")
    return day


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port; use a number from 1 to 65535")
    return int(text)


def _url(text: str) -> str:
    """A --db value: an empty one (`--db "$URL"` with the variable unset) would fall back to
    XIESHANG_DB or the embedded warehouse and load there unasked."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "the URL is empty: give the warehouse's URL, or leave --db out for XIESHANG_DB "
            "or the embedded warehouse"
        )
    return text


DB_HELP = (
    "the warehouse's URL: sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/DATABASE "
    "(default: XIESHANG_DB, else the embedded SQLite file in the data folder)"
)
FROM_HELP = "the period's first day, YYYY-MM-DD"
TO_HELP = "the period's last day, YYYY-MM-DD (included)"
PORT_HELP = "the port to listen on (default 8050)"
MONTH_HELP = "the month, YYYY-MM"


class _Parser(argparse.ArgumentParser):
    """argparse's parser with a usage error in one line, and --debug taken anywhere: after
    the command as well as before it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
        )

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="xieshang", description="协商治理看板 xieshang")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="generate and load a demo county, then serve the dashboard")
    demo.add_argument("--port", type=_port, default=8050, help=f"{PORT_HELP}, on 127.0.0.1 only")
    demo.add_argument("--no-serve", action="store_true", help="load the demo and stop")

    load = sub.add_parser("load", help="load an inbox of submissions into the warehouse")
    load.add_argument(
        "inbox",
        type=Path,
        help="the folder of submitted files (its subfolders too); files already loaded "
        "unchanged are not read again",
    )
    load.add_argument("--db", type=_url, help=DB_HELP)
    load.add_argument("--json", action="store_true", help="print the run report as JSON")

    serve = sub.add_parser("serve", help="serve the dashboard (development server)")
    serve.add_argument("--db", type=_url, help=DB_HELP)
    serve.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=_port, default=8050, help=PORT_HELP)
    serve.add_argument(
        "--no-auth",
        action="store_true",
        help="serve without sign-in (a single-user laptop; every page then says so)",
    )

    kpi = sub.add_parser("kpi", help="print every figure for a scope and period as JSON")
    kpi.add_argument("--scope", required=True, help="an area code (6, 9 or 12 digits)")
    kpi.add_argument("--from", dest="start", type=_date, required=True, help=FROM_HELP)
    kpi.add_argument("--to", dest="end", type=_date, required=True, help=TO_HELP)
    kpi.add_argument(
        "--form", help="only meetings of this form: its code or a Chinese label (议事会)"
    )
    kpi.add_argument(
        "--category",
        help="only meetings of this topic category: its code or a Chinese label (环境整治)",
    )
    kpi.add_argument(
        "--online", choices=("yes", "no"), help="only meetings held online (yes) or not (no)"
    )
    kpi.add_argument("--db", type=_url, help=DB_HELP)

    marts = sub.add_parser("marts", help="maintain the marts (the summaries the figures read)")
    marts_sub = marts.add_subparsers(dest="action", required=True)
    rebuild = marts_sub.add_parser(
        "rebuild", help="rebuild the marts from the warehouse tables (after an upgrade)"
    )
    rebuild.add_argument("--db", type=_url, help=DB_HELP)

    db = sub.add_parser("db", help="maintain the warehouse itself (schema upgrades)")
    db_sub = db.add_subparsers(dest="action", required=True)
    db_upgrade = db_sub.add_parser(
        "upgrade", help="bring the warehouse to this release's schema (Alembic migrations)"
    )
    db_upgrade.add_argument("--db", type=_url, help=DB_HELP)

    export = sub.add_parser("export", help="write an export file")
    export_sub = export.add_subparsers(dest="what", required=True)
    assessment = export_sub.add_parser("assessment", help="the assessment table (考核评估表)")
    assessment.add_argument(
        "--level",
        choices=("county", "township", "village"),
        required=True,
        help="the units ranked: a city's counties, the townships of the root (or --within), "
        "a township's villages (--within TOWNSHIP_CODE)",
    )
    assessment.add_argument(
        "--within",
        help="the code of the area whose units are ranked (default: the roster's root; "
        "a township's for --level village)",
    )
    assessment.add_argument("--from", dest="start", type=_date, required=True, help=FROM_HELP)
    assessment.add_argument("--to", dest="end", type=_date, required=True, help=TO_HELP)
    assessment.add_argument(
        "--format", choices=("csv", "xlsx"), required=True, help="the file's format"
    )
    assessment.add_argument("--output", type=Path, required=True, help="the file to write")
    assessment.add_argument(
        "--weights",
        type=Path,
        help="a TOML file of figure = weight lines (under [weights]); a figure it leaves "
        "out keeps its default weight",
    )
    assessment.add_argument(
        "--headers",
        choices=("machine", "zh"),
        default="machine",
        help="CSV only: zh for Chinese headers and the values as shown (81.3%%, 无数据)",
    )
    assessment.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="xlsx only: the file's language"
    )
    assessment.add_argument("--db", type=_url, help=DB_HELP)

    generate = sub.add_parser("generate", help="write a synthetic inbox for a demo county")
    generate.add_argument("outdir", type=Path, help="a folder that is new or empty")
    generate.add_argument(
        "--townships", type=int, default=13, help="townships in the county (default 13)"
    )
    generate.add_argument(
        "--villages-per-township", type=int, default=15, help="villages in each (default 15)"
    )
    generate.add_argument(
        "--months", type=int, default=12, help="months of ledgers, up to --end (default 12)"
    )
    generate.add_argument("--end", help="last month to generate, YYYY-MM (default: this month)")
    generate.add_argument(
        "--seed", type=int, default=1, help="the same seed writes the same files (default 1)"
    )
    generate.add_argument("--dirty", action="store_true", help="add known numbers of bad rows")

    user = sub.add_parser("user", help="manage the dashboard's users")
    user_sub = user.add_subparsers(dest="action", required=True)
    add = user_sub.add_parser("add", help="create a user")
    add.add_argument("name", help="the name they sign in with")
    add.add_argument(
        "--role",
        metavar="leader|evaluator|staff|admin",
        required=True,
        help="leader or evaluator: the whole roster; staff: one township (--township); "
        "admin: everything, with users and the audit log",
    )
    add.add_argument("--township", help="staff only: the code of the township they see")
    user_sub.add_parser("list", help="one line per user")
    for action, text in (("disable", "a user who may not sign in"), ("enable", "sign-in again")):
        user_sub.add_parser(action, help=f"{action}: {text}").add_argument(
            "name", help="the user's name"
        )
    passwd = user_sub.add_parser("passwd", help="set a new password")
    passwd.add_argument("name", help="the user's name")
    for command in (add, passwd):
        command.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )
    for command in user_sub.choices.values():
        command.add_argument("--db", type=_url, help=DB_HELP)

    template = sub.add_parser("template", help="write a blank xlsx template for one kind of file")
    template.add_argument(
        "kind", metavar="areas|meetings|attendance|resolutions", help="the kind of file"
    )
    template.add_argument("--output", type=Path, required=True, help="the xlsx file to write")
    template.add_argument("--township", help="areas only: pre-fill this township's roster rows")
    template.add_argument("--db", type=_url, help=DB_HELP)

    audit = sub.add_parser("audit", help="print the audit log")
    audit.add_argument("--since", type=_date, help="from this day on (YYYY-MM-DD)")
    audit.add_argument("--user", help="only this user's rows")
    audit.add_argument("--action", help="one action, e.g. sign_in_failed")
    audit.add_argument(
        "--format", choices=("text", "csv"), default="text", help="text (default) or CSV"
    )
    audit.add_argument("--db", type=_url, help=DB_HELP)

    status = sub.add_parser("status", help="who has submitted what for a month (报送情况)")
    status.add_argument("--month", required=True, help=MONTH_HELP)
    status.add_argument("--scope", help="an area code (default: the roster's root)")
    status.add_argument(
        "--format", choices=("text", "csv"), default="text", help="text (default) or CSV"
    )
    status.add_argument("--db", type=_url, help=DB_HELP)

    brief = sub.add_parser("brief", help="write the monthly brief (工作简报) as PDF or Word")
    brief.add_argument("--scope", required=True, help="an area code")
    brief.add_argument("--month", required=True, help=MONTH_HELP)
    brief.add_argument(
        "--format", choices=("pdf", "docx"), required=True, help="PDF, or Word (docx)"
    )
    brief.add_argument("--output", type=Path, required=True, help="the file to write")
    brief.add_argument("--db", type=_url, help=DB_HELP)
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


def _cmd_db(args: argparse.Namespace) -> int:
    from xieshang.cli.commands import db

    return db.run(args)


def _cmd_export(args: argparse.Namespace) -> int:
    from xieshang.cli.commands import export

    return export.run(args)


def _cmd_generate(args: argparse.Namespace) -> int:
    from xieshang.cli.commands import generate

    return generate.run(args)


def _cmd_user(args: argparse.Namespace) -> int:
    from xieshang.cli.commands import user

    return user.run(args)


def _cmd_audit(args: argparse.Namespace) -> int:
    from xieshang.cli.commands import audit

    return audit.run(args)


def _cmd_template(args: argparse.Namespace) -> int:
    from xieshang.cli.commands import template

    return template.run(args)


def _cmd_status(args: argparse.Namespace) -> int:
    from xieshang.cli.commands import status

    return status.run(args)


def _cmd_brief(args: argparse.Namespace) -> int:
    from xieshang.cli.commands import brief

    return brief.run(args)


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "load": _cmd_load,
    "demo": _cmd_demo,
    "serve": _cmd_serve,
    "kpi": _cmd_kpi,
    "marts": _cmd_marts,
    "db": _cmd_db,
    "export": _cmd_export,
    "generate": _cmd_generate,
    "user": _cmd_user,
    "audit": _cmd_audit,
    "template": _cmd_template,
    "status": _cmd_status,
    "brief": _cmd_brief,
}


def _failure(exc: Exception) -> tuple[int, str]:
    """The exit code of a command that raised `exc`, and the line that says why."""
    if isinstance(exc, UsageError):
        return 2, str(exc)
    if isinstance(exc, CommandError | OSError | ValueError):
        return 1, str(exc)
    # their messages name the problem and the fix
    from xieshang.marts import StaleMarts
    from xieshang.warehouse.engine import SchemaVersionError, WarehouseError

    if isinstance(exc, StaleMarts | WarehouseError | SchemaVersionError):
        return 1, str(exc)
    from xieshang.etl.failure import one_line

    # a database error's text goes on with its SQL and parameters over several lines
    return 1, f"{one_line(exc)} (run again with --debug for details)"


def _nowhere(stream) -> None:
    """`stream`'s file now writes nowhere: what is left of the output, and Python's flush
    at exit, go to the null device rather than raise again."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


class _UnreadStdout:
    """Standard output that, once its reader stops reading (`xieshang load … | head`),
    writes nowhere: the command goes on to its own end and exit code — a load that
    committed exits 0 — instead of failing on the pipe. Output the system will not take
    (a full disk, a closed stdout) raises OutputError once, then writes nowhere."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self._said = False  # that it cannot be written: once, then the rest goes nowhere

    def write(self, text: str) -> int:
        if self._said:
            return len(text)
        try:
            return self._live().write(text)
        except BrokenPipeError:
            _nowhere(self._stream)
            return len(text)
        except OSError as exc:
            raise self._unwritable(exc) from None

    def flush(self) -> None:
        if self._said:
            return
        try:
            self._live().flush()
        except BrokenPipeError:
            _nowhere(self._stream)
        except OSError as exc:
            raise self._unwritable(exc) from None

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def _live(self):
        if self._stream is None:  # file descriptor 1 closed (`>&-`): Python gives None
            raise OSError(errno.EBADF, "it is closed")
        return self._stream

    def _unwritable(self, exc: OSError) -> OutputError:
        """The one line for output the system would not take (a full disk: ENOSPC); what
        is left, and Python's flush at exit (exit 120, two lines of its own), go nowhere."""
        self._said = True
        if self._stream is not None:
            _nowhere(self._stream)
        return cannot_print(exc.strerror or str(exc))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


_QUIET = logging.NullHandler()


class Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`, `timeout`, a service manager's stop), answered as Ctrl-C is: the
    default ended the process at once, silently, a load's failure neither said nor
    recorded."""


def _terminated(_signum, _frame) -> NoReturn:
    raise Terminated


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM raises `Terminated` while a command runs (only the main thread may set a
    handler); the handler before it set again after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error, in one line
    stdout = sys.stdout
    sys.stdout = _UnreadStdout(stdout)
    if not getattr(args, "debug", False):
        # the driver's own warnings (a COPY it could not end once the server cut the
        # connection: "error ignored terminating <psycopg.Copy [BAD] at 0x…>") went to
        # stderr through logging's last resort, before the command's one line
        logging.getLogger("psycopg").addHandler(_QUIET)
    try:
        # a variable set wrongly (the time zone, a limit) is said before any work, as the
        # usage error it is, by every command alike
        try:
            settings.check_environment()
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        with _sigterm_as_interrupt():
            code = HANDLERS[args.command](args)
        sys.stdout.flush()  # a full disk said here in one line, not by Python at exit
        return code
    except BrokenPipeError:  # bytes written past the text layer (status --format csv)
        _nowhere(stdout)
        return 141  # as a shell reports a program its closed pipe ended
    except KeyboardInterrupt:
        if getattr(args, "debug", False):
            traceback.print_exc()
        else:  # a load's transaction was rolled back on the way out
            print("xieshang: 已中断 interrupted: nothing more was done", file=sys.stderr)
        if isinstance(sys.exc_info()[1], Terminated):
            return 143  # as a shell reports a program ended by SIGTERM
        return 130  # as a shell reports a program ended by Ctrl-C
    except Exception as exc:  # noqa: BLE001 — the contract is one line, never a traceback
        code, line = _failure(exc)
        if getattr(args, "debug", False):
            traceback.print_exc()
        else:
            print(f"xieshang: {line}", file=sys.stderr)
        return code
    finally:
        sys.stdout = stdout
