"""The cells of an xlsx sheet that calamine reads otherwise than a spreadsheet shows them.

- An error cell (`t="e"`: #N/A, #REF!…) calamine reads as blank, so an optional column
  would silently take its default: it is read as its text, which a rule rejects.
- A number in a percent format (built-in formats 9 and 10, or a custom format with a %)
  calamine reads as the fraction: 95% is 0.95, and a satisfaction score of 0.95 out of
  100 would load without a word. It is read as the text the office sees, "95%", so it
  meets the same rule as "95%" typed in a CSV.

Each is found in the sheet's XML by one scan, as (row, column, 1-based, text) for the
reader to put into calamine's grid.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

Shown = tuple[int, int, str]  # (row, column, 1-based, the text the cell shows)

_PREFIX = rb"(?:[^\s<>/:]+:)?"
_FORMULA = rb"\s*(?:<" + _PREFIX + rb"f[^<>]*?(?:/>|>[^<]*</" + _PREFIX + rb"f>)\s*)?"
# an error cell (t="e") with its reference, as spreadsheet programs write it, and its text
# (atomic groups and *+: each attribute's first match only, so that a tag that never ends
# costs its length, not its square — as in xlsx_guard)
_ERROR_CELL = re.compile(
    rb"<"
    + _PREFIX
    + rb"c\s(?>[^<>]*?\br=\"([A-Z]{1,3})([0-9]{1,7})\")(?>[^<>]*?\bt=\"e\")[^<>]*+>"
    + _FORMULA
    + rb"<"
    + _PREFIX
    + rb"v>([^<]{1,16})<"
)
# a cell with a style, its attributes and its value
_STYLED_CELL = re.compile(
    rb"<"
    + _PREFIX
    + rb"c\s((?>[^<>]*?\bs=\"([0-9]{1,9})\")[^<>]*+)>"
    + _FORMULA
    + rb"<"
    + _PREFIX
    + rb"v>([^<]{1,40})<"
)
_REFERENCE = re.compile(rb"\br=\"([A-Z]{1,3})([0-9]{1,7})\"")
_TYPE = re.compile(rb"\bt=\"([a-zA-Z]+)\"")
_PERCENT_FORMATS = {9, 10}  # 0% and 0.00%
# what a format code shows literally ("…", \x) or conditions ([…]): no percent there
_LITERAL = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def column_number(letters: str) -> int:
    """The 1-based number of a column named by its letters (A = 1, AA = 27)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def percent_styles(styles: ET.Element) -> frozenset[int]:
    """The indexes of the cell formats (`cellXfs`) of a styles part that show a number
    as a percent."""
    local = {e: e.tag.rpartition("}")[2] for e in styles.iter()}
    percent = set(_PERCENT_FORMATS)
    for element, name in local.items():
        if name == "numFmt" and "%" in _LITERAL.sub("", element.get("formatCode", "")):
            percent.add(int(element.get("numFmtId", "-1")))
    formats = next((e for e, name in local.items() if name == "cellXfs"), None)
    if formats is None:
        return frozenset()
    cells = [e for e in formats if local.get(e) == "xf"]
    return frozenset(i for i, xf in enumerate(cells) if int(xf.get("numFmtId", "0")) in percent)


def _percent_text(value: bytes) -> str | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return f"{number * 100:.15g}%"


def shown_cells(content: bytes, percent: frozenset[int]) -> list[Shown]:
    """The cells of a sheet part (`content`) to read as the text they show: its error
    cells, and its numbers in one of the `percent` styles."""
    shown: list[Shown] = []
    if b't="e"' in content:
        shown.extend(
            (int(row), column_number(letters.decode()), text.decode("latin-1"))
            for letters, row, text in _ERROR_CELL.findall(content)
        )
    if percent:
        for attributes, style, value in _STYLED_CELL.findall(content):
            if int(style) not in percent:
                continue
            kind = _TYPE.search(attributes)  # a number's is absent or "n"
            reference = _REFERENCE.search(attributes)
            text = _percent_text(value)
            if reference and text and (kind is None or kind.group(1) == b"n"):
                letters, row = reference.groups()
                shown.append((int(row), column_number(letters.decode()), text))
    return shown
