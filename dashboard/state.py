"""The dashboard's state is its address: parse and write the query string (pure functions).

interfaces.md fixes the parameters: `scope` (an area code; default the roster's root),
`from` / `to` (YYYY-MM-DD; default 1 January of the last load day's year to the last load
day), `form`, `category` (vocabulary codes; Chinese labels are accepted too), `online`
(yes/no), `lang` (zh default, en), and `figure` — the figure the overview's map and
ranking show (one of MAP_FIGURES; default implementation_rate) and `superseded` (yes/no:
the data-quality page also lists rejects superseded by a resubmitted file) — additions
to interfaces.md's list so that a shared link keeps these page views too. An invalid value falls back to its default and yields a
`Notice` that the frame shows; nothing here raises on user input.

    state, notices = parse_query("?scope=330281100000&from=2025-01-01", defaults)
    to_query(state)  ->  "?scope=330281100000&from=2025-01-01&to=2025-06-30"

`to_query` always writes scope, from and to (a shared link keeps meaning the same period
after the next load) and the optional parameters only when set; `lang` only when "en".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlencode

from xieshang.contract.columns import lookup_table

LANGS = ("zh", "en")
PARAMS = ("scope", "from", "to", "form", "category", "online", "figure", "superseded", "lang")
PERIODS = ("month", "quarter", "year", "custom")

MAP_FIGURES: tuple[str, ...] = (
    "implementation_rate",
    "party_participation_rate",
    "stakeholder_coverage",
    "regularity",
    "on_time_rate",
    "party_led_rate",
    "meetings",
    "overdue_open",
)
DEFAULT_FIGURE = MAP_FIGURES[0]

_YES = {"yes", "y", "true", "1", "是"}
_NO = {"no", "n", "false", "0", "否"}


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
        end = last_load or today or date.today()
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
    figure: str = DEFAULT_FIGURE
    superseded: bool = False  # 数据质量: also list rejects a resubmitted file superseded

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


PAGE_OPTIONS = ("figure", "superseded")


def without_page_options(state: State) -> dict:
    """The store of a state without the options of one page's view (the overview's
    figure, the data-quality switch): what the parts that show neither depend on."""
    store = state.to_store()
    for name in PAGE_OPTIONS:
        del store[name]
    return store


# --- parsing ---------------------------------------------------------------------------


def _code(text: str) -> str | None:
    """A 12-digit area code from 6, 9 or 12 digits, else None."""
    text = text.strip()
    if not text.isdigit() or len(text) not in (6, 9, 12):
        return None
    return text.ljust(12, "0")


def _date(text: str) -> date | None:
    text = text.strip()
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _vocab(vocab: str, text: str) -> str | None:
    return lookup_table(vocab).get(text.strip().lower())


def _yes_no(text: str) -> bool | None:
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    return None


def _figure(text: str) -> str | None:
    return text.strip() if text.strip() in MAP_FIGURES else None


# the optional parameters, each named as its State field: how its text is read (None:
# invalid, notice "bad_<name>")
_OPTIONAL = {
    "form": lambda text: _vocab("form", text),
    "category": lambda text: _vocab("topic_category", text),
    "online": _yes_no,
    "figure": _figure,
    "superseded": _yes_no,
}


def parse_query(query: str | None, defaults: Defaults) -> tuple[State, tuple[Notice, ...]]:
    """The state an address names, and a notice for every value that fell back.

    Blank values (`scope=`) mean "default" without a notice; unknown parameters are
    ignored; a repeated parameter takes its first value.
    """
    params: dict[str, str] = {}
    for name, value in parse_qsl((query or "").lstrip("?"), keep_blank_values=True):
        params.setdefault(name, value)
    notices: list[Notice] = []
    state = State.default(defaults)

    def given(name: str) -> str | None:
        value = params.get(name)
        return value if value is not None and value.strip() else None

    if (text := given("lang")) is not None:
        if text.strip().lower() in LANGS:
            state = state.replace(lang=text.strip().lower())
        else:
            notices.append(Notice("lang", text, "bad_lang"))

    if (text := given("scope")) is not None:
        code = _code(text)
        if code is None:
            notices.append(Notice("scope", text, "bad_scope"))
        elif defaults.scopes is not None and code not in defaults.scopes:
            notices.append(Notice("scope", text, "unknown_scope"))
        else:
            state = state.replace(scope=code)

    start, end = defaults.start, defaults.end
    dates_ok = True
    for name in ("from", "to"):
        if (text := given(name)) is None:
            continue
        value = _date(text)
        if value is None or value.year < 2000 or value.year > 2999:
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
        if (text := given(name)) is None:
            continue
        value = read(text)
        if value is None:
            notices.append(Notice(name, text, f"bad_{name}"))
        else:
            state = state.replace(**{name: value})

    return state, tuple(notices)


def to_query(state: State) -> str:
    """The canonical query string of a state ("?scope=…&from=…&to=…[&form=…]…")."""
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
    if state.figure != DEFAULT_FIGURE:
        pairs.append(("figure", state.figure))
    if state.superseded:
        pairs.append(("superseded", "yes"))
    if state.lang != "zh":
        pairs.append(("lang", state.lang))
    return "?" + urlencode(pairs)


# --- periods ---------------------------------------------------------------------------


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of equal length (in days) that ends the day before `start`."""
    prev_end = start - timedelta(days=1)
    return prev_end - (end - start), prev_end


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


def level_width(code: str) -> int:
    """Digits of a code that name its own area (4 city, 6 county, 9 township, 12 village)."""
    if code[4:] == "00000000":
        return 4
    if code[6:] == "000000":
        return 6
    if code[9:] == "000":
        return 9
    return 12


_NEXT_WIDTH = {4: 6, 6: 9, 9: 12}


def _ancestor(code: str, width: int) -> str:
    return code[:width].ljust(12, "0")


def scope_to_controls(scope: str | None, root: str | None) -> tuple[str | None, str | None]:
    """(first dropdown, second dropdown) values for a scope under `root`: the areas one
    and two levels below the root on the way to the scope (None where the scope stops)."""
    if scope is None or root is None:
        return None, None
    w0 = level_width(root)
    w1 = _NEXT_WIDTH.get(w0)
    if w1 is None or level_width(scope) < w1 or scope[:w0] != root[:w0]:
        return None, None
    first = _ancestor(scope, w1)
    w2 = _NEXT_WIDTH.get(w1)
    second = _ancestor(scope, w2) if w2 is not None and level_width(scope) >= w2 else None
    return first, second


def controls_to_scope(first: str | None, second: str | None, root: str | None) -> str | None:
    """The scope the two dropdowns name: the second if set, else the first, else root."""
    if second and first and second.startswith(first[: level_width(first)]):
        return second
    if first:
        return first
    return root


def state_from_controls(
    current: State,
    defaults: Defaults,
    *,
    first: str | None,
    second: str | None,
    period: str | None,
    start: date | None,
    end: date | None,
    form: str | None,
    category: str | None,
    changed: str | None = None,
) -> State:
    """The state after the user changed one filter control (`changed` names it:
    "first", "second", "period", "dates", "form", "category"; None: take them all).

    Changing the first dropdown clears the second; choosing a preset sets its dates;
    editing the dates keeps them as given (a reversed range is put in order).
    """
    if changed == "first":
        second = None
    scope = controls_to_scope(first, second, defaults.scope)
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
