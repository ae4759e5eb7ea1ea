"""Sign-in (interfaces.md "Sign-in and who sees what"), from well-kept libraries:
Flask-Login keeps who is signed in in Flask's signed session cookie, argon2-cffi checks
passwords (xieshang.access), Flask-WTF puts a CSRF token on the form, Flask-Limiter
throttles sign-in tries per user name and failed ones per client address.

    auth.install(server, engine_of)    once, when the app is built: routes and the gate
    auth.configure(server, on)         each create_app: sign-in on (settings from the
                                       environment, SessionKeyError without a key) or off
    auth.current_user()                who is asking (helpers of scope and downloads)

With sign-in on, every request passes the gate: /login, /logout and the two style sheets
the sign-in page links (assets/app.css and the vendored Bootstrap) are open; signed out, a
page address answers 302 to /login?next=…, anything else (Dash's /_dash-… endpoints and
component scripts, /download/…, /api/…, other assets) 401. `/audit` is for admins (403).

The session: HttpOnly, SameSite=Lax (so no other site can send it with a POST: the CSRF
defence of the callbacks), Secure when XIESHANG_SECURE_COOKIES=1; it ends after
XIESHANG_SESSION_IDLE_MINUTES without a request (Flask re-signs the permanent session's
cookie on every request and refuses one signed longer ago than that). Its identity is
"epoch:name": a new password, disabling the user or signing out raises the user's epoch
in the warehouse, and the user loader — which reads the user on every request — ends every
session of an older epoch, as it ends those of a disabled user.

Throttling counts every try per user name and failed tries per client address, where the
shared figure cache lives: in Redis at XIESHANG_CACHE_URL, so that every gunicorn worker
and app server adds to one count (an attacker spread over them gets no more tries), else
in the process's memory. With Redis unreachable the counts fall back to memory until it
answers again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import flask_login
from flask import (
    Flask,
    Response,
    abort,
    current_app,
    has_app_context,
    has_request_context,
    redirect,
    request,
    session,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from limits import parse_many
from sqlalchemy import Engine
from wtforms import PasswordField, StringField

from xieshang.access import User, users
from xieshang.dashboard import signin_page
from xieshang.dashboard.i18n import t
from xieshang.dashboard.paths import assets_dir
from xieshang.dashboard.state import language

SESSION_KEY_ENV = "XIESHANG_SESSION_KEY"
IDLE_ENV = "XIESHANG_SESSION_IDLE_MINUTES"
SECURE_ENV = "XIESHANG_SECURE_COOKIES"
LIMIT_ENV = "XIESHANG_SIGNIN_LIMIT"
MIN_KEY_LENGTH = 32
DEFAULT_IDLE_MINUTES = 30
DEFAULT_LIMIT = "5 per minute"

AUTH_KEY = "XIESHANG_AUTH"  # server.config: is sign-in on
_LIMIT_KEY = "XIESHANG_SIGNIN_LIMIT"
_ENGINE_OF = "xieshang_engine_of"  # server.extensions: the running warehouse
_BOOTSTRAP = "xieshang_bootstrap_href"

LOCAL_USER = User(name="(sign-in off)", role="admin", township=None)
"""Who is asking when sign-in is off (xieshang demo, serve --no-auth) or outside a
request (the command line, builder tests): the whole roster, as an admin."""

ADMIN_PATHS = frozenset({"/audit"})
_OPEN_PATHS = frozenset({"/login", "/logout", "/_favicon.ico", "/assets/app.css"})
_NOT_PAGES = ("/_", "/download/", "/api/", "/assets/")

SHARED_STORE_ENV = "XIESHANG_CACHE_URL"  # the Redis of the shared cache (dashboard.data)
STORE_TIMEOUT_SECONDS = 0.25  # as the cache's: a Redis on the same network answers in ms

LIMITER = Limiter(get_remote_address)  # its storage: `limiter_config`, set by `install`


class SessionKeyError(RuntimeError):
    """Sign-in is on but the session-signing key is missing or too short."""


@dataclass(frozen=True)
class Settings:
    session_key: str
    idle_minutes: int
    secure_cookies: bool
    signin_limit: str


def settings_from_env(environ: Mapping[str, str] = os.environ) -> Settings:
    """The sign-in settings; SessionKeyError (or ValueError for a malformed value) with
    one line naming the fix."""
    key = environ.get(SESSION_KEY_ENV, "")
    if len(key) < MIN_KEY_LENGTH:
        state = "is not set" if not key else f"is shorter than {MIN_KEY_LENGTH} characters"
        raise SessionKeyError(
            f"{SESSION_KEY_ENV} {state}: set it to a random string of at least "
            f"{MIN_KEY_LENGTH} characters (python3 -c 'import secrets; "
            f"print(secrets.token_hex(32))'), or on a single-user laptop run xieshang serve --no-auth"
        )
    idle = environ.get(IDLE_ENV, str(DEFAULT_IDLE_MINUTES))
    if not (idle.isascii() and idle.isdigit() and int(idle) > 0):
        raise ValueError(f"{IDLE_ENV}={idle!r} must be a whole number of minutes above 0")
    limit = environ.get(LIMIT_ENV, DEFAULT_LIMIT)
    try:
        parse_many(limit)
    except ValueError:
        raise ValueError(f"{LIMIT_ENV}={limit!r} is not a rate such as '5 per minute'") from None
    secure = environ.get(SECURE_ENV, "").strip().lower() in ("1", "true", "yes")
    return Settings(key, int(idle), secure, limit)


# --- who is asking ----------------------------------------------------------------------------------------


class _SessionUser(flask_login.UserMixin):
    def __init__(self, user: User, epoch: int) -> None:
        self.user = user
        self.epoch = epoch

    def get_id(self) -> str:
        return f"{self.epoch}:{self.user.name}"


def enabled() -> bool:
    """Whether the running app asks for sign-in."""
    return has_app_context() and bool(current_app.config.get(AUTH_KEY))


def signed_in_user() -> User | None:
    """The signed-in user; LOCAL_USER with sign-in off or outside a request; None when
    sign-in is on and nobody is signed in."""
    if not has_request_context() or not enabled():
        return LOCAL_USER
    who = flask_login.current_user
    return who.user if who.is_authenticated else None


def current_user() -> User:
    """The user every scope rule reads: as `signed_in_user`, but a request with nobody
    signed in is answered 401 (the gate answers first; this never falls open)."""
    user = signed_in_user()
    if user is None:
        abort(401)
    return user


def client_address() -> str | None:
    return request.remote_addr if has_request_context() else None


def _engine() -> Engine:
    return current_app.extensions[_ENGINE_OF]()


def _load(session_id: str) -> _SessionUser | None:
    epoch, _, name = session_id.partition(":")
    if not (epoch.isascii() and epoch.isdigit()):
        return None
    user = users.signed_in_user(_engine(), name, int(epoch))
    return None if user is None else _SessionUser(user, int(epoch))


# --- the app ----------------------------------------------------------------------------------------------


def install(server: Flask, engine_of: Callable[[], Engine]) -> None:
    """Routes, the gate and the extensions, once per app (routes cannot be added after
    the first request); `configure` then turns sign-in on or off."""
    server.extensions[_ENGINE_OF] = engine_of
    bootstrap = sorted((assets_dir() / "vendor").glob("bootstrap-*.min.css"))
    server.extensions[_BOOTSTRAP] = f"/assets/vendor/{bootstrap[-1].name}" if bootstrap else ""
    manager = flask_login.LoginManager()
    # "basic": Flask-Login's "strong" mode does not apply to permanent sessions, which the
    # idle timeout needs; sessions end by the epoch, the idle timeout and disabling instead
    manager.session_protection = "basic"
    manager.user_loader(_load)
    manager.init_app(server)
    server.config.update(limiter_config())
    LIMITER.init_app(server)
    server.add_url_rule("/login", "xieshang_login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "xieshang_logout", _logout)
    server.before_request(_gate)


def limiter_config(environ: Mapping[str, str] = os.environ) -> dict:
    """Flask-Limiter's settings: the counts in Redis at XIESHANG_CACHE_URL (shared by every
    process), falling back to memory while it is down; else in memory."""
    url = environ.get(SHARED_STORE_ENV, "").strip()
    if not url:
        return {"RATELIMIT_STORAGE_URI": "memory://"}
    return {
        "RATELIMIT_STORAGE_URI": url,
        "RATELIMIT_STORAGE_OPTIONS": {
            "socket_connect_timeout": STORE_TIMEOUT_SECONDS,
            "socket_timeout": STORE_TIMEOUT_SECONDS,
        },
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_KEY_PREFIX": "xieshang-signin",
    }


def configure(server: Flask, on: bool) -> None:
    """Sign-in on (settings from the environment; SessionKeyError without a key) or off."""
    if on:
        settings = settings_from_env()
        server.config.update(
            SECRET_KEY=settings.session_key,
            SESSION_COOKIE_NAME="xieshang_session",
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SAMESITE="Lax",
            SESSION_COOKIE_SECURE=settings.secure_cookies,
            PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.idle_minutes),
            SESSION_REFRESH_EACH_REQUEST=True,
        )
        server.config[_LIMIT_KEY] = settings.signin_limit
    server.config[AUTH_KEY] = on


def _page_path(path: str) -> str:
    """The page a path shows: Dash's pages take /audit/ and //audit for /audit."""
    return "/" + "/".join(part for part in path.split("/") if part)


def _gate() -> Response | None:
    if not enabled():
        return None
    path = request.path
    if path in _OPEN_PATHS or path == current_app.extensions[_BOOTSTRAP]:
        return None
    user = signed_in_user()
    if user is None:
        if request.method in ("GET", "HEAD") and not path.startswith(_NOT_PAGES):
            return redirect(login_address(request.full_path.rstrip("?")))
        return Response('{"error": "sign-in required"}', 401, mimetype="application/json")
    if _page_path(path) in ADMIN_PATHS and user.role != "admin":
        html = signin_page.forbidden_html(_lang(), current_app.extensions[_BOOTSTRAP], path)
        return Response(html, 403, mimetype="text/html")
    return None


# --- sign-in and sign-out ---------------------------------------------------------------------------------


class SignInForm(FlaskForm):
    """The fields of POST /login; Flask-WTF adds and checks `csrf_token`."""

    username = StringField()
    password = PasswordField()


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this server, else "/": never `//host`, `/\\host`, a
    scheme, or anything a browser would strip or fold into one of those."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path in ("/login", "/logout"):
        return "/"
    return target


def login_address(next_path: str) -> str:
    """/login, coming back to `next_path` afterwards."""
    return "/login" if next_path == "/" else "/login?" + urlencode({"next": next_path})


def _lang() -> str:
    """The language asked for: `lang=` of this request, else of the address `next` or
    the page names."""
    lang = request.values.get("lang")
    if lang is None:
        inner = request.values.get("next") or request.full_path
        query = parse_qs(urlsplit(inner).query, keep_blank_values=True)  # as the page reads it
        lang = query.get("lang", [None])[0]
    return language(lang)


def _signin_response(form: FlaskForm, status: int = 200, message_key: str = "") -> Response:
    lang = _lang()
    html = signin_page.signin_html(
        form,
        lang,
        current_app.extensions[_BOOTSTRAP],
        safe_next(request.values.get("next")),
        message=t(message_key, lang) if message_key else "",
        username=(request.form.get("username") or "")[:64],
    )
    return Response(html, status, mimetype="text/html")


def _name_key() -> str:
    return "name:" + (request.form.get("username") or "").strip().casefold()[:64]


def _limit() -> str:
    return current_app.config.get(_LIMIT_KEY, DEFAULT_LIMIT)


def _throttled(_limit) -> Response:
    return _signin_response(SignInForm(), 429, "signin_throttled")


def _failed(response: Response) -> bool:
    return response.status_code != 302


# Per user name every try counts, as it arrives (one atomic step): counted after its
# answer, as `deduct_when` counts, tries sent at once were all checked against a count none
# had added to yet — 40 wrong passwords sent together were all checked against a limit of 5.
# Per client address only failed tries count, after their answer: an office behind one
# address signs in together at 9 o'clock, and tries in flight must not refuse its staff.
@LIMITER.limit(_limit, methods=["POST"], deduct_when=_failed, on_breach=_throttled)
@LIMITER.limit(_limit, key_func=_name_key, methods=["POST"], on_breach=_throttled)
def _login() -> Response:
    if not enabled():
        return redirect("/")
    target = safe_next(request.values.get("next"))
    if request.method != "POST":
        if signed_in_user() is not None:
            return redirect(target)
        return _signin_response(SignInForm())
    # the form's fields alone, which the per-name count reads: Flask-WTF would also read a
    # JSON body (its name counted under none) and file parts (not text: a 500)
    form = SignInForm(formdata=request.form)
    if not form.validate_on_submit():
        return _signin_response(form, 400, "signin_expired")
    name = (form.username.data or "").strip()
    password = form.password.data or ""
    if not name or not password:
        return _signin_response(form, 400, "signin_missing")
    account = users.authenticate(_engine(), name, password, address=client_address())
    if account is None:
        return _signin_response(form, 401, "signin_failed")
    session.clear()  # nothing from before the sign-in carries over
    flask_login.login_user(_SessionUser(account.user, account.session_epoch))
    session.permanent = True  # the idle timeout (PERMANENT_SESSION_LIFETIME) applies
    return redirect(target)


def _logout() -> Response:
    if not enabled():
        return redirect("/")
    user = signed_in_user()
    if request.method == "HEAD":  # a link checker or a prefetch, not the user leaving
        return redirect("/login?lang=en" if _lang() == "en" else "/login")
    if user is not None:
        users.sign_out(_engine(), user.name, address=client_address())
    flask_login.logout_user()
    session.clear()
    return redirect("/login?lang=en" if _lang() == "en" else "/login")
