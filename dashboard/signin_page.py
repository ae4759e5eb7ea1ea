"""The pages the server answers before anyone is signed in: the sign-in form and the
"not permitted" notice, in the dashboard's look (its top bar, Bootstrap's form styles,
assets/app.css) without Dash, so they need no script at all.

Jinja escapes every value; the page carries no inline script or style (the CSP allows
neither).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import render_template_string

from xieshang.dashboard.i18n import t

_FRAME = """<!DOCTYPE html>
<html lang="{{ 'en' if lang == 'en' else 'zh-CN' }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · {{ app_title }}</title>
<link rel="icon" href="/_favicon.ico">
<link rel="stylesheet" href="{{ bootstrap }}">
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<div class="xs-app">
  <header class="xs-topbar">
    <span class="xs-brand">{{ app_title }}</span>
    <span class="xs-tabs"></span>
    <div class="xs-right">
      <a class="xs-lang" id="lang-link" href="{{ lang_href }}">{{ lang_switch }}</a>
    </div>
  </header>
  <main class="xs-signin">
    <div class="card xs-signin-card">
      <div class="card-body">
        <h1 class="xs-title">{{ title }}</h1>
        {% if message %}<div class="alert alert-{{ tone }} xs-signin-message" role="alert">{{ message }}</div>{% endif %}
        {% if form %}
        <form method="post" action="/login" novalidate>
          {{ form.csrf_token }}
          <input type="hidden" name="next" value="{{ next_path }}">
          <input type="hidden" name="lang" value="{{ lang }}">
          <div class="mb-3">
            <label class="form-label" for="username">{{ username_label }}</label>
            <input class="form-control" id="username" name="username" type="text"
                   value="{{ username }}" autocomplete="username" autocapitalize="none"
                   spellcheck="false" maxlength="64" required autofocus>
          </div>
          <div class="mb-3">
            <label class="form-label" for="password">{{ password_label }}</label>
            <input class="form-control" id="password" name="password" type="password"
                   autocomplete="current-password" maxlength="256" required>
          </div>
          <button class="btn btn-primary w-100" id="signin-submit" type="submit">{{ submit }}</button>
        </form>
        <p class="xs-signin-hint">{{ hint }}</p>
        {% else %}
        <a href="{{ back_href }}">{{ back }}</a>
        {% endif %}
      </div>
    </div>
  </main>
</div>
</body>
</html>
"""


def _page(lang: str, bootstrap: str, lang_href: str, **values) -> str:
    return render_template_string(
        _FRAME,
        lang=lang,
        bootstrap=bootstrap,
        lang_href=lang_href,
        app_title=t("app_title", lang),
        lang_switch=t("lang_switch", lang),
        **values,
    )


def signin_html(
    form, lang: str, bootstrap: str, next_path: str, message: str = "", username: str = ""
) -> str:
    """The sign-in form (`form`: a Flask-WTF form, for its CSRF token field), with an
    error `message` when the last attempt failed."""
    other = "zh" if lang == "en" else "en"
    query = {"next": next_path} if next_path != "/" else {}
    if other == "en":
        query["lang"] = "en"
    return _page(
        lang,
        bootstrap,
        "/login" + (f"?{urlencode(query)}" if query else ""),
        title=t("signin_title", lang),
        message=message,
        tone="danger",
        form=form,
        next_path=next_path,
        username=username,
        username_label=t("signin_username", lang),
        password_label=t("signin_password", lang),
        submit=t("signin_submit", lang),
        hint=t("signin_hint", lang),
    )


def forbidden_html(lang: str, bootstrap: str, path: str) -> str:
    """The notice for a page (`path`) the signed-in user's role may not open."""
    return _page(
        lang,
        bootstrap,
        path if lang == "en" else f"{path}?lang=en",
        title=t("forbidden_title", lang),
        message=t("forbidden_why", lang),
        tone="warning",
        form=None,
        back=t("forbidden_back", lang),
        back_href="/?lang=en" if lang == "en" else "/",
    )
