"""The monthly brief (工作简报) of a scope as data: its facts, read from xieshang.metrics,
and the Chinese sentences that tell them. The PDF and the Word file (xieshang.brief.pdf,
xieshang.brief.word) lay out the same `Brief`, so both say the same thing.

The month is a period of its own — its first to its last day, read on as_of as every
figure is — so its figures are exactly `xieshang kpi --from <first> --to <last>` for the
scope; the change is against the calendar month before, unless that month begins before
the data do (a change against nothing would be a false alarm). Units are ranked by the
assessment score of metrics.md over the same month; the overdue resolutions are aged as
the 决议落实 page ages them; the data-quality notes are the month's 报送情况 and the
scope's rejected and held rows.

    brief = build_brief(engine, "330281000000", "2025-06")
    brief.figures["implementation_rate"]   # == metrics.kpi_json(...)["implementation_rate"]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine

from xieshang import metrics
from xieshang.brief.numbers import basis, change, day_label, month_label, shown
from xieshang.contract import settings
from xieshang.metrics import quality
from xieshang.metrics.assessment import DEFAULT_WEIGHTS, assessment, round_score
from xieshang.metrics.catalog import first_meeting_day
from xieshang.metrics.definitions import RECORDS
from xieshang.metrics.periods import month_end, months_back
from xieshang.metrics.submissions import GRID_KINDS, Status, parse_month, submission_status
from xieshang.warehouse.codes import CHILD_LEVEL, ancestor_at, level_of

TREND_MONTHS = 12
"""How many months the trend charts show, the brief's month last."""

NAMED = 3
"""Units named at the top and at the bottom of the ranking, and overdue-heavy units."""

LIST_LIMIT = 10
"""Names a sentence lists before it says "等N个"."""

OVERDUE_BUCKETS: tuple[tuple[int | None, str], ...] = (
    (30, "逾期30天以内"),
    (90, "逾期31–90天"),
    (None, "逾期90天以上"),
)
"""Days late, as the 决议落实 page ages the overdue list (≤30 / 31–90 / >90 days)."""

UNIT_WORDS: dict[str, str] = {
    "county": "县（市、区）",
    "township": "乡镇（街道）",
    "village": "村（社区）",
}
KIND_WORDS: dict[str, str] = {"meetings": "会议", "attendance": "签到", "resolutions": "决议"}
SECTIONS: dict[str, str] = {
    "figures": "主要指标",
    "units": "单位排名",
    "overdue": "逾期未落实决议",
    "quality": "数据质量",
}
NUMERALS = "一二三四五六"
TABLE_HEADER: tuple[str, ...] = ("指标", "本月", "上月", "较上月", "依据")


class NoBrief(ValueError):
    """No brief can be made for that month: the warehouse has no meetings, or the month
    lies before the data or after the last load. The message says which, and what to do."""


@dataclass(frozen=True)
class Row:
    """One line of the figures table."""

    key: str
    label: str
    value: int | float | None
    shown: str
    previous: str
    change: str
    tone: str
    basis: str


@dataclass(frozen=True)
class Unit:
    """A child unit in the ranking: its rank and its score as shown (one decimal)."""

    code: str
    name: str
    rank: int
    score: float
    meetings: int
    overdue_open: int
    sent: str = "received"  # its meetings ledger's 报送情况 this month (missing, rejected…)


@dataclass(frozen=True)
class Brief:
    """Everything a brief says. `figures` / `previous` are metrics.figures of the month
    and of the month before (None when not compared); `trend` one dict per month (month
    "YYYY-MM", meetings, implementation_rate, implemented, resolutions_due, partial)."""

    scope: str
    scope_name: str
    level: str
    month: str
    start: date
    end: date
    as_of: date
    made_on: date
    title: str
    cover: str
    figures: dict
    previous: dict | None
    rows: tuple[Row, ...]
    summary: str
    unit_word: str | None
    ranking: tuple[Unit, ...]  # none when the brief does not rank the units (units_text)
    units_text: tuple[str, ...]
    overdue: tuple[tuple[str, int], ...]
    overdue_text: str
    quality_text: tuple[str, ...]
    trend: tuple[dict, ...]

    def filename(self, extension: str) -> str:
        """ "清河县-工作简报-2025年6月.pdf"."""
        return f"{self.scope_name}-工作简报-{month_label(self.start)}.{extension}"

    def headings(self) -> list[tuple[str, str]]:
        """(section key, numbered heading) in the order both renderings show them; a
        village's brief has no ranking."""
        keys = [k for k in SECTIONS if k != "units" or self.units_text]
        return [(k, f"{NUMERALS[i]}、{SECTIONS[k]}") for i, k in enumerate(keys)]

    @property
    def previous_note(self) -> str:
        """Why the month is not compared with the one before, or ""."""
        if self.previous is not None:
            return ""
        before = month_label(months_back(self.start, 1))
        return f"{before}早于数据起始，“上月”“较上月”两栏不作比较。"


# --- the month and the data ---------------------------------------------------------------------------------


def _as_date(value) -> date | None:
    # SQLite may hand an aggregate's date back as text
    return date.fromisoformat(value) if isinstance(value, str) else value


def data_months(engine: Engine) -> tuple[date, date]:
    """(first day of the first month with a meeting, the last load day); NoBrief when the
    warehouse has no meetings yet."""
    first = _as_date(first_meeting_day(engine))
    last = _as_date(metrics.last_load_day(engine))
    if first is None or last is None:
        raise NoBrief(
            "仓库中还没有会议数据，无法生成简报：请先导入数据（xieshang load INBOX） "
            "the warehouse holds no meetings yet: load an inbox first"
        )
    return first.replace(day=1), last


def check_month(engine: Engine, first: date) -> date:
    """The first month of the data (its first day); NoBrief for a month before it or
    after the last load."""
    begin, last_load = data_months(engine)
    label = f"{first.year:04d}-{first.month:02d}"
    if first < begin:
        start = f"{begin.year:04d}-{begin.month:02d}"
        raise NoBrief(
            f"{label} 早于数据起始（{start}），没有这个月的简报：请选 {start} 及以后的月份 "
            f"{label} is before the data begin ({start}): choose {start} or later"
        )
    if first > last_load:
        raise NoBrief(
            f"{label} 晚于最近一次导入（{last_load}），还没有这个月的数据：请选 "
            f"{last_load:%Y-%m} 或更早的月份 {label} is after the last load ({last_load}): "
            f"choose {last_load:%Y-%m} or earlier"
        )
    return begin


# --- sentences ----------------------------------------------------------------------------------------------


def _names(names: Sequence[str]) -> str:
    shown_names = "、".join(names[:LIST_LIMIT])
    return shown_names if len(names) <= LIST_LIMIT else f"{shown_names}等{len(names)}个"


def _summary(name: str, first: date, as_of: date, f: dict, sent: str) -> str:
    if sent in _UNSENT and not f["meetings"]:
        # its regularity and Party participation would read as none held
        parts = [f"{month_label(first)}，{name}{_UNSENT[sent]}"]
    else:
        parts = [f"{month_label(first)}，{name}召开协商会议{shown('meetings', f['meetings'])}次"]
        if f["regularity"] is not None:
            parts[-1] += f"，常态化率{shown('regularity', f['regularity'])}"
        rate = f["party_participation_rate"]
        parts[-1] += f"，党员参与率{shown('party_participation_rate', rate)}"
    if f["resolutions_due"]:
        parts.append(
            f"到期决议{shown('resolutions_due', f['resolutions_due'])}件，"
            f"落实率{shown('implementation_rate', f['implementation_rate'])}、"
            f"按期落实率{shown('on_time_rate', f['on_time_rate'])}"
        )
    else:
        parts.append("本月没有到期决议")
    parts.append(
        f"截至{day_label(as_of)}，逾期未落实决议{shown('overdue_open', f['overdue_open'])}件。"
    )
    return "；".join(parts)


def _rows(current: dict, previous: dict | None) -> tuple[Row, ...]:
    rows = []
    for key in metrics.FIGURES:
        value = current[key]
        before = previous[key] if previous else None
        words, tone = change(key, value, before)
        rows.append(
            Row(
                key=key,
                label=RECORDS[key].label_zh,
                value=value,
                shown=shown(key, value),
                previous=shown(key, before) if previous else "—",
                change=words,
                tone=tone,
                basis=basis(key, current["counts"]),
            )
        )
    return tuple(rows)


def _ranked_level(scope: str) -> str | None:
    """The level ranked under a scope: its children's (the counties of a city, the
    townships of a county, the villages of a township); None for a village."""
    return CHILD_LEVEL.get(level_of(scope))


# a unit without meetings this month: why, as a reason, a list's head and a whole sentence
# — not sending its ledger is not holding no meeting (ui.md: say what is missing and why)
_NO_MEETINGS = {
    "missing": (
        "本月未报送会议台账",
        "本月未报送会议台账的{word}",
        "本月各{word}均未报送会议台账。",
    ),
    "rejected": (
        "本月报送的会议台账全部被拒收",
        "本月会议台账全部被拒收的{word}",
        "本月各{word}报送的会议台账均被拒收。",
    ),
}
# the scope's own state, said of it: no ledger, or none that could be read
_UNSENT = {"missing": "尚未报送会议台账", "rejected": "报送的会议台账全部被拒收"}
_HELD_NONE = ("本月未召开协商会议", "本月未召开协商会议的{word}", "本月各{word}均未召开协商会议。")


def _no_meetings(unit: Unit) -> tuple[str, str, str]:
    return _NO_MEETINGS.get(unit.sent, _HELD_NONE)


def _lagging_reason(unit: Unit) -> str:
    reasons = []
    if not unit.meetings:
        reasons.append(_no_meetings(unit)[0])
    if unit.overdue_open:
        reasons.append(f"逾期未落实决议{unit.overdue_open:,}件")
    return "，" + "，".join(reasons) if reasons else ""


def _alike_scores(units: Sequence[Unit]) -> list[str]:
    """ "甲村与乙村（75.2分）" for each run of units whose scores print alike (one decimal)
    but whose ranks differ: the unrounded scores tell them apart (metrics.md)."""
    runs: dict[float, list[Unit]] = {}
    for unit in units:
        runs.setdefault(unit.score, []).append(unit)
    return [
        f"{'与'.join(u.name for u in run)}（{score:.1f}分）"
        for score, run in runs.items()
        if len({u.rank for u in run}) > 1
    ]


def _ranked(units: Sequence[Unit]) -> bool:
    """Whether the brief ranks the units: not when there are none, nor when none of them
    has a meetings ledger of the month that was accepted (every score would be 0)."""
    return bool(units) and not all(u.sent in _UNSENT and not u.meetings for u in units)


def _units_text(units: Sequence[Unit], word: str) -> tuple[str, ...]:
    if not units:
        return (f"本范围内没有{word}，不作排名。",)
    if not _ranked(units):
        states = {u.sent for u in units}
        if states == {"missing"}:
            return (f"本月各{word}均未报送会议台账，不作排名。",)
        if states == {"rejected"}:
            return (f"本月各{word}报送的会议台账均被拒收，不作排名。",)
        return (f"本月各{word}的会议台账均未报送或全部被拒收，不作排名。",)
    weights = "、".join(f"{RECORDS[k].label_zh}{w:g}" for k, w in DEFAULT_WEIGHTS.items())
    method = f"按本月考核得分排名（满分100分；权重：{weights}）。"
    if len(units) == 1:
        (only,) = units
        return (method, f"只有一个{word}：{only.name}，{only.score:.1f}分。")
    if units[0].rank == units[-1].rank:
        return (method, f"各{word}得分相同（{units[0].score:.1f}分），不分先后。")
    k = min(NAMED, len(units) // 2)
    top = "、".join(f"{u.name}（第{u.rank}名，{u.score:.1f}分）" for u in units[:k])
    bottom = "、".join(
        f"{u.name}（第{u.rank}名，{u.score:.1f}分{_lagging_reason(u)}）"
        for u in reversed(units[-k:])
    )
    lines = [method, f"排名靠前的{word}：{top}。", f"排名靠后的{word}：{bottom}。"]
    alike = _alike_scores(units)
    if alike:
        lines.append(f"得分显示相同而名次不同的，按未舍入的得分排名：{_names(alike)}。")
    idle: dict[tuple[str, str, str], list[str]] = {}
    for unit in units:
        if not unit.meetings:
            idle.setdefault(_no_meetings(unit), []).append(unit.name)
    for (_, head, whole), names in sorted(idle.items(), key=lambda kv: kv[0] != _HELD_NONE):
        if len(names) < len(units):
            lines.append(f"{head.format(word=word)}（{len(names)}个）：{_names(names)}。")
        else:
            lines.append(whole.format(word=word))
    return tuple(lines)


def _bucket(days_late: int) -> str:
    # the last bucket is open-ended, so one always matches
    return next(label for limit, label in OVERDUE_BUCKETS if limit is None or days_late <= limit)


def _overdue(
    engine: Engine,
    scope: tuple[str, str],
    period: tuple[date, date, date],
    total: int,
    word: str | None,
) -> tuple[tuple[tuple[str, int], ...], str]:
    """(count per age bucket, the sentence), for `scope` (code, name) and `period` (first,
    last, as_of). `total` is the overdue_open figure; the list behind it
    (metrics.quality.overdue_resolutions) gives the ages and the units, the scope's own
    meetings' among them (东湖镇（本级）: a township hosts meetings too)."""
    (scope, scope_name), (first, last, as_of) = scope, period
    rows = quality.overdue_resolutions(engine, scope, first, last)
    ages = Counter(_bucket(r["days_late"]) for r in rows)
    buckets = tuple((label, ages.get(label, 0)) for _, label in OVERDUE_BUCKETS)
    if not total:
        return buckets, f"截至{day_label(as_of)}，没有逾期未落实的决议。"
    split = "、".join(f"{label}{n:,}件" for label, n in buckets)
    text = f"截至{day_label(as_of)}，逾期未落实决议{total:,}件：{split}"
    if rows:
        text += f"；逾期最久的一件已逾期{max(r['days_late'] for r in rows):,}天"
    level = _ranked_level(scope)
    if word and level and rows:
        by_unit = Counter(ancestor_at(r["area_code"], level) for r in rows)
        heavy = sorted(by_unit.items(), key=lambda kv: (-kv[1], kv[0]))[:NAMED]
        unit_names = {
            **dict(metrics.children(engine, scope, level)),
            scope: f"{scope_name}（本级）",
        }
        listed = "、".join(f"{unit_names.get(c, c)}{n:,}件" for c, n in heavy)
        text += f"。逾期较多的{word}：{listed}"
    return buckets, text + "。"


def _meetings_sent(status: Status) -> dict[str, str]:
    """Each unit's 报送情况 of its meetings ledger this month, by area code."""
    return {r["area_code"]: r["state"] for r in status.rows if r["kind"] == "meetings"}


def _submissions_text(status: Status, first: date) -> str:
    if status.note:
        return status.note
    missing: dict[str, list[str]] = {}
    rejected: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for row in status.rows:
        names[row["area_code"]] = row["area_name"]
        if row["state"] == "missing":
            missing.setdefault(row["area_code"], []).append(KIND_WORDS[row["kind"]])
        elif row["state"] == "rejected":
            rejected.setdefault(row["area_code"], []).append(KIND_WORDS[row["kind"]])
    label = month_label(first)
    if not missing and not rejected:
        kinds = "、".join(KIND_WORDS[k] for k in GRID_KINDS)
        return f"{label}报送情况：各单位{kinds}台账均已报送。"
    parts = []
    if missing:
        listed = [f"{names[c]}（{'、'.join(k)}）" for c, k in missing.items()]
        parts.append(f"{len(missing)}个单位有台账未报送：{_names(listed)}")
    if rejected:
        listed = [f"{names[c]}（{'、'.join(k)}）" for c, k in rejected.items()]
        parts.append(f"{len(rejected)}个单位报送的台账全部被拒收：{_names(listed)}")
    return f"{label}报送情况：" + "；".join(parts) + "。"


def _quality_text(
    engine: Engine, scope: str, first: date, last: date, status: Status
) -> tuple[str, ...]:
    lines = [_submissions_text(status, first)]
    rejected = quality.rejected_count(engine, scope)
    held = quality.held_count(engine, scope)
    if rejected or held:
        lines.append(
            f"待修正的拒收记录{rejected:,}行，等待会议匹配的记录{held:,}行"
            "（明细见看板“数据质量”页）。"
        )
    else:
        lines.append("没有待修正的拒收记录，也没有等待会议匹配的记录。")
    over = quality.party_participation_over_100(engine, scope, first, last)
    if over:
        names = metrics.names_apart(engine, [r["area_code"] for r in over])
        listed = [
            f"{names[r['area_code']]}（{shown('party_participation_rate', r['party_participation_rate'])}）"
            for r in over
        ]
        lines.append(f"党员参与率超过100%，名册党员数可能已过时，请核实：{_names(listed)}。")
    return tuple(lines)


def _trend(engine: Engine, scope: str, first: date, last: date, begin: date) -> tuple[dict, ...]:
    start = max(months_back(first, TREND_MONTHS - 1), begin)
    keys = ("meetings", "resolutions_due", "implementation_rate")
    series = metrics.monthly_series(engine, scope, start, last, keys=keys)
    return tuple(
        {
            "month": m["month"],
            "meetings": m["meetings"],
            "resolutions_due": m["resolutions_due"],
            "implemented": m["counts"]["implemented"],
            "implementation_rate": m["implementation_rate"],
            "partial": m["as_of"] < m["to"],
        }
        for m in series
    )


# --- the brief ----------------------------------------------------------------------------------------------


def build_brief(engine: Engine, scope: str, month: str, today: date | None = None) -> Brief:
    """The brief of `scope` (an area code) for `month` ("YYYY-MM"), made on `today`.
    ValueError for a malformed month or code, metrics.UnknownScope for an area not in
    the roster, NoBrief for a month outside the data."""
    first = parse_month(month)
    last = month_end(first)
    code = metrics.normalize_code(scope)
    begin = check_month(engine, first)
    info = metrics.area_info(engine, code)
    if info is None:
        raise metrics.UnknownScope(
            f"area {code} is not in the roster (load an areas file that lists it)"
        )
    current = metrics.figures(engine, code, first, last)
    as_of = current["as_of"]
    previous_first = months_back(first, 1)
    previous = (
        metrics.figures(engine, code, previous_first, first - timedelta(days=1))
        if previous_first >= begin
        else None
    )
    name = metrics.names_apart(engine, [code])[code]  # a city's two 黄坛镇 apart
    status = submission_status(engine, f"{first.year:04d}-{first.month:02d}", code)
    sent = _meetings_sent(status)
    level = _ranked_level(code)
    word = UNIT_WORDS[level] if level else None
    units: tuple[Unit, ...] = ()
    units_text: tuple[str, ...] = ()
    if level is not None:
        units = tuple(
            Unit(
                code=r["area_code"],
                name=r["area_name"],
                rank=r["rank"],
                score=round_score(r["score"]),
                meetings=r["meetings"],
                overdue_open=r["overdue_open"],
                sent=sent.get(r["area_code"], "received"),
            )
            for r in assessment(engine, level, code, first, last).rows
        )
        units_text = _units_text(units, word)
    overdue, overdue_text = _overdue(
        engine, (code, name), (first, last, as_of), current["overdue_open"], word
    )
    partial = "（本月数据尚不完整）" if as_of < last else ""
    made_on = today or settings.today()
    cover = f"{month_label(first)} · 数据截至{day_label(as_of)}{partial} · 制发日期：{day_label(made_on)}"
    return Brief(
        scope=code,
        scope_name=name,
        level=info["level"],
        month=f"{first.year:04d}-{first.month:02d}",
        start=first,
        end=last,
        as_of=as_of,
        made_on=made_on,
        title=f"{name}工作简报",
        cover=cover,
        figures=current,
        previous=previous,
        rows=_rows(current, previous),
        summary=_summary(name, first, as_of, current, sent.get(code, "received")),
        unit_word=word,
        ranking=units if _ranked(units) else (),
        units_text=units_text,
        overdue=overdue,
        overdue_text=overdue_text,
        quality_text=_quality_text(engine, code, first, last, status),
        trend=_trend(engine, code, first, last, begin),
    )


__all__: Sequence[str] = ("Brief", "NoBrief", "Row", "Unit", "build_brief", "check_month")
