"""`xieshang serve`: the dashboard on the development server (production: the Procfile)."""

from __future__ import annotations

import argparse
import contextlib
import sys

from xieshang.contract.settings import db_url


def serve(url: str | None, host: str = "127.0.0.1", port: int = 8050) -> int:
    """Serve the dashboard over the warehouse at `url` (None: XIESHANG_DB or the
    embedded default) until interrupted; returns the exit code."""
    from xieshang.dashboard.app import create_app

    resolved = db_url(url)
    app = create_app(resolved)
    print(f"协商治理看板 dashboard: http://{host}:{port}/  (Ctrl+C to stop)", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        app.run(host=host, port=port, debug=False)
    return 0


def run(args: argparse.Namespace) -> int:
    return serve(args.db, args.host, args.port)
