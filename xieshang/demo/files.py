"""How each synthetic office writes its files: format, encoding, headers, cell spellings.

A `Style` turns typed values (dates, booleans, vocabulary codes, area codes) into what
that office's files hold — text in a CSV, typed cells in xlsx — and the writers put
tables on disk, named as the office's format names them, deterministically (xlsx with
fixed document properties).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from xieshang.contract.columns import COLUMNS, KIND_KEYWORDS, KINDS, VOCABULARIES

FORMATS = ("csv_utf8", "csv_gb18030", "csv_bom_en", "xlsx_title", "xlsx_multi")
ENCODINGS = {"csv_utf8": "utf-8", "csv_gb18030": "gb18030", "csv_bom_en": "utf-8-sig"}
DATE_FORMS = ("iso", "slash", "cn", "compact", "dot", "dash")
BOOL_FORMS = (("是", "否"), ("Y", "N"), ("√", "×"), ("1", "0"), ("是", "否"))
SHEETS = {"meetings": "会议台账", "attendance": "参会签到", "resolutions": "决议落实"}
DATE_COLUMNS = {"meeting_date", "due_date", "completed_date", "updated_on"}
EXTRA_SEQ = "序号"
EXTRA_NOTE = "备注"
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()


def kind_of(name: str) -> str | None:
    """The kind a file or sheet name names by the contract's keyword order."""
    lowered = name.lower()
    for kind in KINDS:
        if any(keyword in lowered for keyword in KIND_KEYWORDS[kind]):
            return kind
    return None


def date_text(value: date, form: str) -> str:
    y, m, d = value.year, value.month, value.day
    if form == "iso":
        return f"{y}-{m:02d}-{d:02d}"
    if form == "slash":
        return f"{y}/{m}/{d}"
    if form == "cn":
        return f"{y}年{m}月{d}日"
    if form == "compact":
        return f"{y}{m:02d}{d:02d}"
    if form == "dot":
        return f"{y}.{m}.{d}"
    return f"{y}-{m}-{d}"


@dataclass
class Style:
    """One office's habits. Values it returns are cells ready for its file format."""

    format: str
    date_forms: dict[str, str]
    bool_form: tuple[str, str] | str  # (true, false) text, or "cell" (Excel TRUE/FALSE) / "num"
    blank_false: frozenset[str]  # optional boolean columns left blank when false
    code_share: float  # share of vocabulary cells written as the code
    labels: dict[str, dict[str, str]]  # vocab -> code -> the label this office types
    headers: dict[str, dict[str, str]]  # kind -> canonical column -> header text
    order: dict[str, list[str]]  # kind -> columns in file order (incl. 序号/备注 extras)
    codes_as_numbers: bool = False  # xlsx: area codes typed as number cells
    short_escalation: bool = False  # escalated_to as 9/6-digit code
    id_prefix: tuple[str, str] = ("HY-", "JY-")
    id_sep: str = "-"
    lower_attendance_ids: bool = False
    padded_text: bool = False  # stray spaces around free text
    title_gap: int = 0  # blank rows between an xlsx title row and the header
    csv_title: bool = False  # a CSV saved from a sheet with its title row (and empty cells)
    trailing_blank: int = 0  # empty rows (",,,,") at the end of a CSV saved from Excel
    _dates: dict[tuple[str, date], Any] = field(default_factory=dict, repr=False)

    @property
    def is_csv(self) -> bool:
        return self.format.startswith("csv")

    @property
    def english(self) -> bool:
        return self.format == "csv_bom_en"

    def date(self, value: date | None, column: str) -> Any:
        if value is None:
            return None
        if not self.is_csv:
            return value
        key = (column, value)
        text = self._dates.get(key)
        if text is None:
            text = self._dates[key] = date_text(value, self.date_forms.get(column, "iso"))
        return text

    def bool(self, value: bool, column: str) -> Any:
        if not value and column in self.blank_false:
            return None
        if self.bool_form == "cell":
            return value
        if self.bool_form == "num":
            return 1 if value else 0
        return self.bool_form[0] if value else self.bool_form[1]

    def vocab(self, rng: random.Random, vocab: str, code: str) -> str:
        if self.code_share and (self.code_share >= 1 or rng.random() < self.code_share):
            return code
        return self.labels[vocab][code]

    def category_cell(self, code: str, level: str, unit_type: str) -> str:
        """A participant category as this office writes it for a host of `level`: the
        generic labels of cadres and representatives name the kind of village."""
        text = self.labels["category"][code]
        if self.code_share >= 1:
            return code
        if code == "resident_rep" and text in ("村民代表", "居民代表"):
            return "居民代表" if unit_type == "社区" else "村民代表"
        if code == "cadre" and text in ("村干部", "社区干部"):
            if level != "village":
                return "基层干部"
            return "社区干部" if unit_type == "社区" else "村干部"
        return text

    def code(self, value: str) -> Any:
        if self.codes_as_numbers and not self.is_csv:
            return int(value)
        return value

    def escalation(self, value: str | None) -> Any:
        if value is None:
            return None
        if self.short_escalation:  # the 6- or 9-digit form people type
            return value[:6] if value.endswith("000000") else value[:9]
        return self.code(value)

    def meeting_id(self, yyyymm: str, seq: int) -> str:
        return f"{self.id_prefix[0]}{yyyymm}{self.id_sep}{seq:03d}"

    def resolution_id(self, yyyymm: str, seq: int) -> str:
        return f"{self.id_prefix[1]}{yyyymm}{self.id_sep}{seq:03d}"


def make_style(rng: random.Random, fmt: str, *, with_note: bool = False) -> Style:
    """A random but consistent set of office habits for format `fmt`."""
    english = fmt == "csv_bom_en"
    is_csv = fmt.startswith("csv")
    main_form = rng.choice(DATE_FORMS)
    date_forms = {name: main_form for name in DATE_COLUMNS}
    if is_csv and rng.random() < 0.5:  # one column typed differently, as people do
        date_forms[rng.choice(sorted(DATE_COLUMNS))] = rng.choice(DATE_FORMS)
    if english:
        bool_form: tuple[str, str] | str = rng.choice(
            (("yes", "no"), ("true", "false"), ("Y", "N"))
        )
    elif is_csv:
        bool_form = rng.choice(BOOL_FORMS)
    else:
        bool_form = rng.choice((("是", "否"), ("是", "否"), "cell", "num", ("√", "×")))
    blank_false = frozenset(c for c in ("online", "in_assessment") if rng.random() < 0.5)
    labels: dict[str, dict[str, str]] = {}
    for vocab, entries in VOCABULARIES.items():
        labels[vocab] = {
            code: (texts[0] if len(texts) == 1 or rng.random() < 0.6 else rng.choice(texts[1:]))
            for code, texts in entries.items()
        }
    if rng.random() < 0.5:
        labels["category"]["resident_rep"] = "村（居）民代表"  # full-width brackets
    headers: dict[str, dict[str, str]] = {}
    order: dict[str, list[str]] = {}
    for kind in ("meetings", "attendance", "resolutions"):
        cols = COLUMNS[kind]
        if english:
            headers[kind] = {c.name: c.name for c in cols}
        else:
            headers[kind] = {
                c.name: (c.aliases[0] if rng.random() < 0.6 else rng.choice(c.aliases))
                for c in cols
            }
        names = [c.name for c in cols]
        if kind == "meetings" and rng.random() < 0.3:
            names.remove("topic_source")  # an optional column some offices never kept
        if rng.random() < 0.4:  # codes first, as some templates have it
            names.remove("area_code")
            names.insert(0, "area_code")
        if not english and not is_csv:
            names.insert(0, EXTRA_SEQ)
        if with_note and kind == "meetings":
            names.append("remarks" if english else EXTRA_NOTE)
        order[kind] = names
    prefix = rng.choice((("HY-", "JY-"), ("XSHY", "XSJY"), ("HY", "JY")))
    return Style(
        format=fmt,
        date_forms=date_forms,
        bool_form=bool_form,
        blank_false=blank_false,
        code_share=1.0 if english else rng.choice((0.0, 0.0, 0.05, 0.15)),
        labels=labels,
        headers=headers,
        order=order,
        codes_as_numbers=not is_csv and rng.random() < 0.4,
        short_escalation=rng.random() < 0.25,
        id_prefix=prefix,
        id_sep="-" if prefix[0].endswith("-") else "",
        lower_attendance_ids=rng.random() < 0.15,
        padded_text=rng.random() < 0.2,
        title_gap=rng.choice((0, 0, 1)),
        csv_title=is_csv and not english and rng.random() < 0.4,
        trailing_blank=rng.choice((0, 0, 0, 1, 3)) if is_csv else 0,
    )


@dataclass
class Table:
    """Rows of one kind for one file or sheet: tuples of cells in `columns` order."""

    kind: str
    columns: list[str]  # canonical names, in the order of the tuples in `rows`
    rows: list[tuple]


def _arrange(style: Style, table: Table) -> tuple[list[str], list[list[Any]]]:
    """Header texts and rows in the office's column order (with its extra columns)."""
    order = style.order[table.kind]
    index = {name: i for i, name in enumerate(table.columns)}
    header = [
        style.headers[table.kind].get(name, name) if name in index else name for name in order
    ]
    picks = [index.get(name) for name in order]
    out: list[list[Any]] = []
    for n, row in enumerate(table.rows, start=1):
        out.append(
            [
                row[i] if i is not None else (n if name == EXTRA_SEQ else None)
                for i, name in zip(picks, order, strict=True)
            ]
        )
    return header, out


def write_csv(path: Path, style: Style, table: Table, title: str) -> int:
    header, rows = _arrange(style, table)
    path.parent.mkdir(parents=True, exist_ok=True)
    empty = [""] * len(header)
    with open(path, "w", encoding=ENCODINGS[style.format], newline="") as handle:
        writer = csv.writer(handle)
        if style.csv_title:
            writer.writerow([title, *empty[1:]])
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        writer.writerows([empty] * style.trailing_blank)
    return len(rows)


class Workbook:
    """A deterministic xlsxwriter workbook in constant-memory mode."""

    def __init__(self, path: Path, stamp: datetime) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.book.set_properties({"created": stamp, "author": "", "company": ""})
        self.date_format = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.title_format = self.book.add_format({"bold": True, "font_size": 14})
        self.header_format = self.book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1}
        )

    def sheet(
        self,
        name: str,
        title: str | None,
        header: list[str],
        rows: list[list[Any]],
        *,
        blank_rows: int = 0,
        widths: list[int] | None = None,
    ) -> int:
        ws = self.book.add_worksheet(name)
        date_format = self.date_format

        def write_date(worksheet, row, col, value, _fmt=None):
            return worksheet.write_number(row, col, value.toordinal() - _EXCEL_EPOCH, date_format)

        ws.add_write_handler(date, write_date)
        for col, width in enumerate(widths or [14] * len(header)):
            ws.set_column(col, col, width)
        r = 0
        if title:
            ws.write_string(0, 0, title, self.title_format)
            r = 1 + blank_rows
        ws.write_row(r, 0, header, self.header_format)
        r += 1
        for row in rows:
            ws.write_row(r, 0, row)
            r += 1
        return len(rows)

    def table(self, style: Style, table: Table, name: str, title: str | None, **kw) -> int:
        header, rows = _arrange(style, table)
        widths = [
            6
            if h == EXTRA_SEQ
            else 24
            if h in ("议题", "协商议题", "主题", "决议内容", "事项内容", "内容")
            else 14
            for h in header
        ]
        return self.sheet(name, title, header, rows, widths=widths, **kw)

    def close(self) -> None:
        self.book.close()


def write_month(
    folder: Path,
    style: Style,
    name: str,
    tables: dict[str, Table],
    year: int,
    month: int,
    stamp: datetime,
) -> int:
    """Write office `name`'s tables of one month into `folder`, named as its format names
    them: one workbook of three sheets, or one file per kind that has rows. xlsx files
    carry `stamp` as their creation date. Returns the number of files written."""
    ym = f"{year}{month:02d}"
    titles = {
        "meetings": f"{name}{year}年{month}月协商会议台账",
        "attendance": f"{name}{year}年{month}月协商会议参会人员签到表",
        "resolutions": f"{name}{year}年{month}月协商决议落实台账",
    }
    if style.format == "xlsx_multi":
        file_name = f"{name}{year}年{month}月协商台账.xlsx"
        assert kind_of(file_name) == "meetings", file_name
        book = Workbook(folder / file_name, stamp)
        for kind, table in tables.items():
            assert kind_of(SHEETS[kind]) == kind
            book.table(style, table, SHEETS[kind], titles[kind], blank_rows=style.title_gap)
        book.close()
        return 1
    names = {
        "csv_utf8": {
            "meetings": f"{name}{year}年{month}月协商会议台账.csv",
            "attendance": f"{name}{year}年{month}月参会人员签到表.csv",
            "resolutions": f"{name}{year}年{month}月决议落实台账.csv",
        },
        "csv_gb18030": {
            "meetings": f"{name}协商会议台账{ym}.csv",
            "attendance": f"{name}会议签到表{ym}.csv",
            "resolutions": f"{name}决议事项落实情况{ym}.csv",
        },
        "csv_bom_en": {
            "meetings": f"{name}_meetings_{year}-{month:02d}.csv",
            "attendance": f"{name}_attendance_{year}-{month:02d}.csv",
            "resolutions": f"{name}_resolutions_{year}-{month:02d}.csv",
        },
        "xlsx_title": {kind: title + ".xlsx" for kind, title in titles.items()},
    }[style.format]
    files = 0
    for kind, table in tables.items():
        if not table.rows:
            continue
        file_name = names[kind]
        assert kind_of(file_name) == kind, file_name
        path = folder / file_name
        if style.is_csv:
            write_csv(path, style, table, titles[kind])
        else:
            book = Workbook(path, stamp)
            book.table(style, table, "Sheet1", titles[kind], blank_rows=style.title_gap)
            book.close()
        files += 1
    return files
