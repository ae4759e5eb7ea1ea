"""The contract's rules: which rows are accepted (typed) and which are rejected, and why.

`check_sheet` applies the rules a row can be judged on alone; the `check_*` functions
after it apply the rules that need other rows (the roster, the meetings). Each returns
the accepted rows and a frame of rejects, one per rejected row: the first broken rule
in column order — except that a row of an area outside the submitting township, when
there is one, is rejected for that alone ("outside_township"): no other fix makes it
the township's to send.

A reject shows the value that broke the rule, but never personal data (`shown_value`),
since rejects are listed on 数据质量 and in its CSV:

- a person column's value (`PERSONAL_COLUMNS`) is always redacted;
- any value, in any column of any kind, in which a resident ID number or a mobile
  number appears is redacted: ignoring spaces and hyphens, a run of 15 to 18 digits,
  the last may be X (an 18-digit ID, an old 15-digit one, or one with digits lost),
  or an 11-digit mobile number (1[3-9]…, optionally after 86). Longer runs (a count
  of 20 digits) are shown;
- in a row of a kind with person columns (attendance), any value shaped like a name:
  letters, no digit, and no word of the contract (a vocabulary code or label, a yes/no
  spelling, a column name or alias, a unit type). Such a sheet has no free text, and a
  name cannot be told from other words by its shape ("张三" from "也许" under 是否党员),
  nor a shifted row from its header (a name typed under 是否党员 in a file without a
  姓名 column). An identifier with a digit (HY-1) and text without letters are shown.

The value shown is at most `SHOWN_MAX` characters, control characters made visible.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from xieshang.contract.columns import (
    COLUMNS,
    PERSONAL_COLUMNS,
    UNIT_TYPES,
    VOCAB_DEFAULTS,
    VOCABULARIES,
    lookup_table,
)
from xieshang.contract.reasons import reason
from xieshang.etl.cells import BOOL_WORDS, EARLIEST, clean_text, column_parser, parse_column
from xieshang.etl.read import SheetRows
from xieshang.warehouse.codes import level_of, month_key, parent_of, scope_range

META = ["_path", "_sheet", "_row", "_seq"]
REJECT_COLUMNS = [
    "kind",
    "path",
    "sheet",
    "row_number",
    "rule",
    "column_name",
    "value",
    "reason_zh",
    "reason_en",
    "area_code",
    "month",
]
"""The columns of `rejects` a reject has when judged; its township and the header its
file gives the column are the run's to add (`xieshang.etl.merge`), and "_meeting_id"
(not stored) lets the run find an attendance row's meeting, for its month, and "_key"
(stored as row_key, an attendance row's person hashed first) names the row."""
ROW_KEYS = {
    "areas": ("area_code",),
    "meetings": ("area_code", "meeting_id"),
    "attendance": ("area_code", "meeting_id", "person_id"),
    "resolutions": ("area_code", "resolution_id", "updated_on"),
}
"""The fields that name a row of each kind: a later row of the same key replaces it."""
DATE_OF_ROW = {"meetings": "meeting_date", "resolutions": "updated_on"}
"""The date that places a row of a kind in a month (attendance: its meeting's)."""
OPTIONAL_FALSE = ("online", "in_assessment")
REDACTED = "（已隐去 redacted）"
SHOWN_MAX = 200
PARSERS_OF = {kind: [column_parser(c) for c in columns] for kind, columns in COLUMNS.items()}

_SEPARATORS = re.compile(r"[\s-]+")
_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{14,17}[0-9Xx](?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86)?1[3-9][0-9]{9}(?![0-9])")
# an 11- to 18-digit number as a spreadsheet writes it into a CSV (3.30281199001011E+17):
# up to 15 of an ID's digits, a mobile number's leading ones
_SCIENTIFIC_NUMBER = re.compile(r"(?<![0-9.])[0-9]\.[0-9]+[eE]\+?1[0-7](?![0-9])")
# C0 controls as their Unicode pictures (␀ ␉ ␊ …), DEL as ␡, C1 as �
_VISIBLE = {
    **{code: 0x2400 + code for code in range(0x20)},
    0x7F: 0x2421,
    **{code: 0xFFFD for code in range(0x80, 0xA0)},
}


def derived_unit_type(code: str) -> str | None:
    """The unit type the national numbering implies, when the roster gives none."""
    level = level_of(code)
    if level == "township":
        digits = int(code[6:9])
        return (
            "街道"
            if 1 <= digits <= 99
            else "镇"
            if digits <= 199
            else "乡"
            if digits <= 399
            else None
        )
    if level == "village":
        digits = int(code[9:12])
        return "社区" if 1 <= digits <= 199 else "村" if digits <= 399 else None
    return None


def empty_rejects() -> pd.DataFrame:
    return pd.DataFrame(
        {name: pd.Series(dtype=object) for name in [*REJECT_COLUMNS, "_meeting_id", "_key"]}
    )


def _contract_words() -> frozenset[str]:
    words = set(BOOL_WORDS) | set(UNIT_TYPES)
    for vocab in VOCABULARIES:
        words |= set(lookup_table(vocab))
    for columns in COLUMNS.values():
        for column in columns:
            words |= {clean_text(name).lower() for name in (column.name, *column.aliases)}
    return frozenset(words)


CONTRACT_WORDS = _contract_words()


def shows_personal_number(text: str) -> bool:
    """Whether a resident ID number or a mobile number appears in `text`, as it is, as a
    spreadsheet writes a long number (3.30281199001011E+17) or with spaces, line breaks
    and dashes taken out (a number written in groups). Both: taking
    them out also joins a number to the digits after it, which then reads as no number."""
    head = text[: SHOWN_MAX * 2]
    return any(
        pattern.search(version)
        for version in (head, _SEPARATORS.sub("", head))
        for pattern in (_ID_NUMBER, _MOBILE, _SCIENTIFIC_NUMBER)
    )


def _name_shaped(text: str) -> bool:
    """Letters, no digit, and no word of the contract: what a name may be."""
    return (
        text.lower() not in CONTRACT_WORDS
        and any(ch.isalpha() for ch in text)
        and not any(ch.isdigit() for ch in text)
    )


def shown_value(column: str, value: object, exposed: bool = False) -> str:
    """The value as a reject shows it: personal data redacted, bounded, controls visible.

    `exposed`: the row is of a kind with person columns, where a value shaped like a name
    may be one."""
    if column in PERSONAL_COLUMNS:
        return REDACTED
    text = value.isoformat() if isinstance(value, date) else clean_text(value)
    if shows_personal_number(text):
        return REDACTED
    if exposed and _name_shaped(text):
        return REDACTED
    if len(text) > SHOWN_MAX:
        text = text[:SHOWN_MAX] + "…"
    return text.translate(_VISIBLE)


_PERSON_KINDS = frozenset(
    kind for kind, columns in COLUMNS.items() if any(c.name in PERSONAL_COLUMNS for c in columns)
)


def make_rejects(
    kind: str, rows: pd.DataFrame, rules: list[str], columns: list[str], values: list
) -> pd.DataFrame:
    """Reject records for `rows` (which carry META and, if valid, area_code)."""
    if rows.empty:
        return empty_rejects()
    exposed = kind in _PERSON_KINDS
    codes = rows["area_code"] if "area_code" in rows else pd.Series([None] * len(rows))
    codes = [c if isinstance(c, str) and len(c) == 12 else None for c in codes]
    texts = [reason(rule) for rule in rules]
    day = DATE_OF_ROW.get(kind)
    days = rows[day].tolist() if day is not None and day in rows else [None] * len(rows)
    meeting_ids = rows["meeting_id"].tolist() if "meeting_id" in rows else [None] * len(rows)
    return pd.DataFrame(
        {
            "kind": kind,
            "path": rows["_path"].to_numpy(),
            "sheet": rows["_sheet"].to_numpy(),
            "row_number": rows["_row"].to_numpy(),
            "rule": rules,
            "column_name": columns,
            "value": [
                shown_value(col, val, exposed) for col, val in zip(columns, values, strict=True)
            ],
            "reason_zh": [zh for zh, _ in texts],
            "reason_en": [en for _, en in texts],
            "area_code": codes,
            "month": pd.Series(
                [month_key(d) if isinstance(d, date) else None for d in days], dtype=object
            ),
            "_meeting_id": [m if isinstance(m, str) else None for m in meeting_ids],
            "_key": _row_keys(kind, rows, rules),
        }
    )


def _row_keys(kind: str, rows: pd.DataFrame, rules: list[str]) -> list[tuple | None]:
    """Each rejected row's key (`ROW_KEYS`), None where a part of it is missing or not
    valid, or where the row lies outside the submitting township: that row was not its
    own township's to send, so it must not stand for that township's row."""
    fields = ROW_KEYS[kind]
    if not all(field in rows for field in fields):
        return [None] * len(rows)
    parts = zip(*(rows[field].tolist() for field in fields), strict=True)
    return [
        key
        if rule != "outside_township" and all(isinstance(p, str | date) and p != "" for p in key)
        else None
        for key, rule in zip(parts, rules, strict=True)
    ]


def check_sheet(
    sheet: SheetRows, today: date, seq_start: int, township: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rules a row is judged on alone: types, required cells, vocabularies, own dates;
    and, when `township` submits the sheet, that the row's area is the township's."""
    raw = sheet.frame
    n = len(raw)
    columns = COLUMNS[sheet.kind]
    typed: dict[str, np.ndarray] = {}
    problems = np.full((n, len(columns)), None, dtype=object)
    for j, (column, parser) in enumerate(zip(columns, PARSERS_OF[sheet.kind], strict=True)):
        if column.name in raw:
            values, reasons = parse_column(raw[column.name], parser)
        else:
            values = np.full(n, None, dtype=object)
            reasons = np.full(n, None, dtype=object)
        if column.required:
            # a column the header lacks is the file's to fix, not each empty cell's
            missing = "missing" if column.name in raw else "missing_column"
            reasons = np.where((values == None) & (reasons == None), missing, reasons)  # noqa: E711
        typed[column.name] = values
        problems[:, j] = reasons
    _own_rules(sheet.kind, typed, problems, [c.name for c in columns], today)
    if township is not None:
        outside = outside_township(typed["area_code"], township)
        problems[outside] = None
        problems[outside, [c.name for c in columns].index("area_code")] = "outside_township"

    bad = (problems != None).any(axis=1)  # noqa: E711
    frame = pd.DataFrame(typed, dtype=object)
    # a batch of sheets alike (xieshang.etl.judge) carries each row's own file and sheet
    for name, value in (("_path", sheet.path), ("_sheet", sheet.sheet)):
        frame[name] = raw[name].to_numpy() if name in raw else value
    frame["_row"] = raw["_row"].to_numpy()
    frame["_seq"] = np.arange(seq_start, seq_start + n)
    _fill_defaults(sheet.kind, frame)

    rejected = frame[bad]
    bad_problems = problems[bad]
    first = (bad_problems != None).argmax(axis=1)  # noqa: E711
    names = [columns[j].name for j in first]
    rules = [bad_problems[i, j] for i, j in enumerate(first)]
    raw_bad = raw[bad]
    shown = [raw_bad[name].iloc[i] if name in raw_bad else "" for i, name in enumerate(names)]
    return frame[~bad].reset_index(drop=True), make_rejects(
        sheet.kind,
        rejected,
        rules,
        names,
        shown,
    )


def outside_township(codes: np.ndarray, township: str) -> np.ndarray:
    """Per code: whether it is a valid code outside `township` (neither the township nor
    below it); an invalid or missing code is another rule's to reject."""
    low, high = scope_range(township)
    return np.array([isinstance(c, str) and not low <= c <= high for c in codes], dtype=bool)


def _own_rules(
    kind: str, typed: dict[str, np.ndarray], problems: np.ndarray, names: list[str], today: date
) -> None:
    """Rules between cells of one row, written into `problems` where a column has none yet."""

    def flag(column: str, mask: np.ndarray, rule: str) -> None:
        j = names.index(column)
        free = problems[:, j] == None  # noqa: E711
        problems[:, j] = np.where(mask & free, rule, problems[:, j])

    def dates(column: str) -> pd.Series:
        return pd.Series(typed[column], dtype=object)

    def compare(left: pd.Series, op: str, right) -> np.ndarray:
        present = left.notna() & (
            pd.Series(right).notna() if isinstance(right, pd.Series) else True
        )
        result = np.zeros(len(left), dtype=bool)
        idx = np.flatnonzero(present.to_numpy())
        lhs = left.to_numpy()[idx]
        rhs = right.to_numpy()[idx] if isinstance(right, pd.Series) else right
        result[idx] = (lhs > rhs) if op == ">" else (lhs < rhs)
        return result

    if kind == "meetings":
        meeting_date = dates("meeting_date")
        flag("meeting_date", compare(meeting_date, ">", today), "future_date")
        flag("meeting_date", compare(meeting_date, "<", EARLIEST), "before_2000")
    elif kind == "resolutions":
        updated = dates("updated_on")
        completed = dates("completed_date")
        flag("updated_on", compare(updated, ">", today), "future_date")
        implemented = typed["status"] == "implemented"
        flag("completed_date", implemented & completed.isna().to_numpy(), "completed_missing")
        flag("completed_date", compare(completed, ">", updated), "completed_after_update")


def _fill_defaults(kind: str, frame: pd.DataFrame) -> None:
    for name, default in VOCAB_DEFAULTS.items():
        if name in frame:
            frame[name] = frame[name].where(frame[name].notna(), default)
    for name in OPTIONAL_FALSE:
        if name in frame:
            frame[name] = frame[name].where(frame[name].notna(), False)
    if kind == "areas":
        derived = [
            given if given is not None else (derived_unit_type(code) if code else None)
            for given, code in zip(frame["unit_type"], frame["area_code"], strict=True)
        ]
        frame["unit_type"] = pd.Series(derived, index=frame.index, dtype=object)


def _split(frame: pd.DataFrame, bad: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    return frame[~bad].reset_index(drop=True), frame[bad].reset_index(drop=True)


def check_areas(frame: pd.DataFrame, known: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parents: a given parent must be the code's own; the parent must be in the roster.

    `known` is the roster already in the warehouse. Codes are taken top-down so that a
    unit whose parent is rejected is rejected too.
    """
    own = [parent_of(code) for code in frame["area_code"]]
    mismatch = np.array(
        [
            given is not None and given != parent
            for given, parent in zip(frame["parent_code"], own, strict=True)
        ],
        dtype=bool,
    )
    roster = set(known)
    orphans: set[str] = set()
    depth = ("city", "county", "township", "village")
    for code in sorted(set(frame["area_code"][~mismatch]), key=lambda c: depth.index(level_of(c))):
        if level_of(code) in ("township", "village") and parent_of(code) not in roster:
            orphans.add(code)
        else:
            roster.add(code)
    orphan = frame["area_code"].isin(orphans).to_numpy() & ~mismatch
    accepted, rejected = _split(frame, mismatch | orphan)
    was_mismatch = mismatch[mismatch | orphan]
    rules = ["parent_mismatch" if m else "parent_unknown" for m in was_mismatch]
    columns = ["parent_code" if m else "area_code" for m in was_mismatch]
    values = [
        r.parent_code if m else r.area_code
        for m, r in zip(was_mismatch, rejected.itertuples(index=False), strict=True)
    ]
    return accepted, make_rejects("areas", rejected, rules, columns, values)


def check_known_area(
    kind: str, frame: pd.DataFrame, roster: set[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Meetings must be hosted by an area of the roster."""
    bad = ~frame["area_code"].isin(roster).to_numpy()
    accepted, rejected = _split(frame, bad)
    n = len(rejected)
    return accepted, make_rejects(
        kind, rejected, ["unknown_area"] * n, ["area_code"] * n, list(rejected["area_code"])
    )


def check_escalation(frame: pd.DataFrame, roster: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """escalated_to: a known area of strictly higher level whose range contains this one."""
    depth = {"city": 4, "county": 6, "township": 9, "village": 12}

    def valid(target: str | None, area: str) -> bool:
        if target is None:
            return True
        width = depth[level_of(target)]
        return target in roster and width < depth[level_of(area)] and area[:width] == target[:width]

    bad = np.array(
        [not valid(t, a) for t, a in zip(frame["escalated_to"], frame["area_code"], strict=True)],
        dtype=bool,
    )
    accepted, rejected = _split(frame, bad)
    n = len(rejected)
    return accepted, make_rejects(
        "resolutions",
        rejected,
        ["bad_escalation"] * n,
        ["escalated_to"] * n,
        list(rejected["escalated_to"]),
    )


def check_against_meeting(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Resolution dates against their meeting's date (`meeting_date` joined in)."""
    meeting = frame["meeting_date"]
    due_bad = (frame["due_date"] < meeting).to_numpy(dtype=bool)
    completed = frame["completed_date"]
    has_completed = completed.notna().to_numpy()
    completed_bad = np.zeros(len(frame), dtype=bool)
    completed_bad[has_completed] = (completed[has_completed] < meeting[has_completed]).to_numpy(
        dtype=bool
    )
    bad = due_bad | completed_bad
    accepted, rejected = _split(frame, bad)
    due_rows = due_bad[bad]
    rules = ["due_before_meeting" if d else "completed_before_meeting" for d in due_rows]
    columns = ["due_date" if d else "completed_date" for d in due_rows]
    values = [
        r.due_date if d else r.completed_date
        for d, r in zip(due_rows, rejected.itertuples(index=False), strict=True)
    ]
    return accepted, make_rejects("resolutions", rejected, rules, columns, values)
