"""The addresses of submitting files (interfaces.md "Submitting files through the
dashboard"), over xieshang.submission's `submit`, which the 数据报送 page calls too:

    POST /api/submissions                 multipart field `files` (one or more): the load
                                          report JSON of that run, plus "rejects"
    GET  /download/template/<kind>.xlsx   a blank template (staff: the areas template
                                          starts from their township's roster rows)

The API answers 401 signed out (the sign-in gate), 403 for the roles that may not submit
(xieshang.access.scope.may_submit), 413 over XIESHANG_MAX_UPLOAD_MB — from the request's
declared length, before its body is read; a body without one stops at the limit — 400
without files or for a refused file name, 503 when the server has no HMAC secret;
otherwise 200, a failed run included (status "failed" and its one-line "error"). Dash
callbacks, which carry the page's uploads base64-encoded, may carry an upload of the limit
and no more. A template is for any signed-in user; another kind is 404.
"""

from __future__ import annotations

import json
import math
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

from xieshang import template
from xieshang.access.scope import may_submit, sees
from xieshang.contract import settings
from xieshang.contract.columns import KIND_LABELS
from xieshang.dashboard import auth
from xieshang.dashboard.disposition import attachment
from xieshang.dashboard.errors import refuse
from xieshang.dashboard.page_kit import engine
from xieshang.dashboard.state import language
from xieshang.submission import Refused, Submission, find_secret, submit
from xieshang.warehouse.codes import pad_code

API_PATH = "/api/submissions"
TEMPLATE_PREFIX = "/download/template/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MB = 1024 * 1024
_CALLBACK_PATH = "/_dash-update-component"
_CALLBACK_SLACK = MB  # the callback's JSON around the files, and the files' data: prefixes
# a form's boundaries and part headers around the files: the limit is the files' own bytes
_FORM_SLACK = 64 * 1024


def upload_limit() -> int:
    """The most bytes one submission may carry (XIESHANG_MAX_UPLOAD_MB)."""
    return settings.max_upload_mb() * MB


def callback_limit(limit: int) -> int:
    """The most bytes a Dash callback may carry: an upload of `limit` bytes in base64 (4
    bytes for every 3)."""
    return math.ceil(limit * 4 / 3) + _CALLBACK_SLACK


def submit_for(files: list[tuple[str, bytes]]) -> Submission:
    """`submit` for the signed-in user of this request, with the app's secret."""
    warehouse = engine()
    secret = find_secret(warehouse, current_app.config)
    return submit(
        warehouse, files, auth.current_user(), secret=secret, address=auth.client_address()
    )


def _json(body: dict, status: int = 200) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False), status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _too_large(limit: int) -> Response:
    mb = limit // MB
    message = (
        f"报送的文件合计超过 {mb} MB，请分批报送 the files together exceed {mb} MB "
        f"({settings.MAX_UPLOAD_ENV}): send them in several submissions"
    )
    return _json({"error": message}, 413)


def _from_another_site() -> bool:
    """Whether a browser sent the request from another site's page: a form posted there
    reaches this API with the user's cookie (a sibling host counts as the same site for
    SameSite=Lax). Scripts send neither header; this server's own pages do not call it."""
    if request.headers.get("Sec-Fetch-Site", "").lower() in ("cross-site", "same-site"):
        return True
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc.lower() != request.host.lower()


def _api() -> Response:
    if _from_another_site():
        return _json(
            {"error": "不接受其他网站页面发来的报送 not accepted from another site's page"}, 403
        )
    user = auth.current_user()
    if not may_submit(user):
        return _json({"error": "您的角色不能报送文件 your role may not submit files"}, 403)
    # a scope asked for is never trusted: one outside the user's is refused, not ignored
    asked = request.args.get("scope", "").strip()
    if asked and not sees(user, pad_code(asked)):
        return _json({"error": "您不能为该范围报送 you may not submit for that scope"}, 403)
    limit = upload_limit()
    if request.content_length is not None and request.content_length > limit + _FORM_SLACK:
        return _too_large(limit)
    request.max_content_length = limit + _FORM_SLACK
    files = [(f.filename or "", f.read()) for f in request.files.getlist("files")]
    if sum(len(data) for _, data in files) > limit:
        return _too_large(limit)
    try:
        made = submit_for(files)
    except Refused as refused:
        return _json({"error": str(refused)}, refused.status)
    return _json(made.as_json())


def template_name(kind: str) -> str:
    """The name a template downloads under: its ledger's name, which names its kind."""
    return f"{KIND_LABELS[kind]}-模板.xlsx"


def _template(kind: str) -> Response:
    if kind not in template.TEMPLATE_KINDS:
        refuse(404, language(request.args.get("lang")), "dl_no_such_file")
    user = auth.current_user()
    roster = None
    if kind == "areas" and user.role == "staff":
        roster = template.township_roster(engine(), user.township)
    response = Response(template.template_xlsx(kind, roster), mimetype=XLSX)
    response.headers["Content-Disposition"] = attachment(
        f"{kind}-template.xlsx", template_name(kind)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _limit_callbacks() -> None:
    if request.path == _CALLBACK_PATH:
        request.max_content_length = callback_limit(upload_limit())


def install(server: Flask) -> None:
    """The submission API and the template downloads (once, before the first request)."""
    server.add_url_rule(API_PATH, "xieshang_submissions", _api, methods=["POST"])
    server.add_url_rule(
        TEMPLATE_PREFIX + "<kind>.xlsx", "xieshang_template", _template, methods=["GET"]
    )
    server.before_request(_limit_callbacks)
