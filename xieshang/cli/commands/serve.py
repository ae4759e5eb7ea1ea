"""`xieshang serve`: the dashboard on the development server (production: the Procfile).

Sign-in is on unless `--no-auth`: then XIESHANG_SESSION_KEY must be set (the command
refuses to start without it, saying so in one line)."""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys

from xieshang.cli.errors import CommandError
from xieshang.contract.settings import db_url


def _check_listen(host: str, port: int) -> None:
    """CommandError, in one line, when the server could not listen at host:port (the port
    taken, a host that is no address of this machine): the development server would say
    so in several lines of its own."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            probe.bind(address)
    except OSError as exc:
        raise CommandError(
            f"cannot serve at {host}:{port}: {exc.strerror or exc}; "
            "give another --port, or a --host that is an address of this machine"
        ) from None


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
        except sign_in.SessionKeyError as exc:
            raise CommandError(str(exc)) from None
    _check_listen(host, port)
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
