"""Failures shown by an id only, and requests refused in one line (`refuse`).

An exception's text may hold SQL, file paths or the values of other areas, so it never
reaches a response: `report(exc)` writes it with its traceback to the server's log under
a short random id, and the user is shown `message(error_id, lang)`, which names only
that id for them to quote to the administrator (who finds it with `grep`).

    error_id = report(exc)            # logged: "error 3f9c2a1b: GET /path" + traceback
    message(error_id, "zh")           # 这部分未能显示（错误编号 3f9c2a1b）。…
    reported_here()                   # True for the rest of the request
"""

from __future__ import annotations

import logging
import secrets
from typing import NoReturn

from flask import Response, abort, g, has_request_context, request

from xieshang.dashboard.i18n import t

log = logging.getLogger("xieshang.dashboard")


def report(exc: BaseException) -> str:
    """Log `exc` with its traceback (and the request it broke) under a new id; the id."""
    error_id = secrets.token_hex(4)
    where = f"{request.method} {request.path}" if has_request_context() else "-"
    log.error("error %s: %s", error_id, where, exc_info=exc)
    if has_request_context():
        g.xieshang_failed = True
    return error_id


def reported_here() -> bool:
    """Whether the request being answered reported a failure: its answer, though a 200
    that shows the failure's notice in place of a part, is not one to share."""
    return has_request_context() and g.get("xieshang_failed", False)


def message(error_id: str, lang: str = "zh") -> str:
    """The one line a user sees for a failure: what happened, what to do, the id."""
    return t("error", lang, error_id=error_id)


def refuse(status: int, lang: str, key: str, **values) -> NoReturn:
    """Answer `status` with one line in the address's language: what is wrong and what
    to do (ui.md), never more."""
    line = f"{status} {t(key, lang, **values)}\n"
    abort(Response(line, status, mimetype="text/plain", headers={"Cache-Control": "no-store"}))
