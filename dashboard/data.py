"""Cached access to the warehouse for the views: the figures (xieshang.metrics), the
quality lists (xieshang.metrics.quality), the assessment and the area directory
(xieshang.metrics.catalog). No SQL here.

Every answer goes through one decorator, `cached`: keyed by the function, the warehouse
URL, a version of the warehouse and every argument that changes the answer — a `State`
by its scope, period and filters, not its language. The version: for the figures and
every answer computed from the data alone (`of_data`), `data_version` — the committed
run that last changed data (the marts record it: a load over an unchanged inbox, the
hourly timer's, keeps it) and the last load's day (the periods' as_of); for what shows
load runs, their files, rejects or held rows (报送情况, the quality lists, the directory),
the latest committed load run, so every committed run shows at once; for the list of
load runs, the latest run of any status, so a failed run shows at once. The cache is
flask-caching's, bound to the app's server by `init_cache`: Redis when
XIESHANG_CACHE_URL names one (every worker and app server then shares each answer; the
version in the key invalidates them all when a load commits), else each process's own
SimpleCache. Every key begins with the build's digest and the settings that change
answers (`configured`); a page's shared answer also names the map's boundary files
(`boundaries`). When Redis cannot be reached the answers are computed, slower,
and Redis is asked again after CACHE_RETRY_SECONDS. Outside a running app (unit tests)
the functions compute directly.

The signed-in user's scope is applied here, beneath every view, callback and download:
before an answer is keyed or computed, a `State`'s scope and an argument named `scope`
become `xieshang.access.scope.effective_scope` of the user (`auth.current_user()`) — a
staff user asking for anything outside their township gets their township's answer,
whatever the page or the request said.

    from xieshang.dashboard import data
    result = data.figures(engine, state)                       # metrics.figures
    rows   = data.figures_by_child(engine, state.replace(scope=parent))
    months = data.monthly_series(engine, state, keys=[...])
    d      = data.directory(engine)   # names, children, root, last load, Defaults
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from flask import Response, current_app, has_app_context
from flask_caching import Cache
from flask_caching.backends import RedisCache
from redis.exceptions import RedisError
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError

from xieshang import metrics
from xieshang.access import User
from xieshang.access.scope import effective_scope
from xieshang.contract import settings
from xieshang.dashboard import auth, errors, geometry
from xieshang.dashboard.paths import assets_dir
from xieshang.dashboard.state import Defaults, State
from xieshang.metrics import assessment as assessments
from xieshang.metrics import catalog, quality, submissions
from xieshang.warehouse import meta
from xieshang.warehouse.codes import LEVELS, ancestor_at, level_of
from xieshang.warehouse.engine import make_engine
from xieshang.warehouse.roster import distinct_names

cache = Cache()
VERSION_SECONDS = 2  # how long the "latest load run" answer is trusted
CACHE_URL_ENV = "XIESHANG_CACHE_URL"
CACHE_RETRY_SECONDS = 30  # after Redis failed, how long answers are computed without it
CACHE_TIMEOUT_SECONDS = 0.25  # Redis on the same network answers in a millisecond or two

T = TypeVar("T")
log = logging.getLogger(__name__)
_unreachable_until = 0.0
_recent: dict[str, tuple[float, object]] = {}  # _trusted_briefly: key → (until, value)


PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@functools.cache
def build(root: str = PACKAGE) -> str:
    """A digest of the code under `root` (this build's): the shared cache's keys begin
    with it, so that answers a server of another release wrote (a rolling restart, an
    upgrade: neither is a load) are never read by this one, whose labels, layout or
    figures may differ."""
    digest = hashlib.sha256()
    for folder, _dirs, files in sorted(os.walk(root, followlinks=True)):
        for name in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, root).encode())
            with open(path, "rb") as code:
                digest.update(code.read())
    return digest.hexdigest()[:12]


def configured(environ: Mapping[str, str] = os.environ) -> str:
    """What a deployment sets that changes answers besides the code: the stakeholder
    threshold (read when the process starts) and the zone times are shown in. Two servers
    of one build set apart, or one restarted with another threshold, share no answers."""
    zone = environ.get(settings.TIMEZONE_ENV, "").strip() or settings.DEFAULT_ZONE
    return f"{metrics.STAKEHOLDER_THRESHOLD}|{zone}"


def cache_config(environ: Mapping[str, str] = os.environ) -> dict:
    """flask-caching's settings: Redis at XIESHANG_CACHE_URL (redis://host:port/db), else
    a SimpleCache of the process's own; the keys begin with this build's digest and the
    deployment's settings that change answers (`configured`)."""
    prefix = f"xieshang:{build()}:{configured(environ)}:"
    common = {"CACHE_DEFAULT_TIMEOUT": 3600, "CACHE_KEY_PREFIX": prefix}
    url = environ.get(CACHE_URL_ENV, "").strip()
    if not url:
        return {**common, "CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 5000}
    return {
        **common,
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": url,
        "CACHE_OPTIONS": {
            "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
            "socket_timeout": CACHE_TIMEOUT_SECONDS,
        },
    }


READ_DB_ENV = "XIESHANG_READ_DB"
REPLICA_KEY = "XIESHANG_REPLICA"  # server.config: (the warehouse's engine, its replica's)
REPLICA_RETRY_SECONDS = 30  # after the replica failed, how long reads go to the primary
REPLICA_CONNECT_SECONDS = 3  # a replica that does not answer: given up on this soon
_replica_down_until = 0.0


def replica_url(url: str) -> str:
    """The replica's URL, with a connect timeout when it names none: a replica whose host
    has gone silent would otherwise hold each request for the system's TCP timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or "connect_timeout" in parsed.query:
        return url
    seconds = str(REPLICA_CONNECT_SECONDS)
    timed = parsed.update_query_dict({"connect_timeout": seconds})
    return timed.render_as_string(hide_password=False)


def init_replica(server, primary: Engine, environ: Mapping[str, str] = os.environ) -> None:
    """Reads of `primary` go to the streaming replica at XIESHANG_READ_DB when that is set
    (docs/deploy.md); everything that writes keeps using `primary`."""
    previous = server.config.pop(REPLICA_KEY, None)
    if previous is not None:
        previous[1].dispose()
    url = environ.get(READ_DB_ENV, "").strip()
    if url:
        server.config[REPLICA_KEY] = (primary, make_engine(replica_url(url)))


def reading(engine: Engine) -> Engine:
    """Where the reads of `engine` go: its replica inside an app that has one (unless it
    failed in the last REPLICA_RETRY_SECONDS), else itself."""
    if has_app_context() and time.monotonic() >= _replica_down_until:
        pair = current_app.config.get(REPLICA_KEY)
        if pair is not None and pair[0] is engine:
            return pair[1]
    return engine


def from_replica(engine: Engine, read: Callable[[Engine], T]) -> T:
    """read(where the reads of `engine` go). When that is the replica and it cannot be
    reached (down, refusing, its connection lost), read(engine) — the primary, which
    holds every load the replica does and more — and the replica is left alone for
    REPLICA_RETRY_SECONDS: the replica spares the primary, the dashboard does not depend
    on it. Every read of one answer goes to one of them, the latest load run of the
    cache key included, so an answer never mixes the primary's load with the replica's."""
    where = reading(engine)
    if where is engine:
        return read(engine)
    try:
        return read(where)
    except (OperationalError, InterfaceError) as exc:
        global _replica_down_until
        _replica_down_until = time.monotonic() + REPLICA_RETRY_SECONDS
        log.warning("the read replica failed (%s); reading the primary", exc.orig)
        return read(engine)


def init_cache(server) -> None:
    cache.init_app(server, config=cache_config())


def _backend():
    # only inside the app: flask-caching keeps the last app it was bound to, so outside
    # one (tests that build an app, then read another warehouse at the same URL) it
    # would answer from that app's cache
    if not has_app_context():
        return None
    try:
        return cache.cache
    except (RuntimeError, AttributeError, KeyError):  # an app without the cache
        return None


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _get_or_compute(
    key: str,
    compute: Callable,
    timeout: int | None = None,
    keep: Callable[[object], bool] = lambda _value: True,
):
    """The cached answer of `key`, else compute() — stored when keep(answer)."""
    backend = _backend()
    if backend is None or time.monotonic() < _unreachable_until:
        return compute()
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    try:
        hit = backend.get(digest)
    except RedisError as exc:
        _unreachable(exc)
        return compute()
    if hit is not None:
        return hit[0]
    value = compute()
    if not keep(value):
        return value
    try:
        backend.set(digest, (value,), timeout=timeout)
    except RedisError as exc:
        _unreachable(exc)
    return value


def _unreachable(exc: Exception) -> None:
    """The cache is a speed-up, never a dependency: answer without it for a while."""
    global _unreachable_until
    _unreachable_until = time.monotonic() + CACHE_RETRY_SECONDS
    log.warning("the figure cache is unreachable (%s); computing without it", exc)


def _trusted_briefly(key: str, compute: Callable[[], T]) -> T:
    """compute(), trusted for VERSION_SECONDS. Every cached answer first asks for the
    latest load: with Redis the process keeps it itself, so one page's dozen callbacks
    (each asking several times) cost one indexed query per process every few seconds
    rather than a Redis round trip each — what a load changes is still seen as soon.
    Without Redis it is kept in the process's own cache, as every answer is."""
    if not isinstance(_backend(), RedisCache):
        return _get_or_compute(key, compute, timeout=VERSION_SECONDS)
    now = time.monotonic()
    hit = _recent.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    _recent[key] = (now + VERSION_SECONDS, value)
    return value


def version(engine: Engine) -> tuple[str | None, date | None]:
    """(run_id, loaded_on) of the latest committed load (trusted for a few seconds)."""
    return from_replica(
        engine,
        lambda where: _trusted_briefly(
            f"version|{_url(where)}", lambda: catalog.data_version(where)
        ),
    )


def _key(value) -> object:
    """What of an argument the cache key holds: of a State what changes an answer (the
    language does not); a sequence as a tuple (`keys=[...]` and `keys=(...)` agree)."""
    if isinstance(value, State):
        return (value.scope, value.start, value.end, value.filters())
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


def _committed_run(engine: Engine) -> str | None:
    return version(engine)[0]


def data_version(engine: Engine) -> tuple[str | None, date | None]:
    """catalog.figures_version (trusted for a few seconds): the committed run that last
    changed data and the last load's day — what the figures depend on besides their
    arguments. A load over an unchanged inbox (the hourly timer's) leaves it as it was."""
    return from_replica(
        engine,
        lambda where: _trusted_briefly(
            f"data-version|{_url(where)}", lambda: catalog.figures_version(where)
        ),
    )


def _in_scope(user: User, name: str, value):
    """An argument with the user's scope applied: a State's scope, or an argument named
    `scope` (the quality lists take one; None is the whole roster)."""
    if isinstance(value, State):
        scope = effective_scope(user, value.scope)
        return value if scope == value.scope else value.replace(scope=scope)
    if name == "scope":
        return effective_scope(user, value)
    return value


def cached(
    compute: Callable[..., T], version_of: Callable[[Engine], object] = _committed_run
) -> Callable[..., T]:
    """`compute(engine, *args, **kwargs)` with the signed-in user's scope applied to its
    arguments, answered from the cache when the warehouse has not been loaded since (see
    the module's docstring for the key; `version_of` replaces the latest committed run in
    it)."""
    name = f"{compute.__module__}.{compute.__qualname__}"
    signature = inspect.signature(compute)

    @functools.wraps(compute)
    def answer(engine: Engine, *args, **kwargs) -> T:
        return from_replica(engine, lambda where: answer_from(where, *args, **kwargs))

    def answer_from(engine: Engine, *args, **kwargs) -> T:
        bound = signature.bind(engine, *args, **kwargs)
        bound.apply_defaults()  # an omitted scope (the whole roster) is clamped too
        user = auth.current_user()
        for parameter, value in list(bound.arguments.items())[1:]:
            bound.arguments[parameter] = _in_scope(user, parameter, value)
        run_id = version_of(engine)
        arguments = [(k, _key(v)) for k, v in list(bound.arguments.items())[1:]]
        key = f"{name}|{_url(engine)}|{run_id}|{arguments!r}"
        return _get_or_compute(key, lambda: compute(*bound.args, **bound.kwargs))

    return answer


def of_data(compute: Callable[..., T]) -> Callable[..., T]:
    """`cached`, keyed by `data_version`: for an answer computed from the warehouse's data
    (its tables and marts, the roster) and the last load's day alone — never from load
    runs, their files, rejects or held rows."""
    return cached(compute, version_of=data_version)


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

    def distinct_name(self, code: str) -> str:
        """The name, led by those above it while another area has the same: 临江县黄坛镇;
        a code not in the roster, as it is."""
        return distinct_names([code], self.names)[code] if code in self.names else code

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


@cached
def directory(engine: Engine) -> Directory:
    rows = catalog.area_directory(engine)
    run_id, _ = catalog.data_version(engine)
    names = {r["area_code"]: r["area_name"] for r in rows}
    levels = {r["area_code"]: r["level"] for r in rows}
    kids: dict[str, list[str]] = {}
    for code in names:  # code order: children lists come out sorted
        # the nearest area above it that the roster has (a level may be missing from it)
        above = reversed(LEVELS[: LEVELS.index(level_of(code))])
        parent = next((p for p in (ancestor_at(code, lv) for lv in above) if p in names), None)
        if parent is not None:
            kids.setdefault(parent, []).append(code)
    return Directory(
        names=names,
        levels=levels,
        root=metrics.root_area(engine),
        last_load=metrics.last_load_day(engine),
        run_id=run_id,
        kids=kids,
        first_day=catalog.first_meeting_day(engine),
    )


@cached
def is_demo(engine: Engine) -> bool:
    """Whether the warehouse is the demo's (xieshang.warehouse.meta)."""
    return meta.is_demo(engine)


# --- figures (for a state: its scope, period and filters) ----------------------------------


@of_data
def figures(engine: Engine, state: State, keys: Sequence[str] | None = None) -> dict:
    """metrics.figures of the state (all figures, or `keys`)."""
    return metrics.figures(engine, state.scope, state.start, state.end, state.filters(), keys=keys)


def previous_figures(engine: Engine, state: State, keys: Sequence[str] | None = None) -> dict:
    """The same figures for the period of equal length just before the state's."""
    start, end = state.previous()
    return figures(engine, state.replace(start=start, end=end), keys=keys)


@of_data
def figures_by_child(engine: Engine, state: State, keys: Sequence[str] | None = None) -> list[dict]:
    """metrics.figures_by_child: one dict per area directly below the state's scope."""
    return metrics.figures_by_child(
        engine, state.scope, state.start, state.end, state.filters(), keys=keys
    )


@of_data
def stakeholder_reach(engine: Engine, state: State, level: str | None = None) -> dict:
    """metrics.stakeholder_reach: meetings reaching each stakeholder category, for the
    scope and each child."""
    return metrics.stakeholder_reach(
        engine, state.scope, state.start, state.end, state.filters(), level=level
    )


@of_data
def monthly_series(engine: Engine, state: State, keys: Sequence[str] | None = None) -> list[dict]:
    """metrics.monthly_series: the figures month by month."""
    return metrics.monthly_series(
        engine, state.scope, state.start, state.end, state.filters(), keys=keys
    )


@of_data
def days_histogram(engine: Engine, state: State) -> list[tuple[int, int]]:
    """metrics.days_to_implement_histogram: (days, n)."""
    return metrics.days_to_implement_histogram(
        engine, state.scope, state.start, state.end, state.filters()
    )


@of_data
def open_due_by_status(engine: Engine, state: State) -> list[dict]:
    """metrics.open_due_by_status of the scope's children."""
    return metrics.open_due_by_status(engine, state.scope, state.start, state.end, state.filters())


@of_data
def assessment(engine: Engine, level: str, state: State) -> assessments.Assessment:
    """The assessment (default weights) of the units of `level` within the state's scope."""
    return assessments.assessment(
        engine, level, state.scope, state.start, state.end, filters=state.filters()
    )


# --- the quality lists (xieshang.metrics.quality, catalog) ----------------------------------


@cached  # keyed by the committed run: it counts held and rejected rows
def quality_summary(engine: Engine, state: State, include_superseded: bool = False) -> dict:
    """quality.summary: the count of every signal for the state, the Party members over
    100 % counted from the page's own list (`party_participation_over_100`), cached."""
    return quality.summary(
        engine,
        state.scope,
        state.start,
        state.end,
        state.filters(),
        include_superseded,
        over_100=party_participation_over_100(engine, state),
    )


@of_data
def party_participation_over_100(engine: Engine, state: State) -> list[dict]:
    return quality.party_participation_over_100(
        engine, state.scope, state.start, state.end, state.filters()
    )


@of_data
def overdue_resolutions(engine: Engine, state: State, limit: int | None = None) -> list[dict]:
    return quality.overdue_resolutions(
        engine, state.scope, state.start, state.end, state.filters(), limit
    )


@of_data
def overdue_count(engine: Engine, state: State) -> int:
    return quality.overdue_count(engine, state.scope, state.start, state.end, state.filters())


# the lists that do not depend on the filters: keyed by their own arguments
resolution_events = of_data(quality.resolution_events)  # from mart_resolution_events
# these show load runs, their files, rejects and held rows: a run that changed no data
# still changes them
submission_status = cached(submissions.submission_status)
held_and_rejected = cached(quality.held_and_rejected)
held_rows = cached(quality.held_rows)
held_count = cached(quality.held_count)
rejected_rows = cached(quality.rejected_rows)
rejected_count = cached(quality.rejected_count)


def latest_run(engine: Engine) -> str | None:
    """The latest load run of any status (trusted for a few seconds): a failed run changes
    no data, so not the data version, but the list of runs must show it at once."""
    return from_replica(
        engine,
        lambda where: _trusted_briefly(
            f"latest-run|{_url(where)}", lambda: catalog.latest_run(where)
        ),
    )


load_runs = cached(catalog.load_runs, version_of=latest_run)


# --- whole callback answers ------------------------------------------------------------------


def boundaries() -> str:
    """The map's boundary files as they are now (assets/geo: the townships', a city's
    counties'), each by its content's digest: the overview's and the big screen's answers
    draw them, and an admin may drop in real ones while the servers run."""
    return ",".join(
        _digest(str(path), *_stamp(path))
        for path in (assets_dir() / geometry.DEFAULT_FILE, assets_dir() / geometry.COUNTY_FILE)
    )


def _stamp(path) -> tuple[int, int]:
    try:
        stat = os.stat(path)
    except OSError:
        return -1, -1
    return stat.st_size, stat.st_mtime_ns


@functools.lru_cache(maxsize=8)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    """A file's content digest, read again only when its size or time changes; "-" for no
    file. By content, not time: servers with copies of one file share its answers."""
    if size < 0:
        return "-"
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()[:12]
    except OSError:
        return "-"


def callback_answer(
    engine: Engine, request_key: str, respond: Callable[[], Response], shows_runs: bool = True
) -> Response:
    """A callback's answer (Dash's JSON response), shared like the figures: computed once
    for the request's `request_key` (what the browser sent that the answer depends on:
    the callback, its inputs and states, the page's language), the signed-in user's scope
    (role and township: what `effective_scope` reads), the latest committed and latest
    run — or, for an answer that `shows_runs` nothing of load runs, their files, rejects
    or held rows, the `data_version` alone, so that a load changing no data keeps it —,
    the map's boundary files (`boundaries`) and the day (periods and file names read it);
    then read back by every worker.
    Building a chart's figure costs many times reading its numbers from the cache. Only a
    plain 200 is kept: not PreventUpdate's 204, nor an answer carrying the error notice
    (`sideUpdate`: its error id belongs to one failure), nor one showing a part's failure
    in its place (`errors.reported_here`: the failure may pass — marts stale until a
    rebuild, a connection lost — and the next request must try again). Only with the shared cache
    (Redis): a single process of its own (a laptop) computes every answer, as before."""
    if not isinstance(_backend(), RedisCache):
        return respond()
    user = auth.current_user()
    loads = f"{_committed_run(engine)}|{latest_run(engine)}" if shows_runs else data_version(engine)
    key = (
        f"answer|{_url(engine)}|{loads}|{boundaries()}|"
        f"{settings.today().isoformat()}|{user.role}|{user.township}|{request_key}"
    )

    fresh: list[Response] = []

    def compute() -> bytes | None:
        fresh.append(respond())
        answer = fresh[0]
        if answer.status_code != 200 or answer.direct_passthrough or errors.reported_here():
            return None  # an error notice in place of a part: its failure may be passing
        body = answer.get_data()
        return None if b'"sideUpdate"' in body else body

    body = _get_or_compute(key, compute, keep=lambda kept: kept is not None)
    if fresh:  # computed here: Dash's own response, whatever it is
        return fresh[0]
    return Response(body, 200, content_type="application/json")  # as Dash writes it
