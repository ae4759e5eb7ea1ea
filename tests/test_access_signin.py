"""Sign-in (dashboard.auth) through Flask's test client against the real app over a real
warehouse, on SQLite and PostgreSQL: signing in and out, failures, the CSRF token, `next`,
what a signed-out request gets at every address, cookie flags, the idle timeout, sessions
that end (disabled, new password, signed out), throttling, who `current_user` is, the
admins-only audit page, the settings and `serve` without a key, and the audit rows."""

from __future__ import annotations

import io
import json
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import dash
import pytest
from itsdangerous.timed import TimestampSigner
from werkzeug.exceptions import Unauthorized

from tests.helpers.builder_county import T1, small_county
from xieshang.access import User, audit, users
from xieshang.cli import main
from xieshang.dashboard import auth
from xieshang.dashboard.app import create_app, default_app
from xieshang.dashboard.state import State

PASSWORD = "correct horse battery"
KEY = "an-example-session-key-of-40-characters!!"
COOKIE = "xieshang_session"
FAILED = "用户名或密码错误，或该账户已停用。"


@pytest.fixture
def app(engine, monkeypatch):
    """The app with sign-in on over a warehouse with a roster and three users: li
    (admin), wang (staff of T1), zhao (leader)."""
    small_county().write(engine)
    users.add_user(engine, "li", "admin", PASSWORD, by="test")
    users.add_user(engine, "wang", "staff", PASSWORD, T1, by="test")
    users.add_user(engine, "zhao", "leader", PASSWORD, by="test")
    monkeypatch.setenv(auth.SESSION_KEY_ENV, KEY)
    for name in (auth.IDLE_ENV, auth.SECURE_ENV, auth.LIMIT_ENV):
        monkeypatch.delenv(name, raising=False)
    dash_app = create_app(engine, auth=True)
    auth.LIMITER.reset()
    yield dash_app
    auth.LIMITER.reset()
    auth.configure(dash_app.server, False)  # as every other test expects it


@pytest.fixture
def client(app):
    return app.server.test_client()


def token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def sign_in(client, name: str, password: str = PASSWORD, address: str | None = None, **form):
    data = {"username": name, "password": password, "csrf_token": token(client), **form}
    extra = {"environ_base": {"REMOTE_ADDR": address}} if address else {}
    return client.post("/login", data=data, **extra)


def signed_in(client) -> bool:
    return client.get("/_dash-layout").status_code == 200


def shell(client, **headers) -> list[dict]:
    """The props of every component of the page shell (Dash's layout, as JSON)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "props" in node:
                found.append(node["props"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(client.get("/_dash-layout", headers=headers).get_json())
    return found


def by_id(props: list[dict]) -> dict:
    return {p["id"]: p for p in props if isinstance(p.get("id"), str)}


def hrefs(props: list[dict]) -> set:
    return {p["href"] for p in props if "href" in p}


def sign_rows(engine) -> list[tuple]:
    return [
        (e.user, e.action, e.address, e.detail)
        for e in reversed(audit.entries(engine))
        if e.action.startswith("sign")
    ]


# --- signing in and out ----------------------------------------------------------------------------------


def test_sign_in_and_out(client, engine):
    assert client.get("/").headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "<title>登录 · 协商治理看板</title>" in page
    assert 'name="username"' in page and 'name="password"' in page

    response = sign_in(client, "li")
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    assert client.get("/").status_code == 200
    props = shell(client)
    ids = by_id(props)
    assert ids["signed-in-user"]["children"] == "li" and ids["signed-in-user"]["title"] == "管理员"
    assert "signin-off" not in ids and {"/logout", "/audit"} <= hrefs(props)

    response = client.get("/logout")
    assert (response.status_code, response.headers["Location"]) == (302, "/login")
    assert client.get("/").headers["Location"] == "/login"
    assert not signed_in(client)
    assert sign_rows(engine) == [
        ("li", "sign_in", "127.0.0.1", None),
        ("li", "sign_out", "127.0.0.1", None),
    ]
    last = users.account(engine, "li").last_sign_in
    assert abs((datetime.now(UTC) - last).total_seconds()) < 60


def test_a_head_request_does_not_sign_out(client, engine):
    """HEAD /logout (a link checker, a browser's prefetch) leaves the user signed in:
    only a real visit to the address signs out."""
    sign_in(client, "li")
    assert client.head("/logout").status_code == 302
    assert signed_in(client)
    assert sign_rows(engine) == [("li", "sign_in", "127.0.0.1", None)]


def test_the_sign_in_page_takes_lang_in_any_case(client):
    """lang=EN gives English, as every page's address does."""
    page = client.get("/login?lang=EN").get_data(as_text=True)
    assert '<html lang="en">' in page and ">Sign in</h1>" in page
    # the page it leads to, /?lang=&lang=en, is Chinese (its first lang, blank): so is this
    page = client.get("/login?next=%2F%3Flang%3D%26lang%3Den").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page


def test_english_sign_in_page(client):
    response = client.get("/resolutions?lang=en")
    assert response.headers["Location"] == "/login?next=%2Fresolutions%3Flang%3Den"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="en">' in page and ">Sign in</h1>" in page
    assert 'name="lang" value="en"' in page
    failed = sign_in(client, "li", "wrong password", lang="en").get_data(as_text=True)
    assert "Wrong user name or password, or the account is disabled." in failed


@pytest.mark.parametrize(
    ("name", "password", "reason"),
    [
        ("li", "wrong password", "wrong password"),
        ("nobody", PASSWORD, "unknown user"),
        ("zhao", PASSWORD, "disabled"),
    ],
)
def test_failed_sign_in(client, engine, name, password, reason):
    users.set_active(engine, "zhao", False, by="test")
    response = sign_in(client, name, password, next="/assessment")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert FAILED in page and f'value="{name}"' in page and PASSWORD not in page
    assert 'name="next" value="/assessment"' in page
    assert not signed_in(client)
    assert sign_rows(engine) == [(name, "sign_in_failed", "127.0.0.1", {"reason": reason})]


def test_what_the_form_echoes_is_escaped(client):
    page = sign_in(
        client, '"><script>alert(1)</script>', "x" * 12, next='/"><script>alert(2)</script>'
    ).get_data(as_text=True)
    assert "<script>" not in page
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert 'name="next" value="/&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in page


def test_the_form_needs_its_csrf_token(client, engine):
    form = {"username": "li", "password": PASSWORD}
    response = client.post("/login", data=form)
    assert response.status_code == 400 and "登录表单已过期，请重新输入。" in response.get_data(
        as_text=True
    )
    assert client.post("/login", data={**form, "csrf_token": "forged"}).status_code == 400
    stranger = client.application.test_client()  # a token of another session: no good
    response = client.post("/login", data={**form, "csrf_token": token(stranger)})
    assert response.status_code == 400
    missing = client.post("/login", data={"username": "li", "csrf_token": token(client)})
    assert missing.status_code == 400 and "请填写用户名和密码。" in missing.get_data(as_text=True)
    assert not signed_in(client)
    assert sign_rows(engine) == []  # never got as far as a password check


NEXT_CASES = [
    ("/participation?scope=330281101000&lang=en", "/participation?scope=330281101000&lang=en"),
    ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),  # a path of this server
    ("//evil.example/x", "/"),
    ("http://evil.example/", "/"),
    ("https:evil.example", "/"),
    ("/\\evil.example", "/"),
    ("/\t/evil.example", "/"),
    ("/\n/evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("evil.example", "/"),
    ("/login", "/"),
    ("", "/"),
]


def test_next_is_a_local_path_only(app, client, monkeypatch):
    # one user signing in once per case: more tries of one name than the default limit
    monkeypatch.setenv(auth.LIMIT_ENV, "100 per minute")
    create_app(app.server.config["XIESHANG_ENGINE"], auth=True)
    for target, location in NEXT_CASES:
        response = sign_in(client, "li", next=target)
        assert (target, response.status_code, response.headers["Location"]) == (
            target,
            302,
            location,
        )
        again = client.get("/login", query_string={"next": target})  # signed in already
        assert (target, again.status_code, again.headers["Location"]) == (target, 302, location)
        client.get("/logout")


# --- what a signed-out request gets ----------------------------------------------------------------------


def test_signed_out_every_address_is_closed(app, client):
    pages = [page["path"] for page in dash.page_registry.values()]
    assert {"/", "/participation", "/resolutions", "/assessment", "/audit"} <= set(pages)
    for path in [*pages, "/no-such-page", "/overview/deeper"]:
        response = client.get(path)
        expected = "/login" if path == "/" else f"/login?next={path.replace('/', '%2F')}"
        assert (path, response.status_code, response.headers["Location"]) == (path, 302, expected)
    response = client.get("/assessment?scope=330281101000&from=2025-01-01")
    assert response.headers["Location"] == (
        "/login?next=%2Fassessment%3Fscope%3D330281101000%26from%3D2025-01-01"
    )

    closed = [
        ("POST", "/_dash-update-component"),
        ("GET", "/_dash-layout"),
        ("GET", "/_dash-dependencies"),
        ("GET", "/_reload-hash"),
        ("GET", "/_dash-component-suites/dash/dcc/dash_core_components.js"),
        ("GET", "/download/assessment.csv"),
        ("GET", "/download/assessment.xlsx"),
        ("GET", "/download/overdue.csv"),
        ("GET", "/download/rejects.xlsx"),
        ("GET", "/download/brief.pdf"),
        ("POST", "/api/submissions"),
        ("GET", "/assets/geo/townships.geojson"),
        ("GET", "/assets/session.js"),
        ("POST", "/"),
    ]
    for method, path in closed:
        response = client.open(path, method=method, json={} if method == "POST" else None)
        body = response.get_data(as_text=True)
        assert (path, response.status_code) == (path, 401)
        assert json.loads(body) == {"error": "sign-in required"}

    bootstrap = re.search(
        r'href="(/assets/vendor/bootstrap-[^"]+\.css)"', client.get("/login").get_data(as_text=True)
    ).group(1)
    for path in ("/login", "/assets/app.css", bootstrap, "/_favicon.ico"):
        assert (path, client.get(path).status_code) == (path, 200)
    assert client.get("/logout").headers["Location"] == "/login"


# --- the session ----------------------------------------------------------------------------------------


def set_cookie(response) -> str:
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(COOKIE)]
    return cookie


def test_cookie_flags(app, client, monkeypatch):
    cookie = set_cookie(sign_in(client, "li"))
    flags = {part.strip().split("=")[0] for part in cookie.split(";")[1:]}
    assert flags == {"Expires", "HttpOnly", "Path", "SameSite"}
    assert "SameSite=Lax" in cookie and "Secure" not in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert abs((expires - datetime.now(UTC)) - timedelta(minutes=30)) < timedelta(minutes=1)

    monkeypatch.setenv(auth.SECURE_ENV, "1")
    monkeypatch.setenv(auth.IDLE_ENV, "45")
    create_app(app.server.config["XIESHANG_ENGINE"], auth=True)
    fresh = app.server.test_client()
    cookie = set_cookie(sign_in(fresh, "li"))
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert abs((expires - datetime.now(UTC)) - timedelta(minutes=45)) < timedelta(minutes=1)


@pytest.fixture
def clock(monkeypatch):
    """The time the session cookie's signature is made and checked at (itsdangerous)."""
    now = [int(time.time())]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now[0])
    return now


def test_idle_timeout(client, clock):
    assert sign_in(client, "li").status_code == 302
    clock[0] += 29 * 60
    assert client.get("/").status_code == 200  # each request starts the idle time again
    clock[0] += 29 * 60
    assert signed_in(client)
    clock[0] += 30 * 60 + 1
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/participation").headers["Location"] == "/login?next=%2Fparticipation"


def test_idle_timeout_is_configurable(app, client, clock, monkeypatch):
    monkeypatch.setenv(auth.IDLE_ENV, "5")
    create_app(app.server.config["XIESHANG_ENGINE"], auth=True)
    assert sign_in(client, "li").status_code == 302
    clock[0] += 4 * 60
    assert signed_in(client)
    clock[0] += 5 * 60 + 1
    assert not signed_in(client)


def test_disabling_a_user_ends_their_sessions(client, engine):
    assert sign_in(client, "wang").status_code == 302 and signed_in(client)
    users.set_active(engine, "wang", False, by="test")
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/").headers["Location"] == "/login"
    users.set_active(engine, "wang", True, by="test")
    assert not signed_in(client)  # enabling again does not bring the session back
    assert sign_in(client, "wang").status_code == 302 and signed_in(client)


def test_a_new_password_ends_sessions(client, engine):
    assert sign_in(client, "zhao").status_code == 302 and signed_in(client)
    users.set_password(engine, "zhao", "a brand new password", by="test")
    assert not signed_in(client)
    assert sign_in(client, "zhao").status_code == 401
    assert sign_in(client, "zhao", "a brand new password").status_code == 302


def test_signing_out_ends_every_copy_of_the_session(app, client):
    assert sign_in(client, "li").status_code == 302
    copy = app.server.test_client()
    copy.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    assert signed_in(copy)
    client.get("/logout")
    assert not signed_in(copy)


# --- throttling -----------------------------------------------------------------------------------------


def test_failed_sign_ins_are_throttled_per_user_name(client, engine):
    for n in range(1, 6):
        assert sign_in(client, "li", "wrong password", address=f"10.0.0.{n}").status_code == 401
    response = sign_in(client, "LI", PASSWORD, address="10.0.0.6")
    assert response.status_code == 429
    assert "登录失败次数过多，请一分钟后再试。" in response.get_data(as_text=True)
    assert sign_in(client, "li", PASSWORD, address="10.0.0.7").status_code == 429
    assert sign_in(client, "zhao", PASSWORD, address="10.0.0.6").status_code == 302
    failed = [row for row in sign_rows(engine) if row[1] == "sign_in_failed"]
    assert [row[2] for row in failed] == [f"10.0.0.{n}" for n in range(1, 6)]


def test_failed_sign_ins_are_throttled_per_address(client):
    for n in range(5):
        assert sign_in(client, f"guess{n}", PASSWORD, address="10.0.1.1").status_code == 401
    assert sign_in(client, "li", PASSWORD, address="10.0.1.1").status_code == 429
    assert sign_in(client, "li", PASSWORD, address="10.0.1.2").status_code == 302


def test_per_address_successful_sign_ins_are_not_counted(client, engine):
    # an office behind one address signs in together: eight users, each once
    names = ("li", "zhao", "qian", "sun", "zhou", "wu", "zheng", "feng")
    for name in names[2:]:
        users.add_user(engine, name, "leader", PASSWORD, by="test")
    for name in names:
        assert sign_in(client, name, address="10.0.2.1").status_code == 302, name
        client.get("/logout")


def test_per_user_name_every_try_counts(client):
    for n in range(5):
        assert sign_in(client, "li", address=f"10.0.3.{n}").status_code == 302
        client.get("/logout")
    assert sign_in(client, "li", address="10.0.3.9").status_code == 429


def test_a_sign_in_is_read_from_the_form_alone(client, engine):
    """POST /login takes the form's fields, as the throttle counts them per user name: a
    JSON body (which Flask-WTF would read too) had its password checked under no name's
    count, so sending every other try as JSON doubled the tries at a name; and a file part
    named like a field answered 500. Both are now refused unread (400)."""
    fields = {"username": "li", "password": "wrong password"}
    for n in range(4):
        as_json = client.post(
            "/login",
            json={**fields, "csrf_token": token(client)},
            environ_base={"REMOTE_ADDR": f"10.0.4.{n}"},
        )
        assert as_json.status_code == 400
    for name, field in (("li", "username"), ("zhao", "password")):
        parts = {"username": name, "password": "wrong password", "csrf_token": token(client)}
        parts[field] = (io.BytesIO(b"li"), "x")
        assert client.post("/login", data=parts).status_code == 400
    assert [row[1] for row in sign_rows(engine)] == []  # no password was checked
    # the name's five tries are all still there, each counted
    for n in range(5):
        assert sign_in(client, "li", "wrong password", address=f"10.0.5.{n}").status_code == 401
    assert sign_in(client, "li", PASSWORD, address="10.0.5.9").status_code == 429


def test_the_limit_is_configurable(app, client, monkeypatch):
    monkeypatch.setenv(auth.LIMIT_ENV, "2 per minute")
    create_app(app.server.config["XIESHANG_ENGINE"], auth=True)
    assert [sign_in(client, "li", "wrong password").status_code for _ in range(3)] == [
        401,
        401,
        429,
    ]


# --- who is asking ---------------------------------------------------------------------------------------


def test_current_user(app, client):
    assert auth.current_user() == auth.LOCAL_USER  # outside a request: the server itself
    assert User("(sign-in off)", "admin", None) == auth.LOCAL_USER
    with app.server.test_request_context("/"):
        assert auth.signed_in_user() is None
        with pytest.raises(Unauthorized):
            auth.current_user()
    sign_in(client, "wang")
    with client:
        client.get("/_dash-layout")
        assert auth.current_user() == User("wang", "staff", T1)
    auth.configure(app.server, False)
    with app.server.test_request_context("/"):
        assert auth.current_user() == auth.LOCAL_USER


def test_sign_in_off_banner(app, client):
    auth.configure(app.server, False)
    props = shell(client)
    ids = by_id(props)
    assert ids["signin-off"]["children"] == (
        "未启用登录：能访问本端口的任何人都可查看全部数据（xieshang demo / serve --no-auth）。"
    )
    assert "signed-in-user" not in ids and "sign-out" not in ids and "/audit" in hrefs(props)
    english = by_id(shell(client, Referer="http://localhost/?lang=en"))
    assert english["signin-off"]["children"] == (
        "Sign-in is off: anyone who can reach this port sees all the data "
        "(xieshang demo / serve --no-auth)."
    )
    assert client.get("/login").headers["Location"] == "/"
    assert client.get("/logout").headers["Location"] == "/"
    assert client.get("/participation").status_code == 200


# --- the audit page: admins only -------------------------------------------------------------------------


def audit_callback(app, client) -> dict:
    """The audit page's callback, as a forged request would send it."""
    key = next(k for k in app.callback_map if "au-note.children" in k)
    store = State.from_store(
        {"scope": None, "start": "2025-01-01", "end": "2025-06-30", "lang": "zh"}
    ).to_store()
    body = {
        "output": key,
        "outputs": [
            {"id": "au-grid", "property": "rowData"},
            {"id": "au-grid", "property": "columnDefs"},
            {"id": "au-note", "property": "children"},
        ],
        "inputs": [
            {"id": "au-user", "property": "value", "value": None},
            {"id": "au-action", "property": "value", "value": None},
            {"id": "au-since", "property": "date", "value": None},
            {"id": "state", "property": "data", "value": store},
        ],
        "changedPropIds": ["state.data"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]


def test_the_audit_page_is_for_admins(app, client):
    sign_in(client, "zhao")
    response = client.get("/audit")
    assert response.status_code == 403
    assert "此页面仅限管理员访问。" in response.get_data(as_text=True)
    # Dash's pages show /audit for these too (they were answered 200)
    for path in ("/audit/", "/audit%2f", "/audit/?lang=en"):
        assert client.get(path).status_code == 403, path
    answer = audit_callback(app, client)
    assert answer["au-grid"]["rowData"] == []
    assert "此页面仅限管理员访问。" in json.dumps(answer["au-note"], ensure_ascii=False)
    client.get("/logout")

    sign_in(client, "li")
    assert client.get("/audit").status_code == 200
    rows = audit_callback(app, client)["au-grid"]["rowData"]
    assert [(r["user"], r["action"]) for r in rows[:3]] == [
        ("li", "登录"),
        ("zhao", "退出登录"),
        ("zhao", "登录"),
    ]
    assert rows[0]["address"] == "127.0.0.1"


# --- settings --------------------------------------------------------------------------------------------


def test_settings_from_the_environment():
    settings = auth.settings_from_env({auth.SESSION_KEY_ENV: KEY})
    assert settings == auth.Settings(KEY, 30, False, "5 per minute")
    settings = auth.settings_from_env(
        {auth.SESSION_KEY_ENV: KEY, auth.IDLE_ENV: "10", auth.SECURE_ENV: "true"}
    )
    assert (settings.idle_minutes, settings.secure_cookies) == (10, True)
    with pytest.raises(auth.SessionKeyError, match="XIESHANG_SESSION_KEY is not set: set it"):
        auth.settings_from_env({})
    with pytest.raises(auth.SessionKeyError, match="is shorter than 32 characters"):
        auth.settings_from_env({auth.SESSION_KEY_ENV: "x" * 31})
    for idle in ("0", "-5", "ten", "1.5"):
        with pytest.raises(ValueError, match="must be a whole number of minutes above 0"):
            auth.settings_from_env({auth.SESSION_KEY_ENV: KEY, auth.IDLE_ENV: idle})
    with pytest.raises(ValueError, match="is not a rate such as '5 per minute'"):
        auth.settings_from_env({auth.SESSION_KEY_ENV: KEY, auth.LIMIT_ENV: "often"})


def test_serve_and_create_app_refuse_without_a_key(engine, db_url, monkeypatch, capsys):
    monkeypatch.delenv(auth.SESSION_KEY_ENV, raising=False)
    assert main(["serve", "--db", db_url]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "xieshang: XIESHANG_SESSION_KEY is not set: set it to a random string of at least 32 "
        "characters (python3 -c 'import secrets; print(secrets.token_hex(32))'), or on a "
        "single-user laptop run xieshang serve --no-auth\n"
    )
    monkeypatch.setenv(auth.SESSION_KEY_ENV, "too-short")
    assert main(["serve", "--db", db_url]) == 1
    assert "XIESHANG_SESSION_KEY is shorter than 32 characters" in capsys.readouterr().err
    with pytest.raises(auth.SessionKeyError):
        create_app(engine, auth=True)


def test_serve_with_and_without_sign_in(engine, db_url, monkeypatch, capsys):
    monkeypatch.setattr(dash.Dash, "run", lambda self, **kwargs: None)  # do not serve
    monkeypatch.setenv(auth.SESSION_KEY_ENV, KEY)
    assert main(["serve", "--db", db_url, "--port", "8123"]) == 0
    assert capsys.readouterr().err == (
        "no one can sign in yet: add a user with `xieshang user add NAME --role admin`\n"
        "协商治理看板 dashboard: http://127.0.0.1:8123/  (sign-in on; Ctrl+C to stop)\n"
    )
    server = default_app().server  # the one app of the process, as serve left it
    assert server.config[auth.AUTH_KEY] is True
    monkeypatch.delenv(auth.SESSION_KEY_ENV)
    assert main(["serve", "--db", db_url, "--no-auth"]) == 0
    assert capsys.readouterr().err == (
        "协商治理看板 dashboard: http://127.0.0.1:8050/  (sign-in OFF (--no-auth); Ctrl+C to stop)\n"
    )
    assert server.config[auth.AUTH_KEY] is False
