"""`xieshang user add|list|disable|enable|passwd` (interfaces.md "Sign-in and who sees
what"): the dashboard's users, kept in the warehouse (xieshang.access.users). Every change
is in the audit log, made "by" this command and the operating-system user running it."""

from __future__ import annotations

import argparse
import getpass
import sys

from xieshang.access import users
from xieshang.access.passwords import MIN_LENGTH
from xieshang.cli.errors import CommandError, UsageError
from xieshang.cli.text_table import text_table
from xieshang.warehouse.engine import open_warehouse


def _by() -> str:
    try:
        # the command and the login that ran it, in no one language: the audit page shows
        # it as it is to Chinese and English readers
        return f"xieshang user ({getpass.getuser()})"
    except OSError:  # no login name in a bare container
        return "xieshang user"


def _password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or typed twice."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
        if not password:
            raise CommandError("--password-stdin: standard input has no password line")
        return password
    if not sys.stdin.isatty():  # getpass would read the password where anyone sees it
        raise CommandError("no terminal to type a password in; give it with --password-stdin")
    try:
        first = getpass.getpass(f"新密码 new password (at least {MIN_LENGTH} characters): ")
        second = getpass.getpass("再次输入 the same again: ")
    except EOFError:
        raise CommandError("no password typed; or give one with --password-stdin") from None
    if first != second:
        raise CommandError("the two passwords differ; nothing was changed")
    return first


def _list(engine) -> int:
    rows = [["name", "role", "township", "active", "last sign-in"]]
    for account in users.accounts(engine):
        last = account.last_sign_in
        rows.append(
            [
                account.user.name,
                account.user.role,
                account.user.township or "-",
                "yes" if account.active else "no",
                last.isoformat(sep=" ", timespec="seconds") if last else "-",
            ]
        )
    print(text_table(rows))
    return 0


def run(args: argparse.Namespace) -> int:
    engine = open_warehouse(args.db)
    try:
        if args.action == "list":
            return _list(engine)
        if args.action == "add":
            try:  # the role, the township or the name given: the command line's mistake
                users.check_new(engine, args.name, args.role, args.township)
            except users.AccessError as exc:
                raise UsageError(str(exc)) from None
            user = users.add_user(
                engine,
                args.name,
                args.role,
                _password(args.password_stdin),
                args.township,
                by=_by(),
            )
            where = f", township {user.township}" if user.township else ""
            print(f"added {user.name} ({user.role}{where})")
        elif args.action in ("disable", "enable"):
            users.set_active(engine, args.name, args.action == "enable", by=_by())
            print(f"{args.name} {args.action}d")
        else:  # passwd
            if users.account(engine, args.name) is None:
                raise CommandError(f"no user named {args.name!r} (xieshang user list shows them)")
            users.set_password(engine, args.name, _password(args.password_stdin), by=_by())
            print(f"new password set for {args.name}; their open sessions have ended")
        return 0
    finally:
        engine.dispose()
