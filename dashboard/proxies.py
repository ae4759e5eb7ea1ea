"""Client addresses behind a reverse proxy: with `XIESHANG_TRUSTED_PROXIES=N` (the number
of proxies in front of the server, e.g. 1 for nginx), werkzeug's ProxyFix takes the
client's address and scheme from the last N entries of `X-Forwarded-For` and `-Proto`,
so that the audit log and the sign-in throttling see each client rather than the proxy.
Unset (the default), those headers are ignored: anyone could write them. The host is
always the request's own Host, which the proxy sets (`proxy_set_header Host $host`):
a proxy that does not also write `X-Forwarded-Host` would pass on the client's own."""

from __future__ import annotations

import os
from collections.abc import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

TRUSTED_PROXIES_ENV = "XIESHANG_TRUSTED_PROXIES"
_DIRECT = "xieshang_direct_wsgi_app"  # server.extensions: the app without ProxyFix


def trusted_proxies(environ: Mapping[str, str] = os.environ) -> int:
    """How many proxies the setting names (0 when unset); ValueError for anything but a
    whole number."""
    text = environ.get(TRUSTED_PROXIES_ENV, "").strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()):
        raise ValueError(
            f"{TRUSTED_PROXIES_ENV}={text!r} must be the number of reverse proxies in front "
            "of the dashboard (e.g. 1), or unset"
        )
    return int(text)


def configure(server: Flask, environ: Mapping[str, str] = os.environ) -> None:
    """Put ProxyFix in front of the server for the proxies the setting names, or take it
    away (each create_app: the setting may have changed)."""
    direct = server.extensions.setdefault(_DIRECT, server.wsgi_app)
    count = trusted_proxies(environ)
    server.wsgi_app = ProxyFix(direct, x_for=count, x_proto=count) if count else direct
