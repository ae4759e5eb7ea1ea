"""What every response of the dashboard's server carries, and what none may carry
(docs/security.md "HTTP hardening"):

    app = Dash(..., on_error=hardening.callback_failed)
    hardening.install(app)

- Security headers on every response (`content_security_policy`, `HEADERS`): scripts only
  from the server itself plus the two inline scripts Dash writes into its page, by hash;
  no framing; no MIME sniffing; the Referer only to the dashboard's own origin (the shell
  reads the page's language from it, `shell.request_language`).
- No version banner: the development server answers `Server: xieshang` instead of naming
  Werkzeug and Python (gunicorn names only itself; docs/deployment.md), no X-Powered-By.
- No traceback or SQL in any response: a callback request that is not one the app's
  renderer could send answers 400 with no detail; an exception in a callback is logged
  under an error id and the page shows only that id (`callback_failed`, errors.py); any
  other failure answers 500 with the id; error bodies are one plain line.
- An address that is no page answers 404 — with the shell, which shows the not-found page.
"""

from __future__ import annotations

import functools
import json
import logging

import dash
from dash import Dash
from dash.exceptions import DependencyException, InvalidResourceError
from flask import Response, abort, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler

from xieshang.dashboard import components, data, errors
from xieshang.dashboard.page_kit import engine
from xieshang.dashboard.shell import ERROR_NOTICE, request_language

log = logging.getLogger("xieshang.dashboard")

SERVER_NAME = "xieshang"
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # not no-referrer: the page's own requests must carry its address (its `lang=`)
    "Referrer-Policy": "same-origin",
}
_WILDCARDS = (["ALL"], ["ALLSMALLER"], ["MATCH"])
_MANY = (["ALL"], ["ALLSMALLER"])  # wildcards whose entry is a list of components


def content_security_policy(app: Dash) -> str:
    """The Content-Security-Policy of every response.

    - script-src: the server's own files, and the two scripts Dash writes inline into its
      page (the renderer's start, Dash Pages' clientside title callback) by their hashes
      (`Dash.csp_hashes`); no 'unsafe-inline', and no 'unsafe-eval': every page runs
      without it (the browser tests), plotly.js needing it only for the WebGL traces
      (regl compiles their shaders with `new Function`), which the dashboard does not
      draw. The page's `_dash-config` script is JSON, which browsers do not run.
    - style-src 'unsafe-inline': Chromium refuses, without it, the inline styles of the
      Dash renderer, React DOM, dcc, plotly.js (its SVG is styled by `style` attributes,
      and it adds a <style> sheet at run time) and dash-ag-grid (its theme's <style>);
      none of these can carry a nonce or a hash. Styles run no code.
    - img-src data: blob: Bootstrap's CSS draws form controls (the period buttons' radio)
      as data: SVGs; plotly's "download as PNG" draws the chart through a blob: image.
    - nothing else from anywhere but the server; no plugins; no <base>; forms post back
      to the server; no page may frame the dashboard.
    """
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *app.csp_hashes()],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class QuietRequestHandler(WSGIRequestHandler):
    """The development server's request handler, naming no software version."""

    def version_string(self) -> str:
        return SERVER_NAME


def callback_failed(exc: Exception) -> None:
    """Dash's `on_error` for every callback: the exception goes to the log under an id,
    the shell's error notice shows the id (never the exception's text), and the
    callback's own outputs stay as they were."""
    dash.set_props(ERROR_NOTICE, {"children": components.error_state(exc, request_language())})


def install(app: Dash) -> None:
    """Harden the app's Flask server (once, after every callback is registered)."""
    server = app.server
    prefix = app.config.routes_pathname_prefix
    dispatch = prefix + "_dash-update-component"
    catchall = prefix + "<path:path>"
    # Every way the development server starts (xieshang serve and demo, dash.testing's
    # runner) goes through Dash.run to Flask.run, which hands its options to werkzeug's
    # run_simple: its request handler writes the Server header.
    server.run = functools.partial(server.run, request_handler=QuietRequestHandler)

    # The check wraps Dash's view rather than running before every request, so that it
    # comes after any sign-in check (a signed-out request is refused for that first);
    # wraps keeps the view's name, which CSRF exemptions key on.
    dash_dispatch = server.view_functions[dispatch]

    @functools.wraps(dash_dispatch)
    def checked_dispatch(*args, **kwargs):
        body = request.get_json(silent=True)
        if not well_formed_callback(body, app.callback_map):
            log.warning("refused a malformed callback request from %s", request.remote_addr)
            abort(400)
        if not shared_answer(body["output"], app.callback_map[body["output"]]):
            return dash_dispatch(*args, **kwargs)
        sent = json.dumps(
            [
                body["output"],
                _as_sent(body["inputs"]),
                _as_sent(body.get("state", [])),
                body.get("changedPropIds"),
            ],
            sort_keys=True,
            ensure_ascii=False,
        )
        return data.callback_answer(
            engine(),
            f"{request_language()}|{sent}",
            lambda: dash_dispatch(*args, **kwargs),
            shows_runs=any(c.startswith(RUN_PAGES) for c, _p in _outputs_of(body["output"])),
        )

    server.view_functions[dispatch] = checked_dispatch

    @server.after_request
    def _harden(response: Response) -> Response:
        if (
            request.endpoint == catchall
            and response.status_code == 200
            and not is_page(app, request.path)
        ):
            response.status_code = 404  # the shell still renders Dash Pages' not-found page
        response.headers["Content-Security-Policy"] = content_security_policy(app)
        response.headers.update(HEADERS)
        response.headers.pop("X-Powered-By", None)
        return response

    @server.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400 or exc.response is not None:
            return exc  # redirects, and responses a view built on purpose
        response = exc.get_response()  # keeps headers such as Allow and Retry-After
        response.set_data(f"{exc.code} {exc.name}\n")
        response.mimetype = "text/plain"
        return response

    def _no_such_resource(_exc: Exception):
        # Dash answers these with a message repeating the path asked for (and, for an
        # unknown script, a 500 listing every script it serves)
        return Response("404 Not Found\n", status=404, mimetype="text/plain")

    server.register_error_handler(InvalidResourceError, _no_such_resource)
    server.register_error_handler(DependencyException, _no_such_resource)

    @server.errorhandler(Exception)
    def _failure(exc: Exception):
        error_id = errors.report(exc)
        if request.endpoint == dispatch:
            # outside the callback itself (on_error has that): Dash could not read or
            # answer the request, e.g. outputs that do not fit what the callback returns
            return Response("400 Bad Request\n", status=400, mimetype="text/plain")
        line = f"服务器出错（错误编号 {error_id}）/ Server error (error {error_id})\n"
        return Response(line, status=500, mimetype="text/plain")


# the pages whose callbacks answer from the warehouse alone (through dashboard.data, whose
# answers change only with a load): their ids start so. Not the audit log (au-: it grows
# with every sign-in), data submission (sb-) or the big screen (sc-, which polls).
SHARED_PAGES = ("ov-", "pp-", "rs-", "sh-", "as-", "dq-")
# of those, the pages that show load runs, their files, rejects or held rows (数据质量:
# 载入记录, 报送情况, the rejects): a load that changed no data still changes their answers
RUN_PAGES = ("dq-",)


def _outputs_of(output: str) -> list[tuple[object, str]]:
    """(component, property) of each output a callback's `output` names; a chart card's
    component by its "chart" (None for another pattern-matching id)."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    named = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        if component.startswith("{"):
            component = json.loads(component).get("chart")
        named.append((component, prop))
    return named


def shared_answer(output: str, spec: dict) -> bool:
    """Whether a callback's answer may be shared through dashboard.data.callback_answer:
    every output a component of one of SHARED_PAGES (a chart card's by its "chart"), none
    a page option kept in the address (`.value`); every input a store's `data` — the view
    and the page's options, which the address sets — so never a click: a download, which
    the audit log records, or a drill."""
    if not all(entry["property"] == "data" for entry in spec["inputs"]):
        return False
    for component, prop in _outputs_of(output):
        if not isinstance(component, str) or not component.startswith(SHARED_PAGES):
            return False
        if prop.split("@", 1)[0] == "value":
            return False
    return True


def is_page(app: Dash, path: str) -> bool:
    """Whether `path` is the address of a page of dash.page_registry (as Dash Pages
    matches it: slashes at either end ignored), the not-found page excepted. Pages are
    matched by `path`; none uses a path_template."""
    wanted = app.strip_relative_path(path) or ""
    return any(
        page["path"].strip("/") == wanted
        for page in dash.page_registry.values()
        if page["module"].split(".")[-1] != "not_found_404"
    )


# --- the shape of a callback request -------------------------------------------------------------


def well_formed_callback(body: object, callbacks: dict) -> bool:
    """Whether `body` is a callback request the app's renderer could send: a JSON object
    naming one of the app's callbacks (`output`), with an entry for each of its inputs
    and states, in order, naming that component and property (a list of them for an
    ALL / ALLSMALLER wildcard), the outputs likewise, and as changed properties only
    inputs it names. Values are not judged here: the callbacks parse their own."""
    if not isinstance(body, dict):
        return False
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        return False
    spec = callbacks[output]
    inputs = body.get("inputs")
    changed = body.get("changedPropIds", [])
    return (
        _entries(inputs, spec["inputs"])
        and _entries(body.get("state", []), spec.get("state", []))
        and _outputs(body.get("outputs"), output)
        and isinstance(changed, list)
        and all(isinstance(prop_id, str) for prop_id in changed)
        and {_prop_key(prop_id) for prop_id in changed} <= _input_keys(inputs)
    )


def _as_sent(entries: list) -> list:
    """A well-formed request's input or state entries as the renderer sends them: the
    component, property and value alone. Keys of its own a client adds change no answer,
    and in the shared answer's key each would store that answer again."""
    return [
        _as_sent(entry)
        if isinstance(entry, list)
        else {key: entry.get(key) for key in ("id", "property", "value")}
        for entry in entries
    ]


def _id_key(component: object) -> str:
    """A component id as one string: a pattern-matching id's keys in order, so that the
    renderer's spelling of it and the request's entry compare equal."""
    return component if isinstance(component, str) else json.dumps(component, sort_keys=True)


def _input_keys(inputs: list) -> set[tuple[str, str]]:
    """(component, property) of each input a well-formed request's entries name."""
    entries = [e for entry in inputs for e in (entry if isinstance(entry, list) else [entry])]
    return {(_id_key(e["id"]), e["property"]) for e in entries}


def _prop_key(prop_id: str) -> tuple[str, str] | None:
    """(component, property) of a changed property as the renderer names it: "id.prop", a
    pattern-matching id as its JSON; None when that is no JSON object."""
    component, _, prop = prop_id.rpartition(".")
    if component.startswith("{"):
        try:
            component = json.loads(component)
        except ValueError:
            return None
        if not isinstance(component, dict):
            return None
    return _id_key(component), prop


def _entries(given: object, specs: list[dict]) -> bool:
    return (
        isinstance(given, list)
        and len(given) == len(specs)
        and all(_entry(g, s) for g, s in zip(given, specs, strict=True))
    )


def _outputs(given: object, output: str) -> bool:
    if given is None:
        return True  # renderers before Dash 1.11 send none; Dash reads `output` alone
    if output.startswith(".."):  # several outputs: "..a.children...b.figure.."
        specs = [_split(part) for part in output[2:-2].split("...")]
        return _entries(given, specs)
    return _entry(given, _split(output))


def _split(output: str) -> dict:
    component, prop = output.rsplit(".", 1)
    return {"id": component, "property": prop}


def _entry(given: object, spec: dict) -> bool:
    pattern = json.loads(spec["id"]) if spec["id"].startswith("{") else spec["id"]
    if isinstance(pattern, dict) and any(v in _MANY for v in pattern.values()):
        return isinstance(given, list) and all(_names(g, pattern, spec["property"]) for g in given)
    return _names(given, pattern, spec["property"])


def _names(given: object, pattern: str | dict, prop: str) -> bool:
    """Whether an entry {"id", "property", ...} names the component and property."""
    if not isinstance(given, dict) or not isinstance(given.get("property"), str):
        return False
    if _bare(given["property"]) != _bare(prop):
        return False
    component = given.get("id")
    if isinstance(pattern, str):
        return component == pattern
    return (
        isinstance(component, dict)
        and component.keys() == pattern.keys()
        and all(
            isinstance(component[key], str | int | float | bool)
            if value in _WILDCARDS
            else component[key] == value
            for key, value in pattern.items()
        )
    )


def _bare(prop: str) -> str:
    # an output with allow_duplicate is keyed "search@<hash>"
    return prop.split("@", 1)[0]
