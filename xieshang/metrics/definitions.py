"""One record per figure of metrics.md: everything the project says about a figure.

A `Figure` holds its labels and definition (Chinese and English: the dashboard's
tooltips, the assessment's headers and docs/metrics.md's table all read them), the
statements that compute its counts (xieshang.metrics.statements), the counts shown with
it, its numerator and denominator, its direction and its format. The value of a figure
is its numerator ÷ its denominator (null when the denominator is 0), or its numerator
alone for a count; the few computed otherwise name a function of their own.

tests/test_docs.py fails when docs/metrics.md's figure table and these records differ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from xieshang.contract import settings
from xieshang.contract.columns import STAKEHOLDER_CATEGORIES


def _threshold() -> int:
    # Read as this module is imported, which parsing a command's --from already does: a
    # value set wrongly raised there, and the command blamed its --from. It is refused in
    # one line by settings.check_environment, which every command and the server run first.
    try:
        return settings.stakeholder_threshold()
    except ValueError:
        return settings.DEFAULT_STAKEHOLDER_THRESHOLD


STAKEHOLDER_THRESHOLD: int = _threshold()
"""Distinct stakeholder categories a meeting needs to count as covered (a setting)."""

KINDS: tuple[str, ...] = ("count", "rate", "days", "score100")
"""How a figure is shown: a count, a fraction shown as a percentage, days, a 0–100 score."""

Value = int | float | None


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator ÷ denominator; None (null) when the denominator is 0."""
    return numerator / denominator if denominator else None


def median_of_histogram(histogram: Iterable[tuple[int, int]]) -> float | None:
    """The median of values given as (value, count) pairs; the mean of the two middle
    values for an even count."""
    pairs = sorted(histogram)
    total = sum(n for _, n in pairs)
    if total == 0:
        return None
    low_pos, high_pos = (total - 1) // 2, total // 2
    low = high = None
    seen = 0
    for value, n in pairs:
        if low is None and seen + n > low_pos:
            low = value
        if seen + n > high_pos:
            high = value
            break
        seen += n
    return (low + high) / 2


@dataclass(frozen=True)
class Figure:
    """A figure of metrics.md.

    `statements` name the statements that compute its counts; `counts` the counts
    shown with it; `numerator` and `denominator` are count keys (a count figure has a
    numerator only). `special` computes a value that is not a plain ratio, from the
    tally of one scope and period (every count, plus "days_histogram" and
    "satisfaction_sum")."""

    key: str
    label_zh: str
    label_en: str
    definition_zh: str
    definition_en: str
    kind: str
    higher_is_better: bool
    statements: frozenset[str]
    counts: tuple[str, ...]
    numerator: str | None = None
    denominator: str | None = None
    special: Callable[[Mapping[str, Any]], Value] | None = None
    # an area's value takes its units together (the categories any of them reached), not
    # a mean of theirs: it may lie above every one
    union: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.key}: kind {self.kind!r} is not one of {KINDS}")
        if self.special is None and self.numerator is None:
            raise ValueError(f"{self.key}: a figure without a numerator needs `special`")

    def value(self, tally: Mapping[str, Any]) -> Value:
        if self.special is not None:
            return self.special(tally)
        if self.denominator is None:
            return tally[self.numerator]
        return ratio(tally[self.numerator], tally[self.denominator])

    @property
    def info(self) -> dict:
        """The tooltip entry of FIGURE_INFO."""
        return {
            "zh": self.label_zh,
            "en": self.label_en,
            "kind": self.kind,
            "higher_is_better": self.higher_is_better,
            "definition_zh": self.definition_zh,
            "definition_en": self.definition_en,
            "union": self.union,
        }


def _breadth(tally: Mapping[str, Any]) -> Value:
    # categories reached ÷ all ten; null without meetings (0 categories is then no answer)
    if not tally["meetings"]:
        return None
    return tally["stakeholder_categories"] / len(STAKEHOLDER_CATEGORIES)


def _median_days(tally: Mapping[str, Any]) -> Value:
    return median_of_histogram(tally["days_histogram"])


def _satisfaction(tally: Mapping[str, Any]) -> Value:
    # the sum of scores is not a count shown with the figure, only its denominator is
    return ratio(tally["satisfaction_sum"], tally["satisfaction_scores"])


_RECORDS: tuple[Figure, ...] = (
    Figure(
        key="meetings",
        label_zh="协商会议数",
        label_en="Consultation meetings",
        definition_zh="范围内各单位主办、会议日期在统计期内的协商会议数（受协商形式、议题类别、线上筛选）。",
        definition_en="Meetings hosted by any area in the scope with a meeting date in the "
        "period (narrowed by the form, topic and online filters).",
        kind="count",
        higher_is_better=True,
        statements=frozenset({"meetings"}),
        counts=("meetings",),
        numerator="meetings",
    ),
    Figure(
        key="regularity",
        label_zh="常态化率",
        label_en="Regularity",
        definition_zh="至少召开一次本村（社区）主办的范围内会议的“村×自然月”数 ÷"
        "（范围内村（社区）数 × 统计期涉及的自然月数）。统计期只覆盖某月一部分时，该月仍按整月计入分母，"
        "但只有统计期内的会议算数；无村（社区）时为空。",
        definition_en="(village, calendar month) pairs with at least one meeting in scope "
        "hosted by that village ÷ (villages in scope × calendar months that the period "
        "touches; a month the period covers only in part counts whole, and only its "
        "meetings inside the period count). Null if the scope has no villages.",
        kind="rate",
        higher_is_better=True,
        statements=frozenset({"meetings", "regularity", "areas"}),
        counts=("village_months_with_meeting", "village_months", "villages", "months"),
        # villages × months is 0 exactly when there are no villages: a period touches
        # at least one month
        numerator="village_months_with_meeting",
        denominator="village_months",
    ),
    Figure(
        key="party_led_rate",
        label_zh="党组织主持率",
        label_en="Party-led rate",
        definition_zh="由党组织主持的会议数 ÷ 会议数；无会议时为空。",
        definition_en="Meetings led by the Party organisation ÷ meetings. Null if no meetings.",
        kind="rate",
        higher_is_better=True,
        statements=frozenset({"meetings"}),
        counts=("meetings_led_by_party", "meetings"),
        numerator="meetings_led_by_party",
        denominator="meetings",
    ),
    Figure(
        key="party_participation_rate",
        label_zh="党员参与率",
        label_en="Party member participation",
        definition_zh="在范围内会议中至少一次以党员身份签到的不同人数 ÷ "
        "范围内全部单位（含乡镇、县本级）登记党员数之和。"
        "不封顶：超过100%照实显示并作为数据质量提示；党员数之和为0时为空。",
        definition_en="Distinct persons marked as Party members in at least one attendance "
        "row of the meetings in scope ÷ the sum of registered Party members of all areas "
        "in scope (a township's own members included). Not capped: above 100% is shown as "
        "is and flagged. Null if the sum is 0.",
        kind="rate",
        higher_is_better=True,
        statements=frozenset({"party", "areas"}),
        counts=("party_members_attending", "party_members_registered"),
        numerator="party_members_attending",
        denominator="party_members_registered",
    ),
    Figure(
        key="party_share",
        label_zh="党员参会占比",
        label_en="Party share of attendance",
        definition_zh="范围内会议的签到记录中党员记录数 ÷ 签到记录数；无签到记录时为空。",
        definition_en="Attendance rows of Party members ÷ attendance rows, over the meetings "
        "in scope. Null if there are no rows.",
        kind="rate",
        higher_is_better=True,
        statements=frozenset({"meetings"}),
        counts=("party_attendance_rows", "attendance_rows"),
        numerator="party_attendance_rows",
        denominator="attendance_rows",
    ),
    Figure(
        key="stakeholder_coverage",
        label_zh="多元主体覆盖率",
        label_en="Stakeholder coverage",
        definition_zh=f"参会者涵盖至少{STAKEHOLDER_THRESHOLD}类多元主体（身份类别前十类）的会议数 ÷ "
        "会议数；无签到记录的会议计为0类；无会议时为空。",
        definition_en=f"Meetings whose attendees include at least {STAKEHOLDER_THRESHOLD} "
        "distinct stakeholder categories (the first ten participant categories) ÷ meetings; "
        "a meeting without attendance has 0. Null if no meetings.",
        kind="rate",
        higher_is_better=True,
        statements=frozenset({"meetings"}),
        counts=("meetings_covered", "meetings"),
        numerator="meetings_covered",
        denominator="meetings",
    ),
    Figure(
        key="stakeholder_breadth",
        label_zh="多元主体广度",
        label_en="Stakeholder breadth",
        definition_zh="范围内会议参会者涵盖的不同多元主体类别数 ÷ 10；无会议时为空。",
        definition_en="Distinct stakeholder categories among the attendees of the meetings in "
        "scope ÷ 10. Null if no meetings.",
        kind="rate",
        higher_is_better=True,
        statements=frozenset({"meetings", "breadth"}),
        counts=("stakeholder_categories", "meetings"),
        numerator="stakeholder_categories",
        special=_breadth,
        union=True,
    ),
    Figure(
        key="resolutions_due",
        label_zh="到期决议数",
        label_en="Resolutions due",
        definition_zh="范围内会议（受筛选，会议可早于统计期）形成的决议中，截至日的状态不是“已撤销”、"
        "完成时限在统计期内且不晚于截至日的决议数。",
        definition_en="Resolutions of meetings hosted in scope (the meeting passes the "
        "filters and may be older than the period) with a due date in the period and on or "
        "before the as-of day, whose status on the as-of day is not cancelled.",
        kind="count",
        higher_is_better=True,
        statements=frozenset({"due"}),
        counts=("resolutions_due",),
        numerator="resolutions_due",
    ),
    Figure(
        key="implementation_rate",
        label_zh="决议落实率",
        label_en="Implementation rate",
        definition_zh="到期决议中截至日状态为“已落实”的 ÷ 到期决议数；无到期决议时为空。",
        definition_en="Of the resolutions due, those implemented on the as-of day ÷ resolutions due. "
        "Null if none are due.",
        kind="rate",
        higher_is_better=True,
        statements=frozenset({"due"}),
        counts=("implemented", "resolutions_due"),
        numerator="implemented",
        denominator="resolutions_due",
    ),
    Figure(
        key="on_time_rate",
        label_zh="按期落实率",
        label_en="On-time rate",
        definition_zh="到期决议中已落实且完成日期不晚于完成时限的 ÷ 到期决议数；无到期决议时为空。",
        definition_en="Of the resolutions due, those implemented with a completed date on or "
        "before the due date ÷ resolutions due. Null if none are due.",
        kind="rate",
        higher_is_better=True,
        statements=frozenset({"due"}),
        counts=("implemented_on_time", "resolutions_due"),
        numerator="implemented_on_time",
        denominator="resolutions_due",
    ),
    Figure(
        key="overdue_open",
        label_zh="逾期未落实数",
        label_en="Overdue and open",
        definition_zh="范围内会议形成的决议中，截至日状态既非“已落实”也非“已撤销”、"
        "且完成时限早于截至日的决议数（含以往积压；完成时限恰为截至日的不算逾期）。",
        definition_en="Resolutions of meetings hosted in scope whose status on the as-of day is "
        "neither implemented nor cancelled and whose due date is before the as-of day, however old "
        "(one due exactly on the as-of day is not overdue).",
        kind="count",
        higher_is_better=False,
        statements=frozenset({"overdue"}),
        counts=("overdue_open",),
        numerator="overdue_open",
    ),
    Figure(
        key="median_days_to_implement",
        label_zh="落实用时中位数(天)",
        label_en="Median days to implement",
        definition_zh="范围内会议形成、截至日已落实、完成日期在统计期内的决议，"
        "（完成日期 − 会议日期）天数的中位数；偶数个取中间两数的平均；无则为空。",
        definition_en="Median of (completed date − meeting date) in days over the resolutions "
        "of meetings hosted in scope that are implemented on the as-of day with a completed date in "
        "the period (mean of the two middle values for an even count). Null if none.",
        kind="days",
        higher_is_better=False,
        statements=frozenset({"done"}),
        counts=("implemented_in_period",),
        special=_median_days,
    ),
    Figure(
        key="satisfaction",
        label_zh="群众满意度",
        label_en="Resident satisfaction",
        definition_zh="与“落实用时中位数”相同的决议中有满意度评分者的平均分（0–100）；无则为空。",
        definition_en="Mean satisfaction (0–100) over the same resolutions as the median days "
        "that carry a score. Null if none.",
        kind="score100",
        higher_is_better=True,
        statements=frozenset({"done"}),
        counts=("satisfaction_scores", "implemented_in_period"),
        denominator="satisfaction_scores",
        special=_satisfaction,
    ),
    Figure(
        key="escalation_rate",
        label_zh="上报率",
        label_en="Escalation rate",
        definition_zh="统计期内范围内会议形成、截至日已存在且未撤销的决议中，已上报上级的 ÷ 全部；无则为空。",
        definition_en="Of the resolutions of meetings in scope (meeting in the period) that "
        "exist and are not cancelled on the as-of day, those escalated to a higher level ÷ all of "
        "them. Null if none.",
        kind="rate",
        higher_is_better=False,
        statements=frozenset({"escalation"}),
        counts=("escalated", "resolutions_of_period_meetings"),
        numerator="escalated",
        denominator="resolutions_of_period_meetings",
    ),
)

RECORDS: dict[str, Figure] = {figure.key: figure for figure in _RECORDS}
"""Every figure by key, in the order of metrics.md."""

FIGURES: tuple[str, ...] = tuple(RECORDS)
"""The keys, in order: what `xieshang kpi` prints and `figures` returns."""

FIGURE_INFO: dict[str, dict] = {key: figure.info for key, figure in RECORDS.items()}
"""Labels, kind, direction and definitions per key (the dashboard's tooltips)."""

RATE_FIGURES: frozenset[str] = frozenset(k for k, f in RECORDS.items() if f.kind == "rate")
