"""Turning one submitted cell into a typed value, or the reason it cannot be one.

A cell arrives as text (CSV, or a text cell in Excel) or as a native Excel value
(float, bool, date, datetime). Every parser takes either and returns
`(value, reason_code)`, exactly one of them set — `(None, None)` for an empty cell.
Parsers are pure, so a column is parsed once per distinct value (see `parse_column`).

Every value a parser accepts fits both engines alike (SQLite would store what
PostgreSQL refuses, and the reverse), so a bad cell rejects its row, never the run:

- counts are whole numbers from 0 to `MAX_COUNT` (the Integer columns hold 32 bits);
- control characters (C0, DEL, C1): free text loses them, except tab and line breaks
  (a cell may hold several lines) — NUL, which PostgreSQL cannot store, and the other
  invisible bytes of a copy-paste carry nothing an office typed; an identifier with one
  is rejected ("control_char"), since stripping could make two identifiers one;
- identifiers and free text have a maximum length per column (`MAX_LENGTHS`, applied by
  `column_parser`; "too_long");
- a meeting's or resolution's identifier that is or holds a resident ID number is
  rejected ("personal_number"): a column typed into the wrong one, whose person the
  warehouse must not keep (its personal columns are hashed or dropped, this one is not).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from xieshang.contract.columns import (
    MAX_COUNT,
    MAX_LENGTHS,
    PERSONAL_COLUMNS,
    UNIT_TYPES,
    Column,
    lookup_table,
)

Parsed = tuple[Any, str | None]
Parser = Callable[[Any], Parsed]

_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_YMD = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$", re.ASCII)
_CN_YMD = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$", re.ASCII)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$", re.ASCII)
# a long number as a spreadsheet shows it, or saves it in a CSV: 3.30281197001011E+17
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+\d+$", re.ASCII | re.IGNORECASE)
# a spreadsheet holds 15 significant digits: a longer number typed in a cell is cut
_EXACT_DIGITS = 10**15
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$", re.ASCII)
# characters that show nothing and NFKC keeps: zero-width space, joiners, word joiner, a
# byte-order mark pasted in from a web page or a UTF-8 file
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_CONTROL = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_INVISIBLE}]")
# the same but tab and line breaks, which free text keeps
_STRAY_CONTROL = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{_INVISIBLE}]")
_TRIM = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace()) + _INVISIBLE
_BOOLS = {
    "是": True,
    "否": False,
    "y": True,
    "n": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "√": True,
    "×": False,
}
BOOL_WORDS: frozenset[str] = frozenset(_BOOLS)
EARLIEST = date(2000, 1, 1)


def clean_text(value: Any) -> str:
    """Trimmed, NFKC-folded text of a cell ('' when empty); integral numbers lose '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip(_TRIM)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def _integral(value: Any) -> int | None:
    """The int a numeric cell holds, if it is a whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def parse_text(value: Any) -> Parsed:
    """Free text, its resident ID and mobile numbers masked (`mask_personal_numbers`): a
    topic, a resolution's content or its responsible unit is stored and shown as typed."""
    text = clean_text(value)
    if _STRAY_CONTROL.search(text):
        text = _STRAY_CONTROL.sub("", text).strip(_TRIM)
    return (mask_personal_numbers(text) or None), None


def parse_id(value: Any) -> Parsed:
    # an 18-digit ID card number typed in a number cell
    if type(value) in (int, float) and abs(value) >= _EXACT_DIGITS:
        return None, "id_as_number"
    text = clean_text(value)
    if _CONTROL.search(text):
        return None, "control_char"
    if _SCIENTIFIC.match(text):
        return None, "id_as_number"
    return (text.translate(_ASCII_UPPER) or None), None


# GB 11643: the weights of a resident ID's first 17 digits, and its check digit by the
# weighted sum mod 11
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_RESIDENT_ID = re.compile(r"^\d{6}(\d{4})(\d{2})(\d{2})\d{3}[\dX]$", re.ASCII)
_GROUPING = re.compile(r"[\s-]+")
_ADULT_BORN_BY = date(2010, 12, 31)  # the latest birth day of the people at a meeting


def is_personal_number(text: str) -> bool:
    """Whether `text` (upper-cased), its spaces and dashes taken out, is an 18-digit
    resident ID number, its check digit right and its birth date one of an adult's now:
    a person's number, not one an office gives a meeting. Not a mobile number, nor a
    15-digit ID (no check digit): 130102001-01 or 区划代码+年月日+序号 are read as those
    (the first is a Hebei township's code and a number), and an office's numbering must
    not be refused; an 18-digit 区划代码+年月日+序号 of 2000-2010 passes the check one
    time in 11, and its hint says to put a letter before it."""
    digits = _GROUPING.sub("", text)
    return _RESIDENT_ID.match(digits) is not None and _id18(digits, _ADULT_BORN_BY)


_EMBEDDED_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9X])", re.ASCII)

# What a personal number in free text is replaced with (`mask_personal_numbers`): a fixed
# text, not a hash, so that nothing of the number is kept; brackets and no digit, so that
# a masked text is masked again unchanged, and no kind keyword (it sits in file names)
ID_NUMBER_MASK = "[身份证号已隐去]"
MOBILE_MASK = "[手机号已隐去]"
# candidates, in any script's digits (full-width in a file name, which is not NFKC-folded),
# whole or in the groups people write them in (one space or dash between), never part of a
# longer run of digits: a 12-digit area code, a 20-digit count are no candidates
_ID18_IN_TEXT = re.compile(r"(?<!\d)(\d{6})[ -]?(\d{8})[ -]?(\d{3}[\dXxＸｘ])(?!\d)")
_ID15_IN_TEXT = re.compile(r"(?<!\d)(\d{6})[ -]?(\d{6})[ -]?(\d{3})(?!\d)")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")
_THREE_DIGITS = re.compile(r"\d{3}")


def _id18(digits: str, latest: date) -> bool:
    """Whether 18 characters are a resident ID number: check character right (GB 11643,
    ISO 7064 MOD 11-2) and a birth date from 1900-01-01 to `latest`."""
    born = _make_date(digits[6:10], digits[10:12], digits[12:14])
    if born is None or not date(1900, 1, 1) <= born <= latest:
        return False
    total = sum(int(d) * w for d, w in zip(digits, _ID_WEIGHTS, strict=False))
    return _ID_CHECK[total % 11] == digits[-1].upper()


def mask_personal_numbers(text: str) -> str:
    """`text` with every resident ID number and mobile number in it replaced by
    `ID_NUMBER_MASK` or `MOBILE_MASK`: the one place that says what such a number is in
    free text, applied to every text a submitted file brings to the warehouse (free-text
    cells, file and sheet names, reasons quoting them).

    - an 18-character ID: 17 digits and a digit or X, its check character right and its
      birth date a real day from 1900 on, not in the future (a checksum-wrong number is
      kept: an office's own numbering);
    - an old 15-digit ID: its birth date (digits 7-12, 19YYMMDD) a real day;
    - a mobile number: 11 digits 1[3-9]…, optionally after 86 or +86;

    each whole or in groups (330281 19900101 1235, 138-1234-5678), never inside a longer
    run of digits. A 12-digit area code is none of them."""
    if len(text) < 11 or not _THREE_DIGITS.search(text):  # most text: no number to look at
        return text
    latest = date.today()

    def id18(match: re.Match) -> str:
        digits = unicodedata.normalize("NFKC", "".join(match.groups()))
        return ID_NUMBER_MASK if _id18(digits, latest) else match[0]

    def id15(match: re.Match) -> str:
        born = match[2]
        return ID_NUMBER_MASK if _make_date(f"19{born[:2]}", born[2:4], born[4:]) else match[0]

    text = _ID18_IN_TEXT.sub(id18, text)
    text = _ID15_IN_TEXT.sub(id15, text)
    return _MOBILE_IN_TEXT.sub(MOBILE_MASK, text)


def holds_personal_number(text: str) -> bool:
    """Whether `text` (upper-cased) is a resident ID number (`is_personal_number`) or holds
    one among other text (HY1（330281197003033455）, a number and its person's ID run
    into one cell), as it is or with its spaces and dashes taken out."""
    return is_personal_number(text) or any(
        is_personal_number(match)
        for version in (text, _GROUPING.sub("", text))
        for match in _EMBEDDED_ID.findall(version)
    )


def not_personal(parser: Parser) -> Parser:
    """`parser`, rejecting a value that is or holds a person's number ("personal_number")."""

    def parse(value: Any) -> Parsed:
        parsed, reason = parser(value)
        if parsed is not None and holds_personal_number(parsed):
            return None, "personal_number"
        return parsed, reason

    return parse


def parse_code(value: Any) -> Parsed:
    number = _integral(value)
    text = str(number) if number is not None else clean_text(value)
    if not text:
        return None, None
    if text.isascii() and text.isdigit() and len(text) in (6, 9, 12):
        return text.ljust(12, "0"), None
    return None, "bad_code"


def _make_date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_date(value: Any) -> Parsed:
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    number = _integral(value)
    text = str(number) if number is not None else clean_text(value)
    if not text:
        return None, None
    if isinstance(value, float) and number is None:
        return None, "bad_date"
    for pattern in (_YMD, _CN_YMD, _COMPACT):
        match = pattern.match(text)
        if match:
            groups = match.groups()
            parts = (groups[0], groups[2], groups[3]) if pattern is _YMD else groups
            parsed = _make_date(*parts)
            return (parsed, None) if parsed else (None, "bad_date")
    return None, "bad_date"


def parse_bool(value: Any) -> Parsed:
    if isinstance(value, bool):
        return value, None
    number = _integral(value)
    if number is not None:
        return (bool(number), None) if number in (0, 1) else (None, "bad_bool")
    text = clean_text(value)
    if not text:
        return None, None
    parsed = _BOOLS.get(text.lower())
    return (parsed, None) if parsed is not None else (None, "bad_bool")


def parse_int(value: Any) -> Parsed:
    number = _integral(value)
    if number is None:
        text = clean_text(value)
        if not text:
            return None, None
        if not (text.isascii() and text.isdigit()):
            return None, "bad_int"
        if len(text.lstrip("0")) > len(str(MAX_COUNT)):
            # int() of a few thousand digits raises; any such number is too large
            return None, "count_too_large"
        number = int(text)
    if number < 0:
        return None, "bad_int"
    return (number, None) if number <= MAX_COUNT else (None, "count_too_large")


def parse_number(value: Any) -> Parsed:
    if isinstance(value, bool):
        return None, "bad_number"
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number):
            return None, None
    else:
        text = clean_text(value)
        if not text:
            return None, None
        if not _DECIMAL.match(text):
            return None, "bad_number"
        number = float(text)
    if math.isfinite(number) and 0 <= number <= 100:
        return number, None
    return None, "bad_number"


def vocab_parser(vocab: str) -> Parser:
    table = lookup_table(vocab)

    def parse(value: Any) -> Parsed:
        text = clean_text(value)
        if not text:
            return None, None
        code = table.get(text.lower())
        return (code, None) if code else (None, "bad_vocab")

    return parse


def parse_unit_type(value: Any) -> Parsed:
    text = clean_text(value)
    if not text:
        return None, None
    return (text, None) if text in UNIT_TYPES else (None, "bad_vocab")


PARSERS: dict[str, Parser] = {
    "text": parse_text,
    "id": parse_id,
    "code": parse_code,
    "date": parse_date,
    "bool": parse_bool,
    "int": parse_int,
    "number": parse_number,
    "unit_type": parse_unit_type,
    **{
        name: vocab_parser(name)
        for name in ("form", "topic_category", "topic_source", "category", "status")
    },
}


def limited(parser: Parser, max_length: int) -> Parser:
    """`parser`, rejecting a value longer than `max_length` characters ("too_long")."""

    def parse(value: Any) -> Parsed:
        parsed, reason = parser(value)
        if parsed is not None and len(parsed) > max_length:
            return None, "too_long"
        return parsed, reason

    return parse


# what a spreadsheet shows for a formula that found nothing (an xlsx's error cells are
# read as their text; a CSV saved from one carries it): no value of any column
FORMULA_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
    | {"#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}
)


FORMULA_ERROR: Parsed = (None, "formula_error")


def _formula_error(text: str) -> bool:
    return clean_text(text).upper() in FORMULA_ERRORS


def column_parser(column: Column) -> Parser:
    """The parser of a contract column: its type's, bounded by its maximum length, if it
    has one; a meeting's or resolution's identifier that is a person's number refused."""
    parser = PARSERS[column.type]
    if column.type == "id" and column.name not in PERSONAL_COLUMNS:
        parser = not_personal(parser)
    max_length = MAX_LENGTHS.get(column.name)
    return limited(parser, max_length) if max_length else parser


def parse_column(cells: pd.Series, parser: Parser) -> tuple[np.ndarray, np.ndarray]:
    """Parse every cell of a column: (values, reason codes), both object arrays; a
    spreadsheet's error value (`FORMULA_ERRORS`) is rejected ("formula_error").

    Submissions repeat a few values endlessly (dates, codes, 是/否), so each distinct
    cell is parsed once and the results are spread back by index.
    """
    codes, uniques = pd.factorize(cells.astype(object), use_na_sentinel=False)
    numeric = any(isinstance(value, int | float) for value in uniques)  # bool is an int
    if numeric and any(isinstance(value, bool) for value in cells):
        # factorize takes True for 1 and False for 0: TRUE/FALSE cells are told by their type
        distinct: dict = {}
        codes = np.fromiter(
            (distinct.setdefault((type(value), value), len(distinct)) for value in cells),
            dtype=np.intp,
            count=len(cells),
        )
        uniques = [value for _, value in distinct]
    # a formula's error value is no value of any column, whatever would otherwise read it
    # as text, an identifier or (blank) a default: checked here, inline, for every parser
    results = [
        FORMULA_ERROR
        if type(value) is str and "#" in value and _formula_error(value)
        else parser(value)
        for value in uniques
    ]
    values = np.empty(len(results), dtype=object)
    reasons = np.empty(len(results), dtype=object)
    for i, (value, reason) in enumerate(results):
        values[i] = value
        reasons[i] = reason
    return values[codes], reasons[codes]
