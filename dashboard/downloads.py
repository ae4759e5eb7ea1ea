"""The files the dashboard offers (interfaces.md "Downloads at plain addresses"): one
function per file makes its bytes, and both the pages' buttons and the plain addresses
`GET /download/<file>` go through `produce`, so both give the same bytes under the same
rules — the role's right to the file (xieshang.access.scope.FILES), the user's scope —
and both write a row to the audit log.

    /download/assessment.csv  /download/assessment.xlsx     the assessment of the view
    /download/overdue.csv                                   the overdue resolutions
    /download/rejects.csv  /download/rejects.xlsx           the rejected rows
    /download/held-rows.csv  /download/resolution-events.csv  the data-quality lists
    /download/brief.pdf  /download/brief.docx               the monthly brief (工作简报)

An address takes the pages' query parameters (scope, from, to, form, category, online,
lang; superseded for the rejects; month=YYYY-MM for the brief, whose month is otherwise
the period's last) and answers 401 signed out (the sign-in gate), 403 for
a role the file is not for or a `scope` the user may not see (for staff: another
township, the county, a village of another township, anything that is no code), 400 for
any other invalid value (a page would fall back to its default with a notice; a script
is told instead), 404 for a file the dashboard does not offer, an empty warehouse, a
brief whose month lies before the data or after the last load, or an assessment of a
period with nothing to rank (before the data begin, say). `headers=zh` gives the
assessment CSV Chinese headers and the values as shown.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any

import xlsxwriter
from dash import dcc
from dash.exceptions import PreventUpdate
from flask import Flask, Response, request, send_file
from sqlalchemy import Engine

from xieshang import brief
from xieshang.access import User, audit
from xieshang.access.scope import home_scope, may_download, sees
from xieshang.contract import settings
from xieshang.dashboard import auth, components, data
from xieshang.dashboard.disposition import ascii_name, attachment
from xieshang.dashboard.errors import refuse
from xieshang.dashboard.i18n import t
from xieshang.dashboard.page_kit import engine
from xieshang.dashboard.state import (
    Options,
    PageOption,
    State,
    language,
    parse_options,
    parse_query,
    to_query,
)
from xieshang.dashboard.views import assessment, resolutions
from xieshang.dashboard.views import data_quality as quality
from xieshang.exports import file_name, safe_text
from xieshang.metrics.submissions import parse_month
from xieshang.warehouse.codes import pad_code

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREFIX = "/download/"


@dataclass(frozen=True)
class File:
    """A file offered: `make(engine, state, options)` -> (bytes, file name), None
    without a roster; `periodic` when its rows depend on the period (else the audit row
    records no period); `view(state, options)` the view it is made of when that is not
    the page's (the brief: the period's last month), which the audit row records."""

    mimetype: str
    make: Callable[[Engine, State, Options], tuple[bytes, str] | None]
    periodic: bool = True
    view: Callable[[State, Options], State] | None = None


@dataclass(frozen=True)
class Download:
    content: bytes
    filename: str
    mimetype: str


def _csv(value: dict | None) -> tuple[bytes, str] | None:
    """A view's dcc.Download value (CSV text) as the bytes a browser saves: UTF-8."""
    return None if value is None else (value["content"].encode("utf-8"), value["filename"])


def _superseded(options: Options) -> bool:
    return quality.SUPERSEDED.get(options)


def _assessment(kind: str) -> Callable[[Engine, State, Options], tuple[bytes, str] | None]:
    return lambda engine_, state, options: assessment.download(
        engine_, state, kind, options=options
    )


def _rejects_xlsx(engine_: Engine, state: State, options: Options) -> tuple[bytes, str] | None:
    if data.directory(engine_).empty:
        return None
    superseded = _superseded(options)
    filename = quality.list_filename(engine_, state, "dq_name_rejects", "xlsx")
    table = components.table_data(
        quality.reject_columns(state.lang, superseded),
        quality.reject_list(engine_, state, superseded),
        filename.rsplit(".", 1)[0],
    )
    return table_xlsx(table, sheet=t("dq_sheet_rejects", state.lang)), filename


def _month(text: str) -> str | None:
    try:
        return f"{parse_month(text):%Y-%m}"
    except ValueError:
        return None


MONTH = PageOption("month", None, read=_month, write=str)
"""The brief's month (month=YYYY-MM); without it, the month the view's period ends in."""


def _brief_month(state: State, options: Options) -> State:
    """The view narrowed to the brief's month, its first to its last day."""
    first = parse_month(MONTH.get(options) or f"{state.end:%Y-%m}")
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    return state.replace(start=first, end=last)


def _brief(fmt: str) -> Callable[[Engine, State, Options], tuple[bytes, str] | None]:
    def make(engine_: Engine, state: State, _options: Options) -> tuple[bytes, str] | None:
        if data.directory(engine_).empty:
            return None
        try:
            made = brief.build_brief(engine_, state.scope, f"{state.start:%Y-%m}")
        except brief.NoBrief:  # a month before the data or after the last load
            return None
        return brief.render(made, fmt), made.filename(fmt)

    return make


FILES: dict[str, File] = {
    "assessment.csv": File(CSV, _assessment("csv")),
    "assessment.xlsx": File(XLSX, _assessment("xlsx")),
    "overdue.csv": File(CSV, lambda e, s, _o: _csv(resolutions.overdue_csv(e, s))),
    "rejects.csv": File(
        CSV, lambda e, s, o: _csv(quality.rejects_csv(e, s, _superseded(o))), periodic=False
    ),
    "rejects.xlsx": File(XLSX, _rejects_xlsx, periodic=False),
    "held-rows.csv": File(CSV, lambda e, s, _o: _csv(quality.held_rows_csv(e, s)), periodic=False),
    "resolution-events.csv": File(CSV, lambda e, s, _o: _csv(quality.events_csv(e, s))),
    "brief.pdf": File(brief.FORMATS["pdf"][0], _brief("pdf"), view=_brief_month),
    "brief.docx": File(brief.FORMATS["docx"][0], _brief("docx"), view=_brief_month),
}
"""Every file offered, by its name in /download/<name>. Who may take each: FILES of
xieshang.access.scope."""


class Refused(Exception):
    """The file is not given: `status` 403 (not for this user) or 404 (none to give)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def produce(
    engine_: Engine,
    name: str,
    state: State,
    options: Options,
    user: User,
    via: str,
    *,
    recorded: bool = True,
) -> Download:
    """The file `name` of the view `state` for `user`, recorded in the audit log (`via`:
    "page" or "address") unless not `recorded` (a HEAD request: nothing is sent);
    Refused when the role may not take it, the scope is not the user's, or there is
    nothing to give."""
    file = FILES.get(name)
    if file is None:
        raise Refused(404)
    if not may_download(user, name) or not sees(user, state.scope):
        raise Refused(403)
    if file.view is not None:
        state = file.view(state, options)
    made = file.make(engine_, state, options)
    if made is None:
        raise Refused(404)
    content, filename = made[0], file_name(made[1])
    if recorded:
        record(
            engine_, user, name, state, options, via=via, filename=filename, periodic=file.periodic
        )
    return Download(content, filename, file.mimetype)


def record(
    engine_: Engine,
    user: User,
    name: str,
    state: State,
    options: Options | None = None,
    *,
    via: str,
    filename: str,
    periodic: bool = True,
) -> None:
    """The audit row of a download: who, which file, the view's scope and period (of a
    file whose rows depend on it), the client's address; `via` "page", "address" or
    "chart" (a chart card's CSV)."""
    audit.record(
        engine_,
        "download",
        user=user.name,
        address=auth.client_address(),
        file=name,
        scope=state.scope,
        period_from=state.start if periodic else None,
        period_to=state.end if periodic else None,
        detail={"via": via, "filename": filename, "query": to_query(state, options)},
    )


def allowed(name: str) -> bool:
    """Whether the signed-in user's role may take `name` (the pages show its button)."""
    return may_download(auth.current_user(), name)


def for_page(name: str, state: State, options: Options | None = None) -> dict[str, Any]:
    """A page button's dcc.Download value: the bytes of /download/<name> for the page's
    view; PreventUpdate (nothing sent) when the file is refused."""
    try:
        made = produce(engine(), name, state, options or {}, auth.current_user(), "page")
    except Refused:
        raise PreventUpdate from None
    return dcc.send_bytes(made.content, made.filename, type=made.mimetype)


# --- the plain addresses -----------------------------------------------------------------------------------


def _view(user: User, query: str, lang: str) -> tuple[State, Options]:
    """The view an address's query names, for `user`: 403 for a scope the user may not
    see, 400 for any other invalid value."""
    directory = data.directory(engine())
    defaults = replace(directory.defaults(), scope=home_scope(user, directory.root))
    state, notices = parse_query(query, defaults)
    options, option_notices = parse_options(query, (quality.SUPERSEDED, MONTH, assessment.HEADERS))
    asked = request.args.get("scope", "").strip()
    if asked and not sees(user, pad_code(asked)):
        refuse(403, lang, "dl_outside_scope", value=asked)
    if notices or option_notices:
        first = (*notices, *option_notices)[0]
        notice = t(f"notice_{first.reason}", lang, param=first.param, value=first.value)
        refuse(400, lang, "dl_bad_value", notice=notice)
    if not sees(user, state.scope):
        refuse(403, lang, "dl_outside_scope", value=state.scope)
    return state, options


def _serve(name: str) -> Response:
    lang = language(request.args.get("lang"))
    if name not in FILES:
        refuse(404, lang, "dl_no_such_file")  # not repeating what the address holds
    user = auth.current_user()
    if not may_download(user, name):
        refuse(403, lang, "dl_not_for_role", name=name)
    state, options = _view(user, request.query_string.decode("utf-8", "replace"), lang)
    file = FILES[name]
    shown = state if file.view is None else file.view(state, options)  # a brief's: its month
    try:
        made = produce(
            engine(), name, state, options, user, "address", recorded=request.method != "HEAD"
        )
    except Refused as refused:
        if refused.status == 404:
            refuse(404, lang, "dl_nothing", start=shown.start, end=shown.end)
        refuse(refused.status, lang, "dl_not_for_role", name=name)
    period = (shown.start, shown.end) if file.periodic else None
    response = send_file(
        io.BytesIO(made.content), mimetype=made.mimetype, etag=False, conditional=False
    )
    response.headers["Content-Disposition"] = attachment(
        ascii_name(name, state.scope, made.filename, period), made.filename
    )
    response.headers["Cache-Control"] = "no-store"  # a county's figures stay off shared caches
    return response


def install(server: Flask) -> None:
    """The /download/<file> routes (once, before the first request)."""
    server.add_url_rule(PREFIX + "<name>", "xieshang_download", _serve, methods=["GET"])


# --- a table as xlsx ---------------------------------------------------------------------------------------


# a file's path, a reason, a fix wrap within this many columns (12 Chinese characters a
# line): at 60 the rejected-row list, fitted to one A4 page wide, printed at about 45 %
LONGTEXT_WIDTH = 24


def _width(text: str) -> int:
    # CJK characters take two columns
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def table_xlsx(table: dict, sheet: str) -> bytes:
    """A components.table_data table as an xlsx workbook: its headers bold on a frozen
    first row, numbers as numbers, text as text (never read as a formula: exports.safe_text),
    printed on A4."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    # created on the day its name carries (list_filename), not at the clock's second: the
    # same list the same day is the same bytes
    book.set_properties({"created": datetime.combine(settings.today(), time())})
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
    text = book.add_format({"num_format": "@"})
    wrapped = book.add_format({"num_format": "@", "text_wrap": True, "valign": "top"})
    page = book.add_worksheet(sheet)
    columns = table["columns"]
    widths = []
    for col, column in enumerate(columns):
        page.write_string(0, col, column["header"], bold)
        widths.append(_width(column["header"]))
    for r, row in enumerate(table["rows"], start=1):
        for col, column in enumerate(columns):
            value = row.get(column["field"])
            if value is None:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                page.write_number(r, col, value)
                shown = str(value)
            else:
                shown = safe_text(value)
                long = column["format"] == "longtext"
                page.write_string(r, col, shown, wrapped if long else text)
            widths[col] = max(widths[col], _width(shown))
    for col, (width, column) in enumerate(zip(widths, columns, strict=True)):
        most = LONGTEXT_WIDTH if column["format"] == "longtext" else 60
        page.set_column(col, col, min(max(width + 2, 6), most))
    page.freeze_panes(1, 0)
    # printed as the assessment is: A4 landscape, one page wide, the headers on every page
    page.set_landscape()
    page.set_paper(9)
    page.fit_to_pages(1, 0)
    page.repeat_rows(0)
    page.set_footer("&C&P / &N")
    book.close()
    return buffer.getvalue()
