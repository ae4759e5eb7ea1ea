"""Users of the dashboard: who they are, their role and township, their password hash,
whether they may sign in. Every change and every sign-in attempt is written to the audit
log in the same transaction.

Roles (interfaces.md "Sign-in and who sees what"): leader, evaluator and admin see the
whole roster; staff see one township (`township`, a township of the roster).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select, update

from xieshang.access import audit, passwords
from xieshang.warehouse import schema
from xieshang.warehouse.codes import pad_code

ROLES: tuple[str, ...] = ("leader", "evaluator", "staff", "admin")
# letters (any script), digits and . _ - @ : a name is typed at the sign-in form, shown
# in lists and logs, and never needs quoting
_NAME = re.compile(r"[\w.@-]{1,64}")


class AccessError(ValueError):
    """A user change that cannot be made; the message says why in one line."""


@dataclass(frozen=True)
class User:
    """Who is asking: what the dashboard's scope rules read."""

    name: str
    role: str
    township: str | None = None  # the 12-digit code of a staff user's township, else None


@dataclass(frozen=True)
class Account:
    """A user as the warehouse keeps them, without the password hash."""

    user: User
    active: bool
    created_at: datetime  # aware, local time
    last_sign_in: datetime | None  # aware, local time
    session_epoch: int


def check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise AccessError(f"{name!r} cannot be a user name: use 1 to 64 letters, digits or . _ - @")


def check_password(password: str) -> None:
    """AccessError unless `password` may be set (passwords.MIN_LENGTH and MAX_LENGTH)."""
    try:
        passwords.check_strength(password)
    except ValueError as exc:
        raise AccessError(str(exc)) from None


def _township(conn: Connection, role: str, township: str | None) -> str | None:
    if role not in ROLES:
        raise AccessError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if role != "staff":
        if township is not None:
            raise AccessError(f"--township is for staff users only, not for {role}")
        return None
    if township is None:
        raise AccessError("a staff user needs --township CODE (the township they see)")
    code = pad_code(township)
    areas = schema.areas
    known = (
        code is not None
        and conn.execute(
            select(areas.c.area_code).where(areas.c.area_code == code, areas.c.level == "township")
        ).scalar()
    )
    if not known:
        raise AccessError(f"{township!r} is not a township of the roster")
    return code


def _account(row) -> Account:
    return Account(
        user=User(row["name"], row["role"], row["township"]),
        active=row["active"],
        created_at=audit.local_time(row["created_at"]),
        last_sign_in=audit.local_time(row["last_sign_in"]),
        session_epoch=row["session_epoch"],
    )


def _row(conn: Connection, name: str):
    return conn.execute(select(schema.users).where(schema.users.c.name == name)).mappings().first()


def _existing(conn: Connection, name: str):
    row = _row(conn, name)
    if row is None:
        raise AccessError(f"no user named {name!r} (xieshang user list shows them)")
    return row


def check_new(engine: Engine, name: str, role: str, township: str | None = None) -> None:
    """AccessError if `add_user` would refuse this user for anything but the password (so
    a command can say so before asking for one)."""
    with engine.connect() as conn:
        _check_new(conn, name, role, township)


def _check_new(conn: Connection, name: str, role: str, township: str | None) -> str | None:
    check_name(name)
    code = _township(conn, role, township)
    names = conn.execute(select(schema.users.c.name)).scalars()
    if any(other.casefold() == name.casefold() for other in names):
        raise AccessError(f"a user named {name!r} exists already")
    return code


def add_user(
    engine: Engine, name: str, role: str, password: str, township: str | None = None, *, by: str
) -> User:
    """Create an active user; `by` says who did it (the audit log's detail)."""
    check_password(password)
    with engine.begin() as conn:
        code = _check_new(conn, name, role, township)
        conn.execute(
            insert(schema.users).values(
                name=name,
                role=role,
                township=code,
                password_hash=passwords.hash_password(password),
                active=True,
                created_at=audit.now_utc(),
                session_epoch=0,
            )
        )
        audit.record(conn, "user_add", user=name, scope=code, detail={"by": by, "role": role})
    return User(name, role, code)


def accounts(engine: Engine) -> list[Account]:
    """Every user, by name."""
    with engine.connect() as conn:
        rows = conn.execute(select(schema.users).order_by(schema.users.c.name)).mappings()
        return [_account(row) for row in rows]


def account(engine: Engine, name: str) -> Account | None:
    with engine.connect() as conn:
        row = _row(conn, name)
    return None if row is None else _account(row)


def set_active(engine: Engine, name: str, active: bool, *, by: str) -> None:
    """Enable or disable a user. Disabling ends their open sessions (at their next
    request); enabling does not bring those back."""
    users = schema.users
    with engine.begin() as conn:
        row = _existing(conn, name)
        if row["active"] == active:
            state = "active" if active else "disabled"
            raise AccessError(f"{name!r} is {state} already")
        values = {"active": active}
        if not active:
            values["session_epoch"] = row["session_epoch"] + 1
        conn.execute(update(users).where(users.c.name == name).values(**values))
        audit.record(
            conn, "user_enable" if active else "user_disable", user=name, detail={"by": by}
        )


def set_password(engine: Engine, name: str, password: str, *, by: str) -> None:
    """A new password; the user's open sessions end."""
    check_password(password)
    users = schema.users
    with engine.begin() as conn:
        row = _existing(conn, name)
        conn.execute(
            update(users)
            .where(users.c.name == name)
            .values(
                password_hash=passwords.hash_password(password),
                session_epoch=row["session_epoch"] + 1,
            )
        )
        audit.record(conn, "user_passwd", user=name, detail={"by": by})


def authenticate(
    engine: Engine, name: str, password: str, *, address: str | None
) -> Account | None:
    """The active user `name` if `password` is theirs, else None; either way a row in the
    audit log (a failure with its reason: unknown user, wrong password, disabled)."""
    users = schema.users
    with engine.begin() as conn:
        row = _row(conn, name) if _NAME.fullmatch(name) else None
        ok = passwords.verify(row["password_hash"] if row else None, password)
        if not ok or not row["active"]:
            reason = "unknown user" if row is None else "wrong password" if not ok else "disabled"
            audit.record(
                conn, "sign_in_failed", user=name, address=address, detail={"reason": reason}
            )
            return None
        values = {"last_sign_in": audit.now_utc()}
        if passwords.needs_rehash(row["password_hash"]):
            values["password_hash"] = passwords.hash_password(password)
        conn.execute(update(users).where(users.c.name == name).values(**values))
        audit.record(conn, "sign_in", user=name, address=address)
        row = _row(conn, name)
    return _account(row)


def sign_out(engine: Engine, name: str, *, address: str | None) -> None:
    """Record the sign-out and end every open session of the user (each browser's copy of
    the session cookie, and any request still in flight that would set it again)."""
    users = schema.users
    with engine.begin() as conn:
        conn.execute(
            update(users)
            .where(users.c.name == name)
            .values(session_epoch=users.c.session_epoch + 1)
        )
        audit.record(conn, "sign_out", user=name, address=address)


def signed_in_user(engine: Engine, name: str, epoch: int) -> User | None:
    """The user of a session made at `epoch`, if that session may go on: the user exists,
    is active, and nothing has ended their sessions since."""
    with engine.connect() as conn:
        row = _row(conn, name)
    if row is None or not row["active"] or row["session_epoch"] != epoch:
        return None
    return User(row["name"], row["role"], row["township"])
