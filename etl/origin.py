"""Which township a submitted file comes from, for the file's record and for its rejects
whose own area code cannot tell (interfaces.md: rejects belong to the township that sent
them).

A file submitted by a township's staff comes from that township. A file put into the
inbox by hand comes from the township its path names: offices keep a folder per township
(`2026-12/新桥镇/会议.csv`) or put the name in the file's (`新桥镇12月会议台账.xlsx`). So the
roster's townships whose name, or 9- or 12-digit code, occurs in a folder name, or else
in the file's stem, are found (a village's code holds its township's 9 digits, and names
it too); exactly one is the file's, none or several say nothing. A city's townships of
one name are told apart by the county a folder names, or by the code in theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath


def townships_named(
    rel: str,
    townships: Mapping[str, str],
    seen: dict[str, frozenset[str]] | None = None,
    counties: Mapping[str, str] | None = None,
) -> frozenset[str]:
    """The townships of `townships` (code -> name) that the path `rel`, relative to the
    inbox, names in its folders, or, when they name none, in the file's stem. Of several
    of one name (a city's two 黄坛镇), those of the county the path names too
    (`临江县/2026-12/黄坛镇/会议.csv`; `counties`: code -> name). `seen`: the townships each
    part of a path named before (a city's inbox repeats its folders over thousands of
    files)."""
    seen = {} if seen is None else seen
    path = PurePosixPath(rel)
    for parts in (path.parts[:-1], [path.stem]):
        found: set[str] = set()
        for part in parts:
            if part not in seen:
                seen[part] = _named_in(part, townships)
            found |= seen[part]
        if found:
            if len(found) > 1 and counties:
                named = {
                    c[:6]
                    for part in (*path.parts[:-1], path.stem)
                    for c in _named_in(part, counties, 6)
                }
                found = {code for code in found if code[:6] in named} or found
            return frozenset(found)
    return frozenset()


def named_township(
    rel: str,
    townships: Mapping[str, str],
    seen: dict[str, frozenset[str]] | None = None,
    counties: Mapping[str, str] | None = None,
) -> str | None:
    """The one township `townships_named` finds in the path; None when none or several
    do. A township's folder holds its files whatever else their names mention
    (泗门镇/泗门镇与南湖街道联席会议台账.csv)."""
    found = townships_named(rel, townships, seen, counties)
    return next(iter(found)) if len(found) == 1 else None


def _named_in(part: str, areas: Mapping[str, str], digits: int = 9) -> frozenset[str]:
    """The areas a folder or stem names: by code if it holds one (城关镇（330281001000）,
    the folder a city's two 城关镇 submit into, names one of them; a village's code holds
    its township's 9 digits), else by name."""
    by_code = frozenset(code for code in areas if code[:digits] in part)
    return by_code or frozenset(code for code, name in areas.items() if name and name in part)


def file_townships(
    paths: list[str],
    townships: Mapping[str, str],
    township: str | None,
    counties: Mapping[str, str] | None = None,
) -> dict[str, str | None]:
    """Path -> the township each file comes from: `township`, the submitting staff's,
    when given, else the one its path names (`named_township`)."""
    if township:
        return dict.fromkeys(paths, township)
    seen: dict[str, frozenset[str]] = {}
    return {rel: named_township(rel, townships, seen, counties) for rel in paths}


def namesake_paths(
    paths: list[str], townships: Mapping[str, str], counties: Mapping[str, str]
) -> dict[str, list[str]]:
    """Of `paths`, those that name two or more townships of one name and no county that
    tells them apart: path -> the townships' codes. Their rejects belong to no township,
    and one township's file sent under the path would supersede the other's rejects."""
    seen: dict[str, frozenset[str]] = {}
    found = {rel: townships_named(rel, townships, seen, counties) for rel in paths}
    return {
        rel: sorted(codes)
        for rel, codes in found.items()
        if len(codes) > 1 and len({townships[c] for c in codes}) == 1
    }
