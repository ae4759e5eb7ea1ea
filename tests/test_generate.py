"""The synthetic inbox generator (`xieshang generate`): determinism, codes, formats, dirt.

The files are read back here with a small reader of its own (csv + openpyxl and the
contract's header names), so these tests do not depend on the ETL.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from xieshang.contract.columns import COLUMNS, KIND_KEYWORDS, KINDS
from xieshang.demo.inbox import write_inbox
from xieshang.warehouse.codes import level_of, parent_of

SMALL = {"townships": 5, "villages_per_township": 3, "months": 3, "end": "2025-06"}
HEADERS = {
    kind: {
        name.lower(): column.name
        for column in COLUMNS[kind]
        for name in (column.name, *column.aliases)
    }
    for kind in KINDS
}
DATE_COLUMNS = ("meeting_date", "due_date", "completed_date", "updated_on")
FACT_DATES = ("meeting_date", "completed_date", "updated_on")  # due_date is a plan
CLOSED = {"implemented", "cancelled", "已落实", "已办结", "已完成", "已撤销", "不再落实"}


def kind_of(name: str) -> str | None:
    lowered = name.lower()
    for kind in KINDS:
        if any(keyword in lowered for keyword in KIND_KEYWORDS[kind]):
            return kind
    return None


def is_junk(path: Path) -> bool:
    return (
        path.name.startswith((".", "~$"))
        or path.suffix not in (".csv", ".xlsx")
        or (path.suffix == ".csv" and kind_of(path.name) is None)
    )


def decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", data[3:].decode("utf-8")
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030", data.decode("gb18030")


def header_at(rows: list[list], kind: str) -> int | None:
    known = HEADERS[kind]
    for i, row in enumerate(rows):
        names = {known[str(c).strip().lower()] for c in row if str(c).strip().lower() in known}
        if len(names) >= 2:
            return i
    return None


def sheets(root: Path):
    """(relative path, sheet, kind, rows as dicts of canonical name -> cell) of every sheet."""
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not is_junk(p)):
        rel = path.relative_to(root).as_posix()
        if path.suffix == ".csv":
            kind = kind_of(path.name)
            found = [(None, kind, list(csv.reader(io.StringIO(decode(path.read_bytes())[1]))))]
        else:
            try:
                book = openpyxl.load_workbook(path, read_only=True)
            except Exception:  # noqa: BLE001 - the corrupt workbook
                continue
            found = [
                (
                    ws.title,
                    kind_of(ws.title) or kind_of(path.name),
                    [["" if v is None else v for v in r] for r in ws.iter_rows(values_only=True)],
                )
                for ws in book.worksheets
            ]
            book.close()
        for sheet, kind, rows in found:
            at = header_at(rows, kind)
            if at is None:
                continue
            names = [HEADERS[kind].get(str(c).strip().lower()) for c in rows[at]]
            body = [r for r in rows[at + 1 :] if any(str(c).strip() for c in r)]
            yield (
                rel,
                sheet,
                kind,
                [{n: c for n, c in zip(names, r, strict=False) if n} for r in body],
            )


_FORMS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def as_date(cell) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    text = str(cell).strip()
    for form in _FORMS:
        match = form.match(text)
        if match:
            try:
                return date(*map(int, match.groups()))
            except ValueError:
                return None
    return None


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("clean")
    return root, write_inbox(root, **SMALL)


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("dirty")
    return root, write_inbox(root, **SMALL, dirty=True)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, dirty):
    root, report = dirty
    again = write_inbox(tmp_path / "again", **SMALL, dirty=True)
    assert digests(tmp_path / "again") == digests(root)
    assert {k: v for k, v in again.items() if k != "outdir"} == {
        k: v for k, v in report.items() if k != "outdir"
    }
    write_inbox(tmp_path / "other", **SMALL, dirty=True, seed=2)
    other = digests(tmp_path / "other")
    assert other != digests(root)
    assert sum(other.get(k) != v for k, v in digests(root).items()) > len(other) // 2


def test_report_shape(clean, dirty):
    root, report = clean
    assert report["outdir"] == str(root)
    assert (report["seed"], report["months"], report["end"]) == (1, 3, "2025-06")
    assert report["areas"] == 1 + 5 + 5 * 3
    assert report["dirty"] is None
    files = [p for p in root.rglob("*") if p.is_file()]
    assert report["files"] == len(files)
    assert set(report["rows"]) == {"areas", "meetings", "attendance", "resolutions"}
    assert dirty[1]["files"] == len([p for p in dirty[0].rglob("*") if p.is_file()])
    assert set(dirty[1]["dirty"]) >= {"rejected", "held", "skipped_files", "unreadable_files"}


def test_roster_codes_follow_the_national_numbering(clean):
    root, report = clean
    (roster,) = [s for s in sheets(root) if s[2] == "areas"]
    rows = roster[3]
    assert len(rows) == report["areas"] == report["rows"]["areas"]
    codes = {r["area_code"] for r in rows}
    assert len(codes) == len(rows)
    counties = [r for r in rows if level_of(r["area_code"]) == "county"]
    assert [r["area_code"] for r in counties] == [report["county_code"]]
    for r in rows:
        code = r["area_code"]
        assert re.fullmatch(r"\d{12}", code)
        level = level_of(code)
        if level == "county":
            assert r["unit_type"] == "县" and not r.get("parent_code")
            continue
        assert r["parent_code"] == parent_of(code) and parent_of(code) in codes
        assert code[:6] == report["county_code"][:6]
        if level == "township":
            digits = int(code[6:9])
            expected = "街道" if digits <= 99 else "镇" if digits <= 199 else "乡"
            assert 1 <= digits <= 399 and r["unit_type"] == expected
            assert r["area_name"].endswith(expected)
            assert 40 <= r["party_members"] <= 120
        else:
            digits = int(code[9:12])
            expected = "社区" if digits <= 199 else "村"
            assert 1 <= digits <= 399 and r["unit_type"] == expected
            assert r["area_name"].endswith(expected)
            assert 20 <= r["party_members"] <= 150 and r["population"] > 0


def test_every_name_maps_to_its_kind(clean):
    root, report = clean
    seen = Counter()
    for rel, sheet, kind, rows in sheets(root):
        name = sheet if sheet and kind_of(sheet) else Path(rel).name
        assert kind_of(name) == kind, (rel, sheet)
        required = {c.name for c in COLUMNS[kind] if c.required}
        assert all(required <= set(r) for r in rows), (rel, sheet)
        seen[kind] += len(rows)
    assert dict(seen) == report["rows"]
    for path in root.rglob("*.csv"):
        assert kind_of(path.name) is not None
    for path in root.rglob("*"):
        if path.is_file() and kind_of(path.name) == "meetings":
            assert not re.search("参会|签到|人员|决议|落实|区划|组织", path.name)


def test_default_township_count_uses_every_format(tmp_path):
    report = write_inbox(tmp_path, villages_per_township=1, months=1, end="2025-06")
    assert set(report["formats"].values()) == {
        "csv_utf8",
        "csv_gb18030",
        "csv_bom_en",
        "xlsx_title",
        "xlsx_multi",
    }
    encodings = Counter()
    for path in tmp_path.rglob("*.csv"):
        encoding, text = decode(path.read_bytes())
        encodings[encoding] += 1
        if encoding == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                path.read_bytes().decode("utf-8")
        header = next(
            r for r in csv.reader(io.StringIO(text)) if header_at([r], kind_of(path.name)) == 0
        )
        english = all(re.fullmatch(r"[a-z_]+", c) for c in header if c)
        assert english == (encoding == "utf-8-sig"), path.name
    assert encodings["gb18030"] and encodings["utf-8-sig"] and encodings["utf-8"]
    multi = [p for p in tmp_path.rglob("*.xlsx") if "协商台账" in p.name]
    assert multi
    book = openpyxl.load_workbook(multi[0], read_only=True)
    assert book.sheetnames == ["会议台账", "参会签到", "决议落实"]
    book.close()


def test_xlsx_have_a_title_row_and_real_dates(clean):
    root, _ = clean
    workbooks = sorted(root.rglob("*.xlsx"))
    assert workbooks
    date_cells = 0
    for path in workbooks:
        book = openpyxl.load_workbook(path, read_only=True)
        for ws in book.worksheets:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            kind = kind_of(ws.title) or kind_of(path.name)
            title = [c for c in rows[0] if c not in (None, "")]
            assert len(title) == 1 and isinstance(title[0], str), (path.name, ws.title)
            assert header_at(rows[:1], kind) is None
            at = header_at(rows, kind)
            assert at is not None and at >= 1
            names = [HEADERS[kind].get(str(c).strip().lower()) for c in rows[at]]
            for row in rows[at + 1 :]:
                for name, cell in zip(names, row, strict=False):
                    if name in DATE_COLUMNS and cell is not None:
                        assert isinstance(cell, datetime), (path.name, name, cell)
                        date_cells += 1
        book.close()
    assert date_cells


def test_dates_keys_and_cross_row_rules_hold_in_clean_data(tmp_path):
    today = date(2025, 7, 16)
    report = write_inbox(tmp_path, **dict(SMALL, end=None), today=today)
    assert report["end"] == "2025-07"
    roster: set[str] = set()
    meetings: dict[tuple[str, str], date] = {}
    people: set[tuple] = set()
    reports: dict[tuple, dict] = {}
    forms = Counter()
    found = sorted(
        sheets(tmp_path),
        key=lambda s: ["areas", "meetings"].index(s[2]) if s[2] in ("areas", "meetings") else 2,
    )
    for rel, _sheet, kind, rows in found:
        for r in rows:
            for name in DATE_COLUMNS:
                cell = r.get(name)
                if cell in (None, ""):
                    continue
                value = as_date(cell)
                assert value is not None and value >= date(2000, 1, 1), (rel, r)
                assert value <= today or name not in FACT_DATES, (rel, r)
                forms[re.sub(r"\d", "9", cell) if isinstance(cell, str) else "cell"] += 1
            area = str(r.get("area_code"))
            if kind == "areas":
                roster.add(area)
            elif kind == "meetings":
                assert area in roster
                assert as_date(r["meeting_date"]) < today  # this month: up to yesterday
                key = (area, r["meeting_id"].upper())
                assert key not in meetings
                meetings[key] = as_date(r["meeting_date"])
            elif kind == "attendance":
                key = (area, r["meeting_id"].upper(), r["person_id"])
                assert key not in people and key[:2] in meetings
                people.add(key)
                assert re.fullmatch(r"\d{17}[\dX]", r["person_id"])
            else:
                key = (area, r["resolution_id"].upper(), as_date(r["updated_on"]))
                assert key not in reports
                reports[key] = r
                held = meetings[(area, r["meeting_id"].upper())]
                assert as_date(r["due_date"]) >= held
                if r["completed_date"] not in (None, ""):
                    assert held <= as_date(r["completed_date"]) <= key[2]
                target = str(r.get("escalated_to") or "").ljust(12, "0")
                if target.strip("0"):
                    width = {"county": 6, "township": 9}[level_of(target)]
                    assert target in roster and area[:width] == target[:width]
                    assert width < {"township": 9, "village": 12}[level_of(area)]
    assert len(forms) >= 3  # dates as Excel cells and in several text forms
    # A resolution is reported every month while open; a closing report is its last,
    # unless it is reopened the next month (a data-quality signal the dashboard shows).
    by_resolution: dict[tuple, list] = {}
    for (area, rid, updated), r in sorted(reports.items(), key=lambda kv: kv[0][2]):
        by_resolution.setdefault((area, rid), []).append((updated, str(r["status"])))
    finals = 0
    for history in by_resolution.values():
        months = [d.year * 12 + d.month for d, _ in history]
        assert months == list(range(months[0], months[0] + len(months)))
        closed = [s in CLOSED for _, s in history]
        assert not any(a and b for a, b in zip(closed, closed[1:], strict=False))
        finals += closed[-1]
    assert 0 < finals < len(by_resolution)


def test_dirty_counts_match_the_files(clean, dirty):
    (clean_root, clean_report), (dirty_root, report) = clean, dirty
    bad = report["dirty"]
    counted = {
        root: Counter(kind for _, _, kind, rows in sheets(root) for _ in rows)
        for root in (clean_root, dirty_root)
    }
    assert dict(counted[dirty_root]) == report["rows"]
    for kind in ("areas", "meetings", "attendance", "resolutions"):
        injected = sum(bad["rejected"][kind].values()) + bad["held"].get(kind, 0)
        assert counted[dirty_root][kind] - counted[clean_root][kind] == injected, kind
    assert set(bad["rejected"]["areas"]) == {
        "missing",
        "bad_code",
        "bad_int",
        "bad_vocab",
        "parent_mismatch",
        "parent_unknown",
    }
    assert {"future_date", "before_2000", "unknown_area", "bad_date"} <= set(
        bad["rejected"]["meetings"]
    )
    assert {
        "due_before_meeting",
        "completed_missing",
        "completed_before_meeting",
        "completed_after_update",
        "bad_escalation",
        "bad_number",
    } <= set(bad["rejected"]["resolutions"])
    assert bad["held"]["attendance"] and bad["held"]["resolutions"]
    files = [p for p in dirty_root.rglob("*") if p.is_file()]
    assert sum(is_junk(p) for p in files) == bad["skipped_files"] == 4
    unreadable = 0
    for path in dirty_root.rglob("*.xlsx"):
        if not path.name.startswith("~$"):
            try:
                openpyxl.load_workbook(path, read_only=True).close()
            except Exception:  # noqa: BLE001
                unreadable += 1
    assert unreadable == bad["unreadable_files"] == 1
    # Clean rows are the same with and without --dirty: only whole extra rows differ.
    assert clean_report["rows"]["meetings"] < report["rows"]["meetings"]
    future = sum(
        1
        for _, _, kind, rows in sheets(dirty_root)
        if kind == "meetings"
        for r in rows
        if (d := as_date(r["meeting_date"])) and d > date.today()
    )
    assert future == bad["rejected"]["meetings"]["future_date"]


@pytest.mark.parametrize("end", ["2025-13", "2025/03", "soon", "2999-01"])
def test_bad_end_is_refused(tmp_path, end):
    with pytest.raises(ValueError):
        write_inbox(tmp_path, townships=1, villages_per_township=1, months=1, end=end)


def test_the_etl_rejects_and_holds_exactly_what_the_report_says(tmp_path, dirty):
    """End to end: loading the dirty inbox gives the report's numbers, rule by rule."""
    import sqlalchemy as sa

    from xieshang.etl.load import run_load
    from xieshang.warehouse import schema
    from xieshang.warehouse.engine import ensure_schema, make_engine

    root, report = dirty
    engine = make_engine(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    ensure_schema(engine)
    try:
        run = run_load(engine, root, secret=b"generator-test", today=date(2025, 7, 1))
        with engine.connect() as conn:
            rules = conn.execute(
                sa.select(schema.rejects.c.kind, schema.rejects.c.rule, sa.func.count()).group_by(
                    schema.rejects.c.kind, schema.rejects.c.rule
                )
            ).all()
    finally:
        engine.dispose()
    assert run["status"] == "committed"
    rejected: dict[str, dict[str, int]] = {}
    for kind, rule, n in rules:
        rejected.setdefault(kind, {})[rule] = n
    bad = report["dirty"]
    assert rejected == {kind: counts for kind, counts in bad["rejected"].items() if counts}
    for kind, numbers in run["kinds"].items():
        assert numbers["read"] == report["rows"][kind]
        assert numbers["held"] == bad["held"].get(kind, 0)
    assert len(run["files"]["skipped"]) == bad["skipped_files"]
    assert len(run["files"]["unreadable"]) == bad["unreadable_files"]
    assert len(run["sheets_skipped"]) == bad["skipped_sheets"]
