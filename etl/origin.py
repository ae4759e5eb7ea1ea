"""Which township a submitted file comes from, for the file's record and for its rejects
whose own area code cannot tell (interfaces.md: rejects belong to the township that sent
them).

A file submitted by a township's staff comes from that township. A file put into the
inbox by hand comes from the township its path names: offices keep a folder per township
(`2026-12/新桥镇/会议.csv`) or put the name in the file's (`新桥镇12月会议台账.xlsx`). So the
roster's townships whose name, or 9- or 12-digit code, occurs in a folder name, or else
in the file's stem, are found (a village's code holds its township's 9 digits, and names
it too); exactly one is the file's, none or several say nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath


def named_township(
    rel: str, townships: Mapping[str, str], seen: dict[str, frozenset[str]] | None = None
) -> str | None:
    """The one township of `townships` (code -> name) that the path `rel`, relative to
    the inbox, names in its folders, or, when they name none, in the file's stem; None
    when none or several do. A township's folder holds its files whatever else their
    names mention (泗门镇/泗门镇与南湖街道联席会议台账.csv). `seen`: the townships each part
    of a path named before (a city's inbox repeats its folders over thousands of files)."""
    seen = {} if seen is None else seen
    path = PurePosixPath(rel)
    for parts in (path.parts[:-1], [path.stem]):
        found: set[str] = set()
        for part in parts:
            if part not in seen:
                seen[part] = _named_in(part, townships)
            found |= seen[part]
        if found:
            return found.pop() if len(found) == 1 else None
    return None


def _named_in(part: str, townships: Mapping[str, str]) -> frozenset[str]:
    """The townships a folder or stem names: by code if it holds one (城关镇（330281001000）,
    the folder a city's two 城关镇 submit into, names one of them), else by name."""
    # the 12-digit code holds the 9 digits that name the township
    by_code = frozenset(code for code in townships if code[:9] in part)
    return by_code or frozenset(code for code, name in townships.items() if name and name in part)


def file_townships(
    paths: list[str], townships: Mapping[str, str], township: str | None
) -> dict[str, str | None]:
    """Path -> the township each file comes from: `township`, the submitting staff's,
    when given, else the one its path names (`named_township`)."""
    if township:
        return dict.fromkeys(paths, township)
    seen: dict[str, frozenset[str]] = {}
    return {rel: named_township(rel, townships, seen) for rel in paths}
