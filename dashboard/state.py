"""The dashboard's state is its address: parse and write the query string (pure functions).

interfaces.md fixes the parameters: `scope` (an area code; default the roster's root),
`from` / `to` (YYYY-MM-DD; default 1 January of the last load day's year to the last load
day), `form`, `category` (vocabulary codes; Chinese labels are accepted too), `online`
(yes/no) and `lang` (zh default, en) — the `State` every page reads. A page may add
options of its own (`PageOption`: the overview's `figure`, the data-quality page's
`superseded`), additions to interfaces.md's list so that a shared link keeps these page
views too; they are not part of `State`, so choosing one changes nothing another part
depends on. An invalid value falls back to its default and yields a `Notice` that the
shell shows (url_sync); nothing here raises on user input.

    state, notices = parse_query("?scope=330281100000&from=2025-01-01", defaults)
    to_query(state)  ->  "?scope=330281100000&from=2025-01-01&to=2025-06-30"

`to_query` always writes scope, from and to (a shared link keeps meaning the same period
after the next load), the optional parameters and page options only when set, and `lang`
only when "en" (last).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from xieshang.contract import settings
from xieshang.contract.columns import lookup_table
from xieshang.metrics.periods import month_end, months_back, months_touched, parse_day
from xieshang.warehouse.codes import CHILD_LEVEL, LEVELS, ancestor_at, is_above, level_of, pad_code

LANGS = ("zh", "en")
PERIODS = ("month", "quarter", "year", "custom")

_YES = {"yes", "y", "true", "1", "是"}
_NO = {"no", "n", "false", "0", "否"}

Options = Mapping[str, str]
"""The page options of an address: name -> text as written there (valid values that are
not the default only)."""


@dataclass(frozen=True)
class Defaults:
    """What an absent or invalid parameter falls back to, from the warehouse.

    `scopes` are the valid scope codes (every roster area); None accepts any well-formed
    code (used only where no roster is at hand). `anchor` is the day the period presets
    count back from: the last load day (or today when nothing is loaded yet).
    """

    scope: str | None
    start: date
    end: date
    scopes: frozenset[str] | None = None

    @property
    def anchor(self) -> date:
        return self.end

    @classmethod
    def build(
        cls,
        root: str | None,
        last_load: date | None,
        scopes=None,
        today: date | None = None,
    ) -> Defaults:
        end = last_load or today or settings.today()
        return cls(
            scope=root,
            start=date(end.year, 1, 1),
            end=end,
            scopes=None if scopes is None else frozenset(scopes),
        )


@dataclass(frozen=True)
class State:
    """One view: scope, period, filters (codes), language."""

    scope: str | None
    start: date
    end: date
    form: str | None = None
    category: str | None = None
    online: bool | None = None
    lang: str = "zh"

    # --- derived ----------------------------------------------------------------------

    def filters(self):
        """The metrics filters of this state (xieshang.metrics.Filters)."""
        from xieshang.metrics import Filters

        return Filters(form=self.form, category=self.category, online=self.online)

    def previous(self) -> tuple[date, date]:
        """The period of equal length just before this one."""
        return previous_period(self.start, self.end)

    def replace(self, **changes) -> State:
        return replace(self, **changes)

    # --- dcc.Store round trip (JSON) ----------------------------------------------------

    def to_store(self) -> dict:
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat()
        return data

    @classmethod
    def from_store(cls, data: dict) -> State:
        values = dict(data)
        values["start"] = date.fromisoformat(values["start"])
        values["end"] = date.fromisoformat(values["end"])
        return cls(**{k: values.get(k) for k in cls.__dataclass_fields__ if k in values})

    @classmethod
    def default(cls, defaults: Defaults, lang: str = "zh") -> State:
        return cls(scope=defaults.scope, start=defaults.start, end=defaults.end, lang=lang)


@dataclass(frozen=True)
class Notice:
    """An invalid parameter that fell back to its default. `reason` is an i18n key
    suffix (see i18n "notice_*"); `value` is what the address said."""

    param: str
    value: str
    reason: str


@dataclass(frozen=True)
class PageOption:
    """A query argument of one page's own (the overview's `figure`), read by that page
    only. The page names it in its `dash.register_page(..., query_options=(...))`; the
    address sync (url_sync) checks it like any parameter (an invalid value falls back to `default` with the
    notice "bad_<name>") and keeps it in the address, written only when not the default.
    Its value travels in an `Options` mapping (`get`, `put`)."""

    name: str
    default: Any
    read: Callable[[str], Any]  # the value a text names; None when it names none
    write: Callable[[Any], str]

    def get(self, options: Options | None) -> Any:
        """This option's value in `options`: its default when absent."""
        text = (options or {}).get(self.name)
        return self.default if text is None else self.read(text)

    def put(self, options: Options | None, value: Any) -> dict[str, str]:
        """`options` with this option set to `value` (left out when the default)."""
        rest = {name: text for name, text in (options or {}).items() if name != self.name}
        return rest if value == self.default else {**rest, self.name: self.write(value)}


# --- parsing ---------------------------------------------------------------------------


def language(text: str | None) -> str:
    """The language an address's `lang` names: "en", else "zh" (parse_query reports an
    invalid one)."""
    return "en" if isinstance(text, str) and text.strip().lower() == "en" else "zh"


def yes_no(text: str) -> bool | None:
    """yes / no (and 是 / 否, true / false, 1 / 0) as a bool; None for anything else."""
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    return None


FIRST_YEAR, LAST_YEAR = 2000, 2999
"""The years a period's days may lie in, from the address or the date picker."""


def period_day(text: str) -> date | None:
    """A period's first or last day as the address writes it (YYYY-MM-DD, in the years
    FIRST_YEAR–LAST_YEAR); None for anything else. The date picker's days are read so
    too: it takes any day typed into it, and year 1 or 9999 has no period before it."""
    day = parse_day(text.strip())
    return day if day is not None and FIRST_YEAR <= day.year <= LAST_YEAR else None


def _vocab(vocab: str, text: str) -> str | None:
    return lookup_table(vocab).get(text.strip().lower())


# the optional parameters, each named as its State field: how its text is read (None:
# invalid, notice "bad_<name>")
_OPTIONAL = {
    "form": lambda text: _vocab("form", text),
    "category": lambda text: _vocab("topic_category", text),
    "online": yes_no,
}


def _given(query: str | None) -> dict[str, str]:
    """The parameters of a query string that have a value: a repeated one takes its first
    value; blank ones (`scope=`) mean "the default" and are left out."""
    params: dict[str, str] = {}
    for name, value in parse_qsl((query or "").lstrip("?"), keep_blank_values=True):
        params.setdefault(name, value)
    return {name: value for name, value in params.items() if value.strip()}


def parse_query(query: str | None, defaults: Defaults) -> tuple[State, tuple[Notice, ...]]:
    """The state an address names, and a notice for every value that fell back.

    Blank values (`scope=`) mean "default" without a notice; unknown parameters (and page
    options: `parse_options`) are ignored here; a repeated parameter takes its first value.
    """
    params = _given(query)
    notices: list[Notice] = []
    state = State.default(defaults)

    if (text := params.get("lang")) is not None:
        if text.strip().lower() in LANGS:
            state = state.replace(lang=text.strip().lower())
        else:
            notices.append(Notice("lang", text, "bad_lang"))

    if (text := params.get("scope")) is not None:
        code = pad_code(text)
        if code is None:
            notices.append(Notice("scope", text, "bad_scope"))
        elif defaults.scopes is not None and code not in defaults.scopes:
            notices.append(Notice("scope", text, "unknown_scope"))
        else:
            state = state.replace(scope=code)

    start, end = defaults.start, defaults.end
    dates_ok = True
    for name in ("from", "to"):
        if (text := params.get(name)) is None:
            continue
        value = period_day(text)
        if value is None:
            notices.append(Notice(name, text, "bad_date"))
            continue
        if name == "from":
            start = value
        else:
            end = value
    if start > end:
        notices.append(Notice("from", f"{start.isoformat()} > {end.isoformat()}", "reversed_dates"))
        dates_ok = False
    if dates_ok:
        state = state.replace(start=start, end=end)

    for name, read in _OPTIONAL.items():
        if (text := params.get(name)) is None:
            continue
        value = read(text)
        if value is None:
            notices.append(Notice(name, text, f"bad_{name}"))
        else:
            state = state.replace(**{name: value})

    return state, tuple(notices)


def parse_options(
    query: str | None, options: Sequence[PageOption]
) -> tuple[dict[str, str], tuple[Notice, ...]]:
    """The page options an address sets (valid and not the default, as `Options`), and a
    notice for every invalid one — as parse_query does for the state's parameters."""
    params = _given(query)
    found: dict[str, str] = {}
    notices: list[Notice] = []
    for option in options:
        if (text := params.get(option.name)) is None:
            continue
        value = option.read(text)
        if value is None:
            notices.append(Notice(option.name, text, f"bad_{option.name}"))
        elif value != option.default:
            found[option.name] = option.write(value)
    return found, tuple(notices)


def to_query(state: State, options: Options | None = None) -> str:
    """The canonical query string of a state and page options
    ("?scope=…&from=…&to=…[&form=…]…[&figure=…]…[&lang=en]"; options in name order)."""
    pairs: list[tuple[str, str]] = []
    if state.scope is not None:
        pairs.append(("scope", state.scope))
    pairs.append(("from", state.start.isoformat()))
    pairs.append(("to", state.end.isoformat()))
    if state.form is not None:
        pairs.append(("form", state.form))
    if state.category is not None:
        pairs.append(("category", state.category))
    if state.online is not None:
        pairs.append(("online", "yes" if state.online else "no"))
    pairs.extend(sorted((options or {}).items()))
    if state.lang != "zh":
        pairs.append(("lang", state.lang))
    return "?" + urlencode(pairs)


# --- periods ---------------------------------------------------------------------------


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of equal length before [start, end]. One that starts on a month's first
    day is as many calendar months before, its days the same: March against February,
    a half-year against the half before, 12月1–7日 against 11月1–7日. Counted in days
    instead, March was compared with 1月29日–2月28日, and the month-based figures
    (常态化率) with a period touching one month more. Any other period: as many days,
    ending the day before `start`."""
    if start.day != 1:
        prev_end = start - timedelta(days=1)
        return prev_end - (end - start), prev_end
    months = months_touched(start, end)
    first = months_back(start, months)
    last = months_back(end, months)
    if end == month_end(end):  # to the month's last day: to the earlier month's
        return first, month_end(last)
    return first, last.replace(day=min(end.day, month_end(last).day))


def period_range(preset: str, anchor: date) -> tuple[date, date]:
    """本月 / 本季度 / 本年 ending on `anchor` (the last load day)."""
    if preset == "month":
        return date(anchor.year, anchor.month, 1), anchor
    if preset == "quarter":
        return date(anchor.year, 3 * ((anchor.month - 1) // 3) + 1, 1), anchor
    if preset == "year":
        return date(anchor.year, 1, 1), anchor
    raise ValueError(f"no range for period preset {preset!r}")


def preset_of(start: date, end: date, anchor: date) -> str:
    """The preset a period is, or "custom"."""
    for preset in ("month", "quarter", "year"):
        if (start, end) == period_range(preset, anchor):
            return preset
    return "custom"


# --- the filter bar ----------------------------------------------------------------------


PICKERS = 3
"""Area pickers in the filter bar: a city's roster needs county, township and village."""
PICKER_NAMES = ("first", "second", "third")


def picker_levels(root: str | None) -> tuple[str, ...]:
    """The levels the pickers choose, top down: those below the root (a county's roster:
    township, village; a city's: county, township, village)."""
    levels: list[str] = []
    level = level_of(root) if root else None
    while len(levels) < PICKERS and (level := CHILD_LEVEL.get(level)) is not None:
        levels.append(level)
    return tuple(levels)


def scope_to_controls(scope: str | None, root: str | None) -> tuple[str | None, ...]:
    """The pickers' values (PICKERS of them) for a scope under `root`: the areas at each
    picker's level on the way to the scope (None where the scope stops)."""
    picked: list[str | None] = [None] * PICKERS
    if scope is None or root is None or not is_above(root, scope):
        return tuple(picked)
    depth = LEVELS.index(level_of(scope))
    for i, level in enumerate(picker_levels(root)):
        if LEVELS.index(level) <= depth:
            picked[i] = ancestor_at(scope, level)
    return tuple(picked)


def controls_to_scope(picked: Sequence[str | None], default: str | None) -> str | None:
    """The scope the pickers name: the lowest one set that lies inside the one above it
    (a stale village under another township stops at the township), else `default`."""
    scope = None
    for code in picked:
        if not code or (scope is not None and not is_above(scope, code)):
            break
        scope = code
    return scope or default


def state_from_controls(
    current: State,
    defaults: Defaults,
    *,
    first: str | None,
    second: str | None,
    third: str | None = None,
    period: str | None,
    start: date | None,
    end: date | None,
    form: str | None,
    category: str | None,
    changed: str | None = None,
) -> State:
    """The state after the user changed one filter control (`changed` names it:
    "first", "second", "third", "period", "dates", "form", "category"; None: take them all).

    Changing an area picker clears those below it; choosing a preset sets its dates;
    editing the dates keeps them as given (a reversed range is put in order).
    """
    picked = [first, second, third]
    if changed in PICKER_NAMES:
        depth = PICKER_NAMES.index(changed) + 1
        picked[depth:] = [None] * (PICKERS - depth)
    scope = controls_to_scope(picked, defaults.scope)
    new_start, new_end = current.start, current.end
    if changed == "period" and period in ("month", "quarter", "year"):
        new_start, new_end = period_range(period, defaults.anchor)
    elif changed in ("dates", None) and start is not None and end is not None:
        new_start, new_end = min(start, end), max(start, end)
    return current.replace(
        scope=scope,
        start=new_start,
        end=new_end,
        form=form or None,
        category=category or None,
    )
