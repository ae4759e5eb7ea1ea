"""Signing in through Flask's test client: the app with sign-in on over a warehouse, the
form's CSRF token, a signed-in client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from xieshang.dashboard import auth
from xieshang.dashboard.app import create_app

PASSWORD = "correct horse battery"
SESSION_KEY = "an-example-session-key-of-40-characters!!"


@contextmanager
def signin_app(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """The dashboard over `engine` with sign-in on (default settings), its throttling
    reset; sign-in off again afterwards, as every other test expects it."""
    monkeypatch.setenv(auth.SESSION_KEY_ENV, SESSION_KEY)
    for name in (auth.IDLE_ENV, auth.SECURE_ENV, auth.LIMIT_ENV):
        monkeypatch.delenv(name, raising=False)
    app = create_app(engine, auth=True)
    auth.LIMITER.reset()
    try:
        yield app
    finally:
        auth.LIMITER.reset()
        auth.configure(app.server, False)


def token(client: FlaskClient) -> str:
    """The CSRF token of the sign-in form, for this client's session."""
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def sign_in(client: FlaskClient, name: str, password: str = PASSWORD) -> FlaskClient:
    """Sign `client` in as `name` (AssertionError if that fails); returns the client."""
    form = {"username": name, "password": password, "csrf_token": token(client)}
    response = client.post("/login", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client
