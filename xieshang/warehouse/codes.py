"""Area codes: the one place that knows how the national statistical codes nest.

A code has 12 digits and its prefixes are the hierarchy: city 4 digits, county 6,
township 9, village 12, the rest zeros. So "an area and everything below it" is one range
(`scope_range`), its parent and its township are prefixes, and its level is read off the
trailing zeros. Offices write 6, 9 or 12 digits; `normalize_code` pads them.
"""

from __future__ import annotations

from datetime import date

LEVELS: tuple[str, ...] = ("city", "county", "township", "village")
"""Top to bottom."""

LEVEL_PREFIX: dict[str, int] = {"city": 4, "county": 6, "township": 9, "village": 12}
"""How many leading digits name an area of each level."""

CHILD_LEVEL: dict[str, str] = {"city": "county", "county": "township", "township": "village"}


def pad_code(text: str) -> str | None:
    """A 12-digit code from 6, 9 or 12 ASCII digits (right-padded with zeros), else None."""
    text = str(text).strip()
    if not (text.isascii() and text.isdigit()) or len(text) not in (6, 9, 12):
        return None
    return text.ljust(12, "0")


def normalize_code(code: str) -> str:
    """`pad_code`, raising ValueError for anything else."""
    padded = pad_code(code)
    if padded is None:
        raise ValueError(f"area code {code!r} must be 6, 9 or 12 digits")
    return padded


def level_of(code: str) -> str:
    """The level a 12-digit code names, from its trailing zeros."""
    if code[4:] == "00000000":
        return "city"
    if code[6:] == "000000":
        return "county"
    if code[9:] == "000":
        return "township"
    return "village"


def ancestor_at(code: str, level: str) -> str:
    """The code of the area of `level` that contains `code` (itself at its own level)."""
    return code[: LEVEL_PREFIX[level]].ljust(12, "0")


def parent_of(code: str) -> str | None:
    """The code of the area directly above, by the numbering itself."""
    index = LEVELS.index(level_of(code))
    return ancestor_at(code, LEVELS[index - 1]) if index else None


def township_of(code: str) -> str | None:
    """The township containing a village, or the township itself; None above townships."""
    return ancestor_at(code, "township") if level_of(code) in ("township", "village") else None


def is_above(upper: str, lower: str) -> bool:
    """Whether `upper` is of a strictly higher level than `lower` and contains it."""
    width = LEVEL_PREFIX[level_of(upper)]
    return width < LEVEL_PREFIX[level_of(lower)] and lower[:width] == upper[:width]


def scope_range(code: str) -> tuple[str, str]:
    """(low, high) such that `low <= area_code <= high` selects the area and all below it."""
    width = LEVEL_PREFIX[level_of(code)]
    prefix = code[:width]
    return prefix + "0" * (12 - width), prefix + "9" * (12 - width)


def month_key(day: date) -> int:
    """The year-month of a day as one integer, 202612 for any day of December 2026."""
    return day.year * 100 + day.month
