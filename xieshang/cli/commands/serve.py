"""`xieshang serve`: the dashboard on the development server (production: the Procfile).

Sign-in is on unless `--no-auth`: then XIESHANG_SESSION_KEY must be set (the command
refuses to start without it, saying so in one line)."""

from __future__ import annotations

import argparse
import contextlib
import sys

from xieshang.cli.errors import CommandError
from xieshang.contract.settings import db_url


def serve(url: str | None, host: str = "127.0.0.1", port: int = 8050, auth: bool = True) -> int:
    """Serve the dashboard over the warehouse at `url` (None: XIESHANG_DB or the
    embedded default) until interrupted, with sign-in or (auth=False) without; returns
    the exit code."""
    from xieshang.access import users
    from xieshang.dashboard import auth as sign_in
    from xieshang.dashboard.app import create_app
    from xieshang.warehouse.engine import open_warehouse

    if auth:
        try:
            sign_in.settings_from_env()
        except (sign_in.SessionKeyError, ValueError) as exc:
            raise CommandError(str(exc)) from None
    engine = open_warehouse(db_url(url))
    app = create_app(engine, auth=auth)
    if auth and not any(account.active for account in users.accounts(engine)):
        print(
            "no one can sign in yet: add a user with `xieshang user add NAME --role admin`",
            file=sys.stderr,
        )
    state = "sign-in on" if auth else "sign-in OFF (--no-auth)"
    print(
        f"协商治理看板 dashboard: http://{host}:{port}/  ({state}; Ctrl+C to stop)", file=sys.stderr
    )
    with contextlib.suppress(KeyboardInterrupt):
        app.run(host=host, port=port, debug=False)
    return 0


def run(args: argparse.Namespace) -> int:
    return serve(args.db, args.host, args.port, auth=not args.no_auth)
