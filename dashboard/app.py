"""The Dash app: `create_app(engine_or_url, auth=False)`, and `server` for gunicorn.

    gunicorn xieshang.dashboard.app:server          # the warehouse from XIESHANG_DB / the
                                                    # default, sign-in on (XIESHANG_SESSION_KEY)
    create_app("sqlite:///w.sqlite").run() # or an Engine; sign-in off unless auth=True

Everything the browser loads comes from this server: Bootstrap's CSS and plotly's zh-CN
locale are vendored in the top-level assets/ folder (see xieshang.dashboard.paths), Dash serves
its own scripts (serve_locally), and no web fonts are used.
"""

from __future__ import annotations

import functools

from dash import Dash
from flask import Flask, Response, request
from flask_compress import Compress
from flask_compress.flask_compress import _choose_algorithm
from sqlalchemy import Engine

from xieshang.contract import settings
from xieshang.dashboard import auth as sign_in
from xieshang.dashboard import (
    chart_cards,
    data,
    downloads,
    hardening,
    proxies,
    shell,
    submissions,
    url_sync,
)
from xieshang.dashboard.page_kit import ENGINE_KEY, engine
from xieshang.dashboard.paths import PAGES_DIR, assets_dir
from xieshang.dashboard.state import language
from xieshang.warehouse.engine import open_warehouse


def _engine(engine_or_url: Engine | str | None) -> Engine:
    if isinstance(engine_or_url, Engine):
        return engine_or_url
    return open_warehouse(engine_or_url)


_app: Dash | None = None


def create_app(engine_or_url: Engine | str | None = None, auth: bool = False) -> Dash:
    """The dashboard over a warehouse (an Engine, a URL, or None for XIESHANG_DB / the
    embedded default), with sign-in (`auth=True`: dashboard.auth; SessionKeyError without
    XIESHANG_SESSION_KEY) or without (the default: every page then says so in a banner);
    behind XIESHANG_TRUSTED_PROXIES reverse proxies (dashboard.proxies) when that is set.

    Dash Pages registers the pages' callbacks process-wide (`dash.callback`), and the
    first app set up takes them all, so a process holds one app: the first call builds
    it, a later call (the tests, one warehouse after another) points it at the new
    warehouse and returns it."""
    global _app
    settings.check_environment()
    warehouse = _engine(engine_or_url)
    fresh = _app is None
    if fresh:
        _app = _build()
    sign_in.configure(_app.server, auth)
    proxies.configure(_app.server)
    _app.server.config[ENGINE_KEY] = warehouse
    data.init_replica(_app.server, warehouse)
    if fresh:
        _finish_setup(_app)
    return _app


def _finish_setup(app: Dash) -> None:
    """Dash finishes setting itself up (which script files it serves, the callbacks of
    the pages) during its first request, and marks that done before it is: the other
    first requests of a threaded worker — a browser's dozen script files just after a
    restart — find it half done and get 404 or 500, a blank page. One request made here,
    before the server takes any, does it whole."""
    app.server.test_client().get("/_dash-dependencies")


def _component_files_once(server: Flask) -> None:
    """Dash answers a request for one of its unfingerprinted script files — plotly.js
    (4.6 MB), loaded by every page visit that draws a chart, and the components' other
    lazy chunks — by reading the whole file and hashing it for its ETag, even when the
    browser's copy is current (304, nearly always). Installed files do not change under a
    running process: each is read and hashed once, through Dash's own view, and answered
    from memory as Dash answers it (200 with the ETag, or 304)."""
    endpoint = next(
        rule.endpoint
        for rule in server.url_map.iter_rules()
        if "_dash-component-suites" in rule.rule
    )
    serve = server.view_functions[endpoint]
    files: dict[tuple[str, str], tuple[bytes, str, str]] = {}  # → (content, ETag, mimetype)

    @functools.wraps(serve)
    def from_memory(package_name: str, fingerprinted_path: str) -> Response:
        key = (package_name, fingerprinted_path)
        if key not in files:
            with server.test_request_context(request.path):  # no If-None-Match: the file
                whole = serve(package_name=package_name, fingerprinted_path=fingerprinted_path)
            tag = whole.get_etag()[0]
            if whole.status_code != 200 or not tag:  # fingerprinted: browsers keep it a year
                return serve(package_name=package_name, fingerprinted_path=fingerprinted_path)
            files[key] = (whole.get_data(), tag, whole.mimetype)
        content, tag, mimetype = files[key]
        sent = request.headers.get("If-None-Match")
        if sent == f'"{tag}"':
            return Response(None, status=304)  # as Dash answers it
        # a client that asks for no encoding has no encoded tag (None), nor sends one
        if sent is not None and sent == _encoded_tag(server, tag):
            current = Response(None, status=304)  # as flask-compress answers it
            current.headers["ETag"] = sent
            return current
        response = Response(content, mimetype=mimetype)
        response.set_etag(tag)
        return response

    server.view_functions[endpoint] = from_memory


def _encoded_tag(server: Flask, tag: str) -> str | None:
    """The file's ETag as flask-compress rewrites it for the encoding it chooses for this
    request ("tag:zstd"); a browser sending it back gets 304 from flask-compress — but
    only after the whole file has been compressed again."""
    compress = next(
        (
            f.__self__
            for f in server.after_request_funcs.get(None, [])
            if isinstance(getattr(f, "__self__", None), Compress)
        ),
        None,
    )
    accept = request.headers.get("Accept-Encoding", "")
    encoding = _choose_algorithm(compress.enabled_algorithms, accept) if compress else None
    return f'"{tag}:{encoding}"' if encoding else None


class _Dashboard(Dash):
    """Dash whose page names its language in `<html lang>`, as the sign-in page does: a
    screen reader chooses its voice, and the browser its fonts, by it."""

    def interpolate_index(self, **kwargs) -> str:
        page = super().interpolate_index(**kwargs)
        code = "en" if language(request.args.get("lang")) == "en" else "zh-CN"
        return page.replace("<html>", f'<html lang="{code}">', 1)


def _build() -> Dash:
    app = _Dashboard(
        __name__,
        use_pages=True,
        pages_folder=str(PAGES_DIR),
        assets_folder=str(assets_dir()),
        external_stylesheets=[],
        external_scripts=[],
        serve_locally=True,
        compress=True,  # gzip: plotly.js alone is ~3 MB uncompressed
        suppress_callback_exceptions=True,
        title="协商治理看板",
        update_title=None,
        include_pages_meta=False,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        on_error=hardening.callback_failed,
    )
    data.init_cache(app.server)
    _component_files_once(app.server)
    app.layout = shell.layout  # a function: the shell of each page load, in its language
    shell.register(app)
    url_sync.register(app)
    chart_cards.register(app)
    sign_in.install(app.server, engine)
    downloads.install(app.server)
    submissions.install(app.server)
    hardening.install(app)
    return app


def default_app() -> Dash:
    """The app over the default warehouse, with sign-in, built on first use."""
    return _app if _app is not None else create_app(auth=True)


def __getattr__(name: str):
    # `server` is built lazily, so importing this module opens no database
    if name == "server":
        return default_app().server
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["create_app", "default_app", "server"]  # noqa: F822 — server is lazy
