"""What a user may see and take away (interfaces.md "Sign-in and who sees what"): pure
functions of an `xieshang.access.User`, which the dashboard applies on the server beneath
every page, callback and download — a scope is never trusted from the browser.

Scope: leaders, evaluators and admins see the whole roster; staff exactly their township
and everything below it. A scope a staff user asks for outside it is replaced by their
township (`allowed_scope`, with the reason a page shows), or refused (downloads: `sees`).

Files: `FILES` says which roles may take each file the dashboard offers. Leaders get the
charts (and their CSVs, which every chart card offers to everyone) and the monthly
briefs, but not the raw lists:
not the resolution contents of the overdue list, not the rejected or held rows;
evaluators also the assessment files and the overdue list; staff their scope's lists and
assessment; admins everything.

    code, reason = allowed_scope(user, "330281102000", root)   # staff of 330281101000:
                                                               # ("330281101000", OUTSIDE)
    may_download(user, "overdue.csv")
"""

from __future__ import annotations

from xieshang.access.users import User
from xieshang.warehouse.codes import is_above, pad_code

OUTSIDE = "outside_scope"
"""The reason a requested scope was replaced: it lies outside the user's."""

_LISTS = frozenset({"staff", "admin"})  # the rows a township fixes in its own files
_ASSESSMENT = frozenset({"evaluator", "staff", "admin"})

FILES: dict[str, frozenset[str]] = {
    "assessment.csv": _ASSESSMENT,
    "assessment.xlsx": _ASSESSMENT,
    # resolution contents: not for leaders
    "overdue.csv": frozenset({"evaluator", "staff", "admin"}),
    "rejects.csv": _LISTS,
    "rejects.xlsx": _LISTS,
    "held-rows.csv": _LISTS,
    "resolution-events.csv": _LISTS,
    # the monthly brief: figures, counts and unit names, no resolution contents
    "brief.pdf": frozenset({"leader", "evaluator", "staff", "admin"}),
    "brief.docx": frozenset({"leader", "evaluator", "staff", "admin"}),
}
"""file name -> the roles that may download it (the role × file table of docs/security.md)."""


def limit_of(user: User) -> str | None:
    """The area a user's view is confined to: a staff user's township; None for the roles
    that see the whole roster."""
    return user.township if user.role == "staff" else None


def sees(user: User, code: str | None) -> bool:
    """Whether `code` (12 digits) lies in what the user may see. A staff user sees their
    township and the areas below it, and nothing else — not a malformed code, not None
    (the whole roster)."""
    limit = limit_of(user)
    if limit is None:
        return True
    if not isinstance(code, str) or pad_code(code) != code:
        return False
    return code == limit or is_above(limit, code)


def home_scope(user: User, root: str | None) -> str | None:
    """Where the user's view starts: their township for staff, else the roster's root."""
    return limit_of(user) or root


def allowed_scope(
    user: User, requested: str | None, root: str | None
) -> tuple[str | None, str | None]:
    """(the scope served, the reason it differs from the one requested or None). None
    requested means the user's home scope; a scope outside what the user sees is replaced
    by their township with the reason OUTSIDE."""
    if requested is None:
        return home_scope(user, root), None
    if sees(user, requested):
        return requested, None
    return home_scope(user, root), OUTSIDE


def effective_scope(user: User, requested: str | None) -> str | None:
    """The scope a query runs with: the one requested, or — for a staff user asking
    outside their township, or for the whole roster (None) — their township."""
    return requested if sees(user, requested) else limit_of(user)


def may_download(user: User, file: str) -> bool:
    """Whether the user's role may take `file` (a name of FILES; False for any other)."""
    return user.role in FILES.get(file, frozenset())


def sees_overdue_list(user: User) -> bool:
    """Whether the overdue list (resolution contents) is shown: as its download."""
    return may_download(user, "overdue.csv")


def sees_load_runs(user: User) -> bool:
    """Whether the list of load runs (the whole roster's files and counts) is shown: not
    to staff, who see their township only."""
    return limit_of(user) is None


SUBMITTERS = frozenset({"staff", "admin"})
"""The roles that send files through the dashboard (/submit, POST /api/submissions)."""


def may_submit(user: User) -> bool:
    """Whether the user may submit files: staff for their township, admins for the whole
    roster; leaders and evaluators read, they do not send."""
    return user.role in SUBMITTERS
