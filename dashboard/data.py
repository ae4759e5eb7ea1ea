"""Cached access to the warehouse for pages: the figures (xieshang.metrics) and the area
directory (xieshang.metrics.catalog). No SQL here.

Every cached answer is keyed by the warehouse URL, the latest committed load run (so a
new load invalidates everything at once) and every argument that changes the answer.
The cache is flask-caching's SimpleCache, bound to the app's server by `init_cache`;
outside a running app (unit tests) the functions compute directly.

    from xieshang.dashboard import data
    result = data.figures(engine, state)                       # metrics.figures
    rows   = data.figures_by_child(engine, state)              # one dict per child area
    months = data.monthly_series(engine, state, keys=[...])
    d      = data.directory(engine)   # names, children, root, last load, Defaults
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_caching import Cache
from sqlalchemy import Engine

from xieshang import metrics
from xieshang.dashboard.state import Defaults, State, level_width
from xieshang.metrics import catalog

cache = Cache()
VERSION_SECONDS = 2  # how long the "latest load run" answer is trusted


def init_cache(server) -> None:
    cache.init_app(
        server,
        config={
            "CACHE_TYPE": "SimpleCache",
            "CACHE_DEFAULT_TIMEOUT": 3600,
            "CACHE_THRESHOLD": 5000,
        },
    )


def _backend():
    try:
        return cache.cache
    except (RuntimeError, AttributeError, KeyError):  # no app: compute directly
        return None


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _get_or_compute(key: str, compute: Callable, timeout: int | None = None):
    backend = _backend()
    if backend is None:
        return compute()
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    hit = backend.get(digest)
    if hit is not None:
        return hit[0]
    value = compute()
    backend.set(digest, (value,), timeout=timeout)
    return value


def version(engine: Engine) -> tuple[str | None, date | None]:
    """(run_id, loaded_on) of the latest committed load (trusted for a few seconds)."""
    return _get_or_compute(
        f"version|{_url(engine)}",
        lambda: catalog.data_version(engine),
        timeout=VERSION_SECONDS,
    )


def memo(name: str, engine: Engine, args: tuple, compute: Callable):
    """`compute()` cached under (name, warehouse, latest load run, args)."""
    run_id, _ = version(engine)
    return _get_or_compute(f"{name}|{_url(engine)}|{run_id}|{args!r}", compute)


# --- the area directory ------------------------------------------------------------------


@dataclass(frozen=True)
class Directory:
    """The roster as the filter bar needs it, plus the data's freshness."""

    names: dict[str, str]
    levels: dict[str, str]
    root: str | None
    last_load: date | None
    run_id: str | None
    kids: dict[str, list[str]] = field(default_factory=dict)
    first_day: date | None = None  # the earliest meeting: where the data begin

    def name(self, code: str | None) -> str:
        if code is None:
            return ""
        return self.names.get(code, code)

    def children(self, code: str | None) -> list[tuple[str, str]]:
        """(code, name) of the areas directly below `code` in the roster."""
        if code is None:
            return []
        return [(c, self.names[c]) for c in self.kids.get(code, [])]

    def parent(self, code: str) -> str | None:
        for parent, kids in self.kids.items():
            if code in kids:
                return parent
        return None

    def defaults(self, today: date | None = None) -> Defaults:
        return Defaults.build(self.root, self.last_load, self.names.keys(), today=today)

    @property
    def empty(self) -> bool:
        return self.root is None


def _build_directory(engine: Engine) -> Directory:
    rows = catalog.area_directory(engine)
    run_id, _ = catalog.data_version(engine)
    names = {r["area_code"]: r["area_name"] for r in rows}
    levels = {r["area_code"]: r["level"] for r in rows}
    kids: dict[str, list[str]] = {}
    for code in names:  # code order: children lists come out sorted
        width = level_width(code)
        for parent_width in (9, 6, 4):
            if parent_width < width:
                parent = code[:parent_width].ljust(12, "0")
                if parent in names and parent != code:
                    kids.setdefault(parent, []).append(code)
                    break
    return Directory(
        names=names,
        levels=levels,
        root=metrics.root_area(engine),
        last_load=metrics.last_load_day(engine),
        run_id=run_id,
        kids=kids,
        first_day=catalog.first_meeting_day(engine),
    )


def directory(engine: Engine) -> Directory:
    return memo("directory", engine, (), lambda: _build_directory(engine))


# --- figures -------------------------------------------------------------------------------


def _filters_key(state: State) -> tuple:
    return (state.form, state.category, state.online)


def figures(
    engine: Engine,
    state: State,
    *,
    scope: str | None = None,
    start: date | None = None,
    end: date | None = None,
    keys: Sequence[str] | None = None,
) -> dict:
    """metrics.figures for the state (or another scope / period with the same filters)."""
    scope = scope or state.scope
    start = start or state.start
    end = end or state.end
    keys = tuple(keys) if keys is not None else None
    return memo(
        "figures",
        engine,
        (scope, start, end, _filters_key(state), keys),
        lambda: metrics.figures(engine, scope, start, end, state.filters(), keys=keys),
    )


def previous_figures(engine: Engine, state: State, keys: Sequence[str] | None = None) -> dict:
    """The same figures for the period of equal length just before the state's."""
    start, end = state.previous()
    return figures(engine, state, start=start, end=end, keys=keys)


def figures_by_child(
    engine: Engine,
    state: State,
    *,
    scope: str | None = None,
    keys: Sequence[str] | None = None,
) -> list[dict]:
    scope = scope or state.scope
    keys = tuple(keys) if keys is not None else None
    return memo(
        "by_child",
        engine,
        (scope, state.start, state.end, _filters_key(state), keys),
        lambda: metrics.figures_by_child(
            engine, scope, state.start, state.end, state.filters(), keys=keys
        ),
    )


def stakeholder_reach(
    engine: Engine,
    state: State,
    *,
    scope: str | None = None,
    level: str | None = None,
) -> dict:
    """metrics.stakeholder_reach for the state (or another scope): meetings reaching each
    stakeholder category, for the scope and each child."""
    scope = scope or state.scope
    return memo(
        "reach",
        engine,
        (scope, state.start, state.end, _filters_key(state), level),
        lambda: metrics.stakeholder_reach(
            engine, scope, state.start, state.end, state.filters(), level=level
        ),
    )


def monthly_series(
    engine: Engine,
    state: State,
    *,
    scope: str | None = None,
    keys: Sequence[str] | None = None,
) -> list[dict]:
    scope = scope or state.scope
    keys = tuple(keys) if keys is not None else None
    return memo(
        "monthly",
        engine,
        (scope, state.start, state.end, _filters_key(state), keys),
        lambda: metrics.monthly_series(
            engine, scope, state.start, state.end, state.filters(), keys=keys
        ),
    )


def days_histogram(
    engine: Engine, state: State, *, scope: str | None = None
) -> list[tuple[int, int]]:
    """metrics.days_to_implement_histogram for the state (or another scope): (days, n)."""
    scope = scope or state.scope
    return memo(
        "days_histogram",
        engine,
        (scope, state.start, state.end, _filters_key(state)),
        lambda: metrics.days_to_implement_histogram(
            engine, scope, state.start, state.end, state.filters()
        ),
    )


def open_due_by_status(engine: Engine, state: State, *, scope: str | None = None) -> list[dict]:
    """metrics.open_due_by_status of the scope's children for the state."""
    scope = scope or state.scope
    return memo(
        "open_by_status",
        engine,
        (scope, state.start, state.end, _filters_key(state)),
        lambda: metrics.open_due_by_status(engine, scope, state.start, state.end, state.filters()),
    )


def is_demo(engine: Engine) -> bool:
    """Whether the warehouse is the demo's (xieshang.warehouse.meta)."""
    from xieshang.warehouse.meta import is_demo as _is_demo

    return memo("demo", engine, (), lambda: _is_demo(engine))
