"""The assessment score and table of metrics.md (考核得分 · 考核评估表).

    score = 100 × Σ weight_k × value_k / Σ weight_k

over party_participation_rate, implementation_rate, stakeholder_coverage, regularity and
satisfaction ÷ 100; a null value counts as 0 and a value above 1 as 1. Units are ranked
by score (highest first); scores within 1e-9 of each other tie and share the smaller
rank (1, 2, 2, 4), listed by area code. The score is never rounded here: rounding to
one decimal (`round_score`, halves up) happens only when it is shown or exported.

The figures come from xieshang.metrics.figures_by_child, so a unit's numbers in the
table are exactly those of `xieshang kpi` and the dashboard for that unit.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

from sqlalchemy import Connection, Engine

from xieshang.metrics.areas import (
    UnknownScope,
    area_info,
    names_apart,
    names_apart_among,
    root_area,
)
from xieshang.metrics.compute import figures, figures_by_child
from xieshang.metrics.definitions import RECORDS
from xieshang.metrics.filters import NO_FILTERS, Filters
from xieshang.warehouse.codes import LEVELS, level_of, normalize_code

DEFAULT_WEIGHTS: dict[str, float] = {
    "party_participation_rate": 25,
    "implementation_rate": 30,
    "stakeholder_coverage": 20,
    "regularity": 15,
    "satisfaction": 10,
}
# a 0–100 score is weighed ÷ 100, like a rate
SCALE: dict[str, float] = {k: 100.0 for k in DEFAULT_WEIGHTS if RECORDS[k].kind == "score100"}
TIE_TOLERANCE = 1e-9
ASSESSED_LEVELS = ("county", "township", "village")
PLURALS: dict[str, str] = {"county": "counties", "township": "townships", "village": "villages"}

# the figures of the table, in the order of metrics.md
TABLE_FIGURES: tuple[str, ...] = (
    "meetings",
    "regularity",
    "party_participation_rate",
    "party_led_rate",
    "stakeholder_coverage",
    "resolutions_due",
    "implementation_rate",
    "on_time_rate",
    "overdue_open",
    "satisfaction",
)
# (machine name, Chinese header), in the order of metrics.md
COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "排名"),
    ("area_code", "区划代码"),
    ("area_name", "单位名称"),
    ("score", "考核得分"),
    *((key, RECORDS[key].label_zh) for key in TABLE_FIGURES),
)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)


class WeightsError(ValueError):
    """A weights file or mapping that cannot be used."""


def validate_weights(mapping: Mapping, source: str = "weights") -> dict[str, float]:
    """The defaults overridden by `mapping`; raises WeightsError on an unknown figure, a
    weight that is not a number, negative or infinite, or weights that sum to 0."""
    if not isinstance(mapping, Mapping):
        raise WeightsError(f"{source}: expected figure = weight pairs")
    unknown = sorted(str(k) for k in mapping if k not in DEFAULT_WEIGHTS)
    if unknown:
        raise WeightsError(
            f"{source}: unknown figure {', '.join(unknown)}; the score weighs "
            f"{', '.join(DEFAULT_WEIGHTS)}"
        )
    merged = dict(DEFAULT_WEIGHTS)
    for key, value in mapping.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise WeightsError(f"{source}: the weight of {key} must be a number, not {value!r}")
        if not math.isfinite(value) or value < 0:
            raise WeightsError(f"{source}: the weight of {key} must be 0 or more, not {value!r}")
        merged[key] = value
    if sum(merged.values()) <= 0:
        raise WeightsError(f"{source}: at least one weight must be above 0")
    return merged


def load_weights(path: str | Path) -> dict[str, float]:
    """Weights from a TOML file: a [weights] table (or top-level keys) of figure = weight,
    overriding the defaults. Raises WeightsError with the file name on any problem.

        [weights]
        implementation_rate = 40
        satisfaction = 0
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WeightsError(f"weights file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WeightsError(f"weights file {path} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise WeightsError(f"weights file {path} is not valid TOML: {exc}") from None
    if "weights" in data:
        extra = sorted(k for k in data if k != "weights")
        if extra:
            raise WeightsError(f"{path}: unknown key {', '.join(extra)} beside [weights]")
        data = data["weights"]
    return validate_weights(data, source=str(path))


def score(row: Mapping, weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> float:
    """The unrounded score (0–100) of one unit's figures."""
    total = sum(weights.values())
    acc = 0.0
    for key, weight in weights.items():
        value = row.get(key)
        value = 0.0 if value is None else float(value) / SCALE.get(key, 1.0)
        acc += weight * min(value, 1.0)
    return 100.0 * acc / total


def round_score(value: float | None) -> float | None:
    """The score as shown and exported: one decimal, halves rounded up (四舍五入) on the
    decimal value as printed (64.05 -> 64.1, 81.25 -> 81.3), not on its binary double."""
    if value is None:
        return None
    return float(Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def unrounded_score(value: float, digits: int) -> str:
    """The score to `digits` decimals cut off, not rounded: an unrounded score must not read
    as one that shows otherwise (65.64997 is 65.649; rounded, 65.650 would show 65.7). Cut
    from its decimal value to 9 places, so that a binary 65.59999999999999 reads 65.600."""
    exact = Decimal(repr(float(value))).quantize(Decimal("1e-9"), rounding=ROUND_HALF_UP)
    return str(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN))


def rank(rows: Sequence[dict]) -> list[dict]:
    """Rows ordered by rank with "rank" set: highest score first; scores within 1e-9 of
    each other tie, share their group's smallest rank and are listed by area code. A
    group runs on while each score is within 1e-9 of the one before it: any two within
    1e-9 of each other are then in one group, which measuring from the group's first
    score would not give (80 + 5e-10, 80, 80 - 6e-10: the last two split)."""
    ordered = sorted(rows, key=lambda r: (-r["score"], r["area_code"]))
    out: list[dict] = []
    i = 0
    while i < len(ordered):
        j = i + 1
        while (
            j < len(ordered) and abs(ordered[j]["score"] - ordered[j - 1]["score"]) <= TIE_TOLERANCE
        ):
            j += 1
        for row in sorted(ordered[i:j], key=lambda r: r["area_code"]):
            row["rank"] = i + 1
            out.append(row)
        i = j
    return out


@dataclass
class Assessment:
    """The table with what the export states about it."""

    rows: list[dict]
    level: str
    scope: str
    scope_name: str
    start: date
    end: date
    as_of: date
    weights: dict[str, float]
    weights_source: str = "default"
    filters: Filters = field(default_factory=Filters)


def assessment(
    bind: Engine | Connection,
    level: str,
    within: str | None,
    start: date,
    end: date,
    weights: Mapping[str, float] | None = None,
    *,
    weights_source: str | None = None,
    filters: Filters = NO_FILTERS,
) -> Assessment:
    """The assessment of every unit of `level` (county | township | village) within
    `within` (default: the roster's root; required for villages: the township)."""
    if level not in ASSESSED_LEVELS:
        raise ValueError(f"level must be county, township or village, not {level!r}")
    if within is None:
        if level == "village":
            raise ValueError("villages are assessed within a township: name it (--within)")
        within = root_area(bind)
        if within is None:
            raise UnknownScope("the roster is empty: load an areas file first")
    within = normalize_code(within)
    within_level = level_of(within)
    if LEVELS.index(within_level) >= LEVELS.index(level):
        raise ValueError(f"{within} is a {within_level}: it has no {PLURALS[level]} to assess")
    if level == "village" and within_level != "township":  # metrics.md: a township's villages
        raise ValueError(
            f"{within} is a {within_level}: villages are assessed within a township; "
            "give a township's code (--within)"
        )
    info = area_info(bind, within)
    if info is None:
        raise UnknownScope(f"area {within} is not in the roster")
    weights = validate_weights(weights or {}, source=weights_source or "weights")
    units = figures_by_child(bind, within, start, end, filters, level=level)
    rows = []
    for unit in units:
        row = {name: unit.get(name) for name in COLUMN_NAMES}
        row["score"] = score(unit, weights)
        rows.append(row)
    # a city's townships: its five 樟村乡 apart in the rows and in the notes of ties
    apart = names_apart_among(
        bind, [r["area_code"] for r in rows], {r["area_code"]: r["area_name"] for r in rows}
    )
    for row in rows:
        row["area_name"] = apart[row["area_code"]]
    as_of = (
        units[0]["as_of"]
        if units
        else figures(bind, within, start, end, filters, keys=["meetings"])["as_of"]
    )
    return Assessment(
        rows=rank(rows),
        level=level,
        scope=within,
        scope_name=names_apart(bind, [within])[within],
        start=start,
        end=end,
        as_of=as_of,
        weights=weights,
        weights_source=weights_source or "default",
        filters=filters,
    )
