"""审计日志 Audit log (path "/audit", admins only): the newest entries of the audit log
(xieshang.access.audit), filtered by user, action and first day. Pure builders."""

from __future__ import annotations

from datetime import date

from dash import html
from sqlalchemy import Engine

from xieshang.access import audit
from xieshang.access.audit import Entry
from xieshang.dashboard import components, grid
from xieshang.dashboard.auth import LOCAL_USER
from xieshang.dashboard.i18n import TEXT, t

COLUMNS = ("at", "user", "action", "address", "file", "scope", "period", "detail")


def action_options(lang: str) -> list[dict]:
    return [{"label": t(f"action_{code}", lang), "value": code} for code in audit.ACTIONS]


def _word(prefix: str, word: str, lang: str) -> str:
    """`word` as the program wrote it, in the page's language where the page has it."""
    return t(prefix + word, lang) if prefix + word in TEXT else word


def _detail_value(value, lang: str) -> str:
    if isinstance(value, list):
        return "、".join(map(str, value)) if lang == "zh" else ", ".join(map(str, value))
    return _word("au_value_", value, lang) if isinstance(value, str) else str(value)


def _row(entry: Entry, lang: str) -> dict:
    period = None
    if entry.period_from or entry.period_to:
        period = f"{entry.period_from or ''} – {entry.period_to or ''}"
    detail = None
    if entry.detail:
        detail = ("；" if lang == "zh" else ", ").join(
            f"{_word('au_key_', key, lang)}{'：' if lang == 'zh' else ': '}"
            f"{_detail_value(value, lang)}"
            for key, value in entry.detail.items()
        )
    return {
        "at": entry.at.strftime("%Y-%m-%d %H:%M:%S"),
        "user": t("au_local_user", lang) if entry.user == LOCAL_USER.name else entry.user,
        "action": t(f"action_{entry.action}", lang),
        "address": entry.address,
        "file": entry.file,
        "scope": entry.scope,
        "period": period,
        "detail": detail,
    }


def build_log(
    engine: Engine, user: str | None, action: str | None, since: date | None, lang: str
) -> tuple[list, list, html.Div | None]:
    """(rowData, columnDefs, note under the grid): the newest `grid.ROW_CAP` entries."""
    filters = {"since": since, "user": user or None, "action": action or None}
    entries = audit.entries(engine, limit=grid.ROW_CAP, **filters)
    columns = [
        (key, t(f"au_{key}", lang), "longtext" if key == "detail" else "text") for key in COLUMNS
    ]
    rows, defs = grid.grid_values(columns, [_row(entry, lang) for entry in entries], lang)
    if not entries:
        return rows, defs, components.empty_state(t("au_none", lang))
    total = audit.count(engine, **filters)
    return rows, defs, grid.cut_note(len(entries), total, lang) if total > len(entries) else None
