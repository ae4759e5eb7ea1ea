"""HTTP hardening (xieshang.dashboard.hardening, docs/security.md "HTTP hardening") through
Flask's test client over the real app and a real warehouse, on SQLite and PostgreSQL:
the security headers on every kind of response, a CSP that lets only the page's own
inline scripts run, no version banner (development server and the Procfile's gunicorn),
malformed and forged callback requests — a fuzz test — answered without a 500, a
traceback or SQL, failures shown by an error id only, unknown addresses 404, the English
switch under the referrer policy, and warehouse text escaped before Plotly's labels."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
import shlex
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import dash
import numpy as np
import pytest
import werkzeug.serving
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.builder_county import COUNTY as SMALL_COUNTY
from tests.helpers.builder_county import T1, T2, V11, V12, V21, V22, build_county
from tests.helpers.inbox_county import CHENGGUAN, COUNTY, DONGHU, LIUSHU, load_county
from xieshang.dashboard import data, hardening, shell
from xieshang.dashboard.app import create_app
from xieshang.dashboard.charts import bars, maps, theme
from xieshang.dashboard.charts.text import plain
from xieshang.dashboard.geometry import demo_shapes
from xieshang.dashboard.state import State
from xieshang.dashboard.views import overview, resolutions, stakeholders
from xieshang.warehouse.engine import open_warehouse

pytestmark = pytest.mark.warehouse(fill=load_county)

ROOT = Path(__file__).resolve().parent.parent
DISPATCH = "/_dash-update-component"
STORE = State(COUNTY, date(2025, 1, 1), date(2025, 6, 30)).to_store()
KPIS = {  # a callback request as the renderer sends it: the overview's KPI cards
    "output": "ov-kpis.children",
    "outputs": {"id": "ov-kpis", "property": "children"},
    "inputs": [{"id": "state", "property": "data", "value": STORE}],
    "changedPropIds": ["state.data"],
}
# what a response must never carry: a traceback, the database layer's names, SQL
LEAKS = ("Traceback", 'File "', "sqlalchemy", "psycopg", "sqlite3", "SELECT ", " FROM ")
BAD_REQUEST = "400 Bad Request\n"
SECRET_SQL = "SELECT password_hash FROM users WHERE name = 'li'"


@pytest.fixture
def app(engine):
    dash_app = create_app(engine)
    dash_app.server.test_client().get("/")  # Dash's first request adds the pages' callbacks
    return dash_app


@pytest.fixture
def client(app):
    return app.server.test_client()


def _fail(*_args, **_kwargs):
    raise RuntimeError(SECRET_SQL)


def leaks(text: str) -> list[str]:
    return [leak for leak in LEAKS if leak in text]


def post(client, body):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(DISPATCH, data=raw, content_type="application/json")


def script_src(client) -> str:
    """The address of a Dash script the page loads (a component suite)."""
    page = client.get("/").get_data(as_text=True)
    return re.search(r'<script src="(/_dash-component-suites/[^"]+)"', page).group(1)


# --- headers -------------------------------------------------------------------------------------


def _responses(client) -> dict[str, object]:
    return {
        "page /": client.get("/"),
        "page /resolutions": client.get("/resolutions?lang=en"),
        "layout": client.get("/_dash-layout"),
        "dependencies": client.get("/_dash-dependencies"),
        "callback": post(client, KPIS),
        "asset": client.get("/assets/app.css"),
        "script": client.get(script_src(client)),
        "unknown path": client.get("/no-such-page"),
        "malformed callback": post(client, b"{"),
    }


def test_every_kind_of_response_carries_the_security_headers(client):
    for what, response in _responses(client).items():
        headers = response.headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'"), what
        assert headers["X-Frame-Options"] == "DENY", what
        assert headers["X-Content-Type-Options"] == "nosniff", what
        assert headers["Referrer-Policy"] == "same-origin", what
        assert "X-Powered-By" not in headers, what
        assert "Server" not in headers, what  # the WSGI server adds its own (tests below)
    assert _responses(client)["callback"].status_code == 200


def _policy(response) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (
            part.split() for part in response.headers["Content-Security-Policy"].split(";")
        )
    }


def test_the_content_security_policy_lets_only_the_pages_own_inline_scripts_run(client):
    page = client.get("/")
    policy = _policy(page)
    scripts = policy["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert scripts[0] == "'self'"
    # every script the page runs inline (not `src=`, not the JSON config, not inside
    # the IE-only comment) is allowed by its hash, and nothing else is
    html = re.sub(r"<!--.*?-->", "", page.get_data(as_text=True), flags=re.S)
    inline = [
        body
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
        if "src=" not in attrs and "application/json" not in attrs
    ]
    assert len(inline) == 2  # the renderer's start and Dash Pages' clientside callback
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in inline
    ]
    assert sorted(scripts[1:]) == sorted(hashes)
    assert policy["default-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_the_english_switch_works_under_the_referrer_policy(client):
    """`same-origin` keeps the Referer on the page's own requests: the shell is built in
    the language of the address the layout request comes from."""
    page = client.get("/participation?lang=en")
    assert page.headers["Referrer-Policy"] == "same-origin"
    english = client.get("/_dash-layout", headers={"Referer": "http://localhost/?lang=en"})
    assert "Consultative Governance Dashboard" in english.get_data(as_text=True)
    chinese = client.get("/_dash-layout", headers={"Referer": "http://localhost/participation"})
    assert "协商治理看板" in chinese.get_data(as_text=True)


def test_a_blank_lang_before_another_is_the_default_for_the_frame_too(client):
    """?lang=&lang=en: the page, its figures and `<html lang>` take the first value (blank:
    the default, Chinese), as the address's every parameter; the frame took the second
    and was English around a Chinese page."""
    frame = client.get("/_dash-layout", headers={"Referer": "http://localhost/?lang=&lang=en"})
    assert "协商治理看板" in frame.get_data(as_text=True)
    page = client.get("/?lang=&lang=en").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page


def test_every_page_names_its_language(client):
    """A screen reader picks its voice, and a browser its fonts and hyphenation, from
    `<html lang>`: Chinese pages say zh-CN, English ones en, the sign-in page too."""
    for address, expected in (
        ("/participation?lang=en", "en"),
        ("/resolutions?lang=EN", "en"),
        ("/", "zh-CN"),
        ("/screen", "zh-CN"),
        ("/?lang=fr", "zh-CN"),
        ("/no-such-page?lang=en", "en"),
    ):
        page = client.get(address).get_data(as_text=True)
        assert re.findall(r"<html[^>]*>", page) == [f'<html lang="{expected}">'], address


# --- no version banner ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_development_server_names_no_version(app, monkeypatch):
    """app.run (xieshang serve, xieshang demo, the browser tests) serves with a request
    handler that names neither Werkzeug nor Python."""
    servers = []

    def run_simple(hostname, port, application, **options):  # as werkzeug's, returning
        server = werkzeug.serving.make_server(
            hostname, port, application, threaded=True, request_handler=options["request_handler"]
        )
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()

    monkeypatch.setattr(werkzeug.serving, "run_simple", run_simple)
    port = free_port()
    app.run(host="127.0.0.1", port=port, debug=False)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
            assert response.headers["Server"] == hardening.SERVER_NAME
            assert response.headers["Content-Security-Policy"]
    finally:
        servers[0].shutdown()


def _procfile_command() -> str:
    line = (ROOT / "Procfile").read_text(encoding="utf-8").strip()
    assert line.startswith("web: ")
    return line.removeprefix("web: ")


def test_the_procfile_binds_to_localhost_unless_told():
    command = _procfile_command()
    assert "--bind ${BIND:-127.0.0.1}:${PORT:-8050}" in command
    assert "0.0.0.0" not in command


@pytest.mark.slow
def test_the_procfile_serves_with_the_headers_and_no_version_banner(tmp_path):
    """The Procfile's command as a deployment runs it (sign-in on: the session key set)."""
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    open_warehouse(url).dispose()
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "XIESHANG_DB": url,
        "XIESHANG_SESSION_KEY": "a-session-key-for-the-procfile-test-0123456789",
    }
    env.pop("BIND", None)
    expanded = subprocess.check_output(["bash", "-c", f"echo {_procfile_command()}"], env=env)
    assert f"--bind 127.0.0.1:{port} " in expanded.decode()
    process = subprocess.Popen(
        shlex.split(expanded.decode()),
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                asset = urllib.request.urlopen(f"http://127.0.0.1:{port}/assets/app.css")
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, process.stderr.read().decode()
                assert time.time() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/login")
        for response in (asset, page):
            assert response.headers["Server"] == "gunicorn"  # no version, Werkzeug, Python
            assert response.headers["X-Frame-Options"] == "DENY"
            assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- malformed and forged callbacks --------------------------------------------------------------


MALFORMED = {
    "not JSON": b"{",
    "not an object": [KPIS],
    "no output": {k: v for k, v in KPIS.items() if k != "output"},
    "an unknown output": {**KPIS, "output": "secret.children"},
    "a non-string output": {**KPIS, "output": ["ov-kpis.children"]},
    "no inputs": {k: v for k, v in KPIS.items() if k != "inputs"},
    "too many inputs": {**KPIS, "inputs": KPIS["inputs"] * 2},
    "another component as input": {
        **KPIS,
        "inputs": [{"id": "page-options", "property": "data", "value": STORE}],
    },
    "another property": {**KPIS, "inputs": [{"id": "state", "property": "x", "value": STORE}]},
    "an input that is no entry": {**KPIS, "inputs": ["state.data"]},
    "outputs of another component": {
        **KPIS,
        "outputs": {"id": "notices", "property": "children"},
    },
    "changed properties not strings": {**KPIS, "changedPropIds": [1]},
    # the renderer names only inputs that changed; a drill callback called with its
    # state as the trigger logged a traceback for each such request
    "a changed property that is no input": {**KPIS, "changedPropIds": ["page-options.data"]},
    "a changed property of no component": {**KPIS, "changedPropIds": ["data"]},
    "a changed pattern id that is no object": {**KPIS, "changedPropIds": ['["state"].data']},
    "a dict id for a plain one": {
        **KPIS,
        "inputs": [{"id": {"type": "state"}, "property": "data", "value": STORE}],
    },
}


def _nav_callback(app) -> str:
    return next(key for key in app.callback_map if '"type":"nav"' in key)


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_callback_request_gets_400_without_detail(client, case):
    response = post(client, MALFORMED[case])
    assert response.status_code == 400
    assert response.get_data(as_text=True) == BAD_REQUEST


def test_a_wildcard_callback_checks_each_component_it_names(app, client):
    output = _nav_callback(app)
    tabs = [{"page": key, "type": "nav"} for _, key in shell.nav_pages()]
    outputs = [
        [{"id": tab, "property": "href"} for tab in tabs],
        [{"id": tab, "property": "className"} for tab in tabs],
        {"id": "lang-link", "property": "href"},
        {"id": "brand", "property": "href"},
        {"id": "freshness", "property": "children"},
        {"id": "f-online", "property": "children"},
        {"id": "nav-current", "property": "children"},
    ]
    inputs = [
        {"id": "state", "property": "data", "value": STORE},
        {"id": "page-options", "property": "data", "value": {}},
        {"id": "_pages_location", "property": "pathname", "value": "/"},
    ]
    body = {"output": output, "outputs": outputs, "inputs": inputs, "changedPropIds": []}
    assert post(client, body).status_code == 200
    single = {**body, "outputs": [tabs[0], *outputs[1:]]}  # ALL given one component
    assert post(client, single).status_code == 400
    stranger = [[{"id": {"page": "x", "type": "admin"}, "property": "href"}], *outputs[1:]]
    assert post(client, {**body, "outputs": stranger}).status_code == 400


def test_a_changed_pattern_id_is_matched_however_its_keys_are_ordered(client):
    csv = {"chart": "ov-ranking", "type": "chart-csv"}
    body = {
        "output": '{"chart":["MATCH"],"type":"chart-download"}.data',
        "outputs": {"id": {"chart": "ov-ranking", "type": "chart-download"}, "property": "data"},
        "inputs": [{"id": csv, "property": "n_clicks", "value": 1}],
        "state": [
            {"id": {"chart": "ov-ranking", "type": "chart-data"}, "property": "data"},
            {"id": "state", "property": "data", "value": STORE},
        ],
    }
    # the renderer's spelling (keys sorted, no spaces), and another: the same input
    for changed in ('{"chart":"ov-ranking","type":"chart-csv"}', json.dumps(csv)):
        assert post(client, {**body, "changedPropIds": [f"{changed}.n_clicks"]}).status_code != 400
    reordered = '{"type": "chart-csv", "chart": "ov-ranking"}.n_clicks'
    assert post(client, {**body, "changedPropIds": [reordered]}).status_code != 400
    other = '{"chart":"ov-trend","type":"chart-csv"}.n_clicks'  # no input of this request
    assert post(client, {**body, "changedPropIds": [other]}).status_code == 400


def test_outputs_that_do_not_fit_the_callback_get_400(app, client):
    """Naming fewer outputs than the callback has."""
    output = next(k for k in app.callback_map if "ov-ranking-graph" in k)
    body = {
        "output": output,
        "outputs": [{"id": "ov-ranking-graph", "property": "figure"}],
        "inputs": [
            {"id": "state", "property": "data", "value": STORE},
            {"id": "page-options", "property": "data", "value": {}},
        ],
    }
    response = post(client, body)
    assert response.status_code == 400
    assert response.get_data(as_text=True) == BAD_REQUEST


def test_a_request_dash_cannot_answer_gets_400_and_its_reason_is_logged(
    app, client, monkeypatch, caplog
):
    """Failing in Dash's own handling of the request, outside the callback."""
    monkeypatch.setattr(app, "_prepare_callback", _fail)
    response = post(client, KPIS)
    assert response.status_code == 400
    assert response.get_data(as_text=True) == BAD_REQUEST
    assert any(SECRET_SQL in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


# hostile values for any input: other areas, SQL, HTML, huge strings, any JSON
SCOPES = st.sampled_from([COUNTY, DONGHU, CHENGGUAN, LIUSHU, "330281999999", "3302", ""])
SQL = st.sampled_from(
    [
        "' or 1=1 --",
        "330281100000' union select password_hash from users --",
        "1); drop table area; --",
    ]
)
MARKUP = st.sampled_from(
    ['<a href="http://x">x</a>', "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
)
HUGE = st.builds(
    lambda ch, n: ch * n, st.sampled_from(["a", "<", "'", "中"]), st.integers(1, 300_000)
)
TEXT = SCOPES | SQL | MARKUP | st.text(max_size=40)
ANY_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)
DAYS = st.sampled_from(["2025-01-01", "2025-06-30", "2025-02-30", "9999-12-31", "x"]) | ANY_JSON
STORES = st.fixed_dictionaries(
    {"scope": TEXT | ANY_JSON, "start": DAYS, "end": DAYS},
    optional={
        "form": TEXT,
        "category": TEXT,
        "online": st.booleans() | TEXT,
        "lang": st.sampled_from(["zh", "en", "xx"]) | ANY_JSON,
    },
)
SEARCHES = st.builds(
    lambda scope, start, rest: f"?scope={scope}&from={start}&{rest}", TEXT, TEXT, TEXT
)
VALUES = ANY_JSON | STORES | SEARCHES | HUGE


def _pattern_id(text: str, wildcard: str):
    if not text.startswith("{"):
        return text
    return {k: (wildcard if isinstance(v, list) else v) for k, v in json.loads(text).items()}


def _entry(spec: dict, value, wildcard: str):
    component = _pattern_id(spec["id"], wildcard)
    entry = {"id": component, "property": spec["property"], "value": value}
    if '["ALL"]' in spec["id"] or '["ALLSMALLER"]' in spec["id"]:
        return [entry]
    return entry


def _outputs(output: str, wildcard: str):
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    specs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]
    entries = [_entry(spec, None, wildcard) for spec in specs]
    for entry in entries:
        for item in entry if isinstance(entry, list) else [entry]:
            item.pop("value")
    return entries if output.startswith("..") else entries[0]


@st.composite
def forged_requests(draw, callbacks: dict) -> dict:
    """A request the renderer could send for one of the app's callbacks, every value
    hostile, sometimes bent out of shape."""
    output = draw(st.sampled_from(sorted(callbacks)))
    spec = callbacks[output]
    wildcard = draw(st.sampled_from(["ov-ranking", "page_overview"]) | st.text(max_size=8))
    body = {
        "output": output,
        "outputs": _outputs(output, wildcard),
        "inputs": [_entry(s, draw(VALUES), wildcard) for s in spec["inputs"]],
        "state": [_entry(s, draw(VALUES), wildcard) for s in spec["state"]],
        "changedPropIds": [
            f"{s['id']}.{s['property']}" for s in spec["inputs"] if draw(st.booleans())
        ],
    }
    bend = draw(st.sampled_from(["none", "none", "drop", "replace", "truncate"]))
    key = draw(st.sampled_from(sorted(body)))
    if bend == "drop":
        del body[key]
    elif bend == "replace":
        body[key] = draw(ANY_JSON)
    elif bend == "truncate" and isinstance(body[key], list):
        body[key] = body[key][:-1]
    return body


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_fuzzed_callback_requests_never_fail_or_leak(app, client, data):
    if data.draw(st.booleans()):
        body = data.draw(forged_requests(app.callback_map))
    else:
        body = data.draw(ANY_JSON | HUGE)
    response = post(client, body)
    text = response.get_data(as_text=True)
    assert response.status_code in (200, 204, 400), text[:500]
    assert leaks(text) == [], text[:2000]
    if response.status_code == 400:
        assert text == BAD_REQUEST


# --- failures shown by an id ------------------------------------------------------------------------


def test_a_failing_callback_shows_an_error_id_and_logs_the_exception(
    app, client, monkeypatch, caplog
):
    monkeypatch.setattr(data, "directory", _fail)
    # a guarded part (the KPI cards): its error state, by id
    response = post(client, KPIS)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert leaks(text) == [] and "password_hash" not in text
    error_id = re.search(r"错误编号 ([0-9a-f]{8})", text).group(1)
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and SECRET_SQL in str(logged[0].exc_info[1])
    # a callback with no guard of its own (the shell's links): the shell's error notice,
    # in the page's language
    tabs = [{"page": key, "type": "nav"} for _, key in shell.nav_pages()]
    body = {
        "output": _nav_callback(app),
        "outputs": [
            [{"id": tab, "property": "href"} for tab in tabs],
            [{"id": tab, "property": "className"} for tab in tabs],
            {"id": "lang-link", "property": "href"},
            {"id": "brand", "property": "href"},
            {"id": "freshness", "property": "children"},
            {"id": "f-online", "property": "children"},
            {"id": "nav-current", "property": "children"},
        ],
        "inputs": [
            {"id": "state", "property": "data", "value": STORE},
            {"id": "page-options", "property": "data", "value": {}},
            {"id": "_pages_location", "property": "pathname", "value": "/"},
        ],
    }
    response = client.post(DISPATCH, json=body, headers={"Referer": "http://localhost/?lang=en"})
    assert response.status_code == 200
    notice = response.get_json()["sideUpdate"][shell.ERROR_NOTICE]["children"]
    message = notice["props"]["children"]
    error_id = re.fullmatch(
        r"This part could not be shown \(error ([0-9a-f]{8})\)\. .*", message
    ).group(1)
    assert any(error_id in r.getMessage() for r in caplog.records)
    assert leaks(response.get_data(as_text=True)) == []


def test_any_other_failure_answers_500_with_an_error_id(client, monkeypatch, caplog):
    monkeypatch.setattr(shell, "_top_bar", _fail)
    response = client.get("/_dash-layout")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert response.mimetype == "text/plain"
    assert text.count("\n") == 1 and leaks(text) == [] and "password_hash" not in text
    error_id = re.search(r"error ([0-9a-f]{8})", text).group(1)
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)


# --- unknown paths ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/no-such-page",
        "/404",
        "/participation/extra",
        "/.env",
        "/assets/no-such.css",
        "/_dash-component-suites/dash/no-such.js",
        "/_dash-component-suites/<script>alert(1)</script>/x.js",
    ],
)
def test_an_unknown_path_answers_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "<script>alert" not in text and leaks(text) == []


def test_a_page_that_is_not_there_still_shows_the_shell(client):
    # the browser renders Dash Pages' not-found page in the dashboard's frame
    assert 'id="_dash-config"' in client.get("/no-such-page").get_data(as_text=True)


def test_every_page_and_the_dash_endpoints_answer(client):
    pages = [
        page["path"]
        for page in dash.page_registry.values()
        if not page["module"].endswith("not_found_404")
    ]
    assert "/" in pages and "/data-quality" in pages
    for path in [*pages, "/participation/", "/?lang=en&scope=x"]:
        assert client.get(path).status_code == 200, path
    for path in ["/_dash-layout", "/_dash-dependencies", "/_favicon.ico", "/assets/app.css"]:
        assert client.get(path).status_code == 200, path
    assert client.get(script_src(client)).status_code == 200


# --- warehouse text in Plotly's labels -------------------------------------------------------------


LINK = '<a href="http://x">x</a>'
ESCAPED = '&lt;a href="http://x"&gt;x&lt;/a&gt;'


def test_plain_escapes_what_plotly_would_read_as_markup():
    assert plain(LINK) == ESCAPED
    assert plain("A & B <b>") == "A &amp; B &lt;b&gt;"
    assert plain("柳树村") == "柳树村"
    assert plain(None) == ""


EVIL = {  # every area of the small county named with markup
    SMALL_COUNTY: '<a href="http://x">县</a>',
    T1: LINK,
    T2: "<b>102镇</b> & <i>",
    V11: '<span style="color:red">101镇201村</span>',
    V12: "<br>101镇202村",
    V21: "<img src=x>",
    V22: "102镇202村 &amp;",
}


def evil_county(engine, _directory) -> None:
    b = build_county()
    for area in b.areas:
        area["area_name"] = EVIL[area["area_code"]]
    b.write(engine)


def strings(value) -> list[str]:
    """Every string inside a figure's JSON."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [s for item in value for s in strings(item)]
    return []


def _raw_names(figure) -> list[str]:
    """The markup of any area name that reached the figure as markup."""
    shown = strings(figure.to_plotly_json())
    return [name for name in EVIL.values() if any(name in s for s in shown)]


@pytest.mark.warehouse(fill=evil_county)
def test_names_with_markup_reach_every_chart_as_text(engine):
    county = State(SMALL_COUNTY, date(2025, 1, 1), date(2025, 3, 31))
    township = county.replace(scope=T1)
    figures = {
        "ranking": overview.build_ranking(engine, county, "meetings")[0],
        "township ranking": overview.build_ranking(engine, township, "meetings")[0],
        "map": overview.build_map(engine, township, "meetings")[0],
        "heatmap": stakeholders.build_heatmap(engine, county)[0],
        "status mix": resolutions.build_status_mix(engine, county.replace(end=date(2025, 12, 31)))[
            0
        ],
        "days": resolutions.build_days(engine, county.replace(end=date(2025, 12, 31)))[0],
        "satisfaction": resolutions.build_satisfaction(
            engine, county.replace(end=date(2025, 12, 31))
        )[0],
    }
    for what, figure in figures.items():
        assert hasattr(figure, "to_plotly_json"), f"{what}: no figure drawn"
        assert _raw_names(figure) == [], what
    # the names are there, escaped: the axis shows them as loaded
    ranking = figures["ranking"].to_plotly_json()
    assert plain(EVIL[T1]) in ranking["layout"]["yaxis"]["ticktext"]
    assert ESCAPED in " ".join(strings(figures["map"].to_plotly_json()))
    assert plain(EVIL[SMALL_COUNTY]) in " ".join(strings(figures["days"].to_plotly_json()))


def test_the_builders_escape_names_they_are_given():
    rows = [
        {
            "area_code": T1,
            "area_name": LINK,
            "value": 0.5,
            "k": 1,
            "n": 2,
            "ci": (0.1, 0.9),
            "too_few": False,
            "over_100": False,
        }
    ]
    ranking = bars.ranking_bar(rows, "implementation_rate", average=0.5, average_label=LINK)
    mix = bars.share_bars(
        [{"area_code": T1, "area_name": LINK, "due": 2, "done": 1}],
        [("done", "已落实", "#000")],
        total_field="due",
        total_label="到期数",
        selected=T1,
    )
    shapes = demo_shapes([T1])
    township, _ = maps.township_map(shapes, rows, "implementation_rate", selected=T1)
    nothing, _ = maps.township_map(shapes, [{**rows[0], "value": None}], "implementation_rate")
    for figure in (ranking, mix, township, nothing):
        shown = strings(figure.to_plotly_json())
        assert not any(LINK in s for s in shown)
        assert any(ESCAPED in s for s in shown)
    assert ESCAPED in theme.hover_value(rows[0], "implementation_rate", "zh")


@pytest.mark.parametrize("encoding", [None, "identity", "gzip"])
def test_a_lazy_script_is_sent_whole_to_a_client_without_a_copy(client, encoding):
    """Whatever encoding the client takes (a gateway may strip Accept-Encoding): a file
    Dash loads later by its plain name, with an ETag (served from memory, app.py); only a
    client sending its copy's tag back gets 304."""
    client.get("/")
    src = "/_dash-component-suites/dash/dcc/async-graph.js"
    asked = {"Accept-Encoding": encoding} if encoding else {}
    first = client.get(src, headers=asked)
    assert first.status_code == 200
    body = first.get_data()
    if first.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    assert body == (Path(dash.__file__).parent / "dcc" / "async-graph.js").read_bytes()
    again = client.get(src, headers={**asked, "If-None-Match": first.headers["ETag"]})
    assert (again.status_code, again.get_data()) == (304, b"")
