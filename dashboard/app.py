"""The Dash app: `create_app(engine_or_url)`, and `server` for gunicorn.

    gunicorn dashboard.app:server          # the warehouse from XIESHANG_DB / the default
    create_app("sqlite:///w.sqlite").run() # or an Engine

Everything the browser loads comes from this server: Bootstrap's CSS and plotly's zh-CN
locale are vendored in the top-level assets/ folder (see dashboard.paths), Dash serves
its own scripts (serve_locally), and no web fonts are used.
"""

from __future__ import annotations

from dash import Dash, _callback
from sqlalchemy import Engine

from dashboard import data, frame
from dashboard.paths import PAGES_DIR, assets_dir
from xieshang.db import open_warehouse


def _engine(engine_or_url: Engine | str | None) -> Engine:
    if isinstance(engine_or_url, Engine):
        return engine_or_url
    return open_warehouse(engine_or_url)


def create_app(engine_or_url: Engine | str | None = None) -> Dash:
    """A dashboard app over a warehouse (an Engine, a URL, or None for XIESHANG_DB /
    the embedded default)."""
    engine = _engine(engine_or_url)
    _take_global_callbacks(None)
    app = Dash(
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
    )
    _take_global_callbacks(app)
    app.server.config[frame.ENGINE_KEY] = engine
    data.init_cache(app.server)
    app.layout = frame.layout()
    frame.register(app)
    return app


def _take_global_callbacks(app: Dash | None) -> None:
    """Page modules register their callbacks with `dash.callback` into Dash's global
    lists, which the next app to start takes over. Each Dash(use_pages=True) re-imports
    the pages, so with several apps in one process (the tests) an app could get another
    app's copies too. Hand them to `app` right after its pages were imported (None: drop
    leftovers), so each app owns exactly its own."""
    if app is not None:
        for key, value in _callback.GLOBAL_CALLBACK_MAP.items():
            app.callback_map[key] = value
        app._callback_list.extend(_callback.GLOBAL_CALLBACK_LIST)
        app._inline_scripts.extend(_callback.GLOBAL_INLINE_SCRIPTS)
    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_CALLBACK_MAP.clear()
    _callback.GLOBAL_INLINE_SCRIPTS.clear()


_default_app: Dash | None = None


def default_app() -> Dash:
    """The app over the default warehouse, built on first use."""
    global _default_app
    if _default_app is None:
        _default_app = create_app()
    return _default_app


def __getattr__(name: str):
    # `server` is built lazily, so importing this module opens no database
    if name == "server":
        return default_app().server
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["create_app", "default_app", "server"]  # noqa: F822 — server is lazy
