"""Users in the warehouse (xieshang.access.users) and `xieshang user …`, on SQLite and
PostgreSQL: the round trip, every refusal in one line, argon2 hashes only, the audit rows
of every change, and the tables reaching a warehouse made by an older release."""

from __future__ import annotations

import getpass
import io

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from tests.helpers.builder_county import T1, T2, V11, small_county
from xieshang.access import audit, users
from xieshang.access.passwords import MAX_LENGTH, MIN_LENGTH
from xieshang.cli import main
from xieshang.warehouse import schema
from xieshang.warehouse.engine import ensure_schema, make_engine

PASSWORD = "correct horse battery"


@pytest.fixture
def county(engine, db_url):
    """The warehouse's URL, with a roster of two townships (T1, T2) and their villages."""
    small_county().write(engine)
    return db_url


def run(capsys, monkeypatch, *argv, stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


class Terminal(io.StringIO):
    """Standard input as a terminal, where the password prompt is typed into."""

    def isatty(self) -> bool:
        return True


def user_rows(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(schema.users)).mappings()]


def test_user_commands_round_trip(county, engine, capsys, monkeypatch):
    add = ["user", "add", "--db", county, "--password-stdin"]
    assert run(capsys, monkeypatch, *add, "li", "--role", "admin", stdin=PASSWORD + "\n") == (
        0,
        "added li (admin)\n",
        "",
    )
    assert run(
        capsys, monkeypatch, *add, "wang", "--role", "staff", "--township", T1[:9], stdin=PASSWORD
    ) == (0, f"added wang (staff, township {T1})\n", "")
    assert run(capsys, monkeypatch, *add, "zhao", "--role", "leader", stdin=PASSWORD)[0] == 0
    assert run(capsys, monkeypatch, *add, "钱多多", "--role", "evaluator", stdin=PASSWORD)[0] == 0

    assert run(capsys, monkeypatch, "user", "disable", "zhao", "--db", county) == (
        0,
        "zhao disabled\n",
        "",
    )
    code, out, _ = run(capsys, monkeypatch, "user", "list", "--db", county)
    assert code == 0
    assert out.splitlines() == [
        "name    role       township      active  last sign-in",
        "li      admin      -             yes     -",
        f"wang    staff      {T1}  yes     -",
        "zhao    leader     -             no      -",
        "钱多多  evaluator  -             yes     -",
    ]
    assert run(capsys, monkeypatch, "user", "enable", "zhao", "--db", county) == (
        0,
        "zhao enabled\n",
        "",
    )
    assert run(
        capsys,
        monkeypatch,
        "user",
        "passwd",
        "wang",
        "--db",
        county,
        "--password-stdin",
        stdin="another good one\r\n",
    ) == (0, "new password set for wang; their open sessions have ended\n", "")

    accounts = {a.user.name: a for a in users.accounts(engine)}
    assert accounts["wang"].user == users.User("wang", "staff", T1)
    assert accounts["li"].user == users.User("li", "admin", None)
    assert users.authenticate(engine, "wang", "another good one", address=None) is not None
    assert users.authenticate(engine, "wang", PASSWORD, address=None) is None
    assert (accounts["zhao"].active, accounts["zhao"].session_epoch) == (True, 1)  # disabled once
    assert accounts["wang"].session_epoch == 1  # a new password

    log = [(e.user, e.action, e.scope) for e in reversed(audit.entries(engine))]
    assert log[:7] == [
        ("li", "user_add", None),
        ("wang", "user_add", T1),
        ("zhao", "user_add", None),
        ("钱多多", "user_add", None),
        ("zhao", "user_disable", None),
        ("zhao", "user_enable", None),
        ("wang", "user_passwd", None),
    ]
    detail = audit.entries(engine, user="wang", action="user_add")[0].detail
    assert detail["role"] == "staff" and detail["by"] == f"xieshang user ({getpass.getuser()})"


def test_only_an_argon2_hash_is_stored(county, engine):
    users.add_user(engine, "li", "admin", PASSWORD, by="test")
    users.set_password(engine, "li", "a second password", by="test")
    (row,) = user_rows(engine)
    stored = row["password_hash"]
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in str(row) and "a second password" not in str(row)
    assert PasswordHasher().verify(stored, "a second password")
    with engine.connect() as conn:
        details = conn.execute(sa.select(schema.audit_log.c.detail)).scalars().all()
    assert not any(secret in (d or "") for d in details for secret in (PASSWORD, "a second"))


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (
            ["add", "wang", "--role", "staff"],
            PASSWORD,
            "a staff user needs --township CODE (the township they see)",
        ),
        (
            ["add", "li", "--role", "leader", "--township", T1],
            PASSWORD,
            "--township is for staff users only, not for leader",
        ),
        (
            ["add", "wang", "--role", "staff", "--township", "330281999000"],
            PASSWORD,
            "'330281999000' is not a township of the roster",
        ),
        (
            ["add", "wang", "--role", "staff", "--township", V11],
            PASSWORD,
            f"'{V11}' is not a township of the roster",
        ),
        (
            ["add", "wang", "--role", "staff", "--township", "东湖镇"],
            PASSWORD,
            "'东湖镇' is not a township of the roster",
        ),
        (
            ["add", "li", "--role", "boss"],
            PASSWORD,
            "unknown role 'boss'; one of leader, evaluator, staff, admin",
        ),
        (
            ["add", "li wei", "--role", "admin"],
            PASSWORD,
            "'li wei' cannot be a user name: use 1 to 64 letters, digits or . _ - @",
        ),
        (
            ["add", "Admin", "--role", "admin"],
            PASSWORD,
            "a user named 'Admin' exists already",
        ),
        (
            ["add", "li", "--role", "admin"],
            "short",
            f"the password is too short: at least {MIN_LENGTH} characters",
        ),
        (
            ["add", "li", "--role", "admin"],
            "x" * (MAX_LENGTH + 1),
            f"the password is too long: at most {MAX_LENGTH} characters",
        ),
        (
            ["add", "li", "--role", "admin"],
            " padded password ",
            "the password begins or ends with a space",
        ),
        (
            ["add", "li", "--role", "admin"],
            "",
            "--password-stdin: standard input has no password line",
        ),
        (["disable", "nobody"], None, "no user named 'nobody' (xieshang user list shows them)"),
        (["enable", "admin"], None, "'admin' is active already"),
        (["passwd", "nobody"], PASSWORD, "no user named 'nobody' (xieshang user list shows them)"),
        (
            ["passwd", "admin"],
            "short",
            f"the password is too short: at least {MIN_LENGTH} characters",
        ),
    ],
)
def test_each_mistake_is_one_line(county, engine, capsys, monkeypatch, argv, stdin, message):
    users.add_user(engine, "admin", "admin", PASSWORD, by="test")
    before = (user_rows(engine), audit.count(engine))
    extra = ["--password-stdin"] if stdin is not None else []
    code, out, err = run(capsys, monkeypatch, "user", *argv, "--db", county, *extra, stdin=stdin)
    # the name, role or township of `add` is the command line's mistake (2); a password
    # refused, or a user that is not there to change, the command's (1)
    password = message.startswith(("the password", "--password-stdin"))
    expected = 2 if argv[0] == "add" and not password else 1
    assert (code, out, err) == (expected, "", f"xieshang: {message}\n")
    assert (user_rows(engine), audit.count(engine)) == before  # nothing changed


def test_disable_twice_and_the_prompt(county, engine, capsys, monkeypatch):
    users.add_user(engine, "admin", "admin", PASSWORD, by="test")
    assert run(capsys, monkeypatch, "user", "disable", "admin", "--db", county)[0] == 0
    assert run(capsys, monkeypatch, "user", "disable", "admin", "--db", county) == (
        1,
        "",
        "xieshang: 'admin' is disabled already\n",
    )
    # no terminal: no prompt (getpass would read standard input where it shows)
    assert run(capsys, monkeypatch, "user", "passwd", "admin", "--db", county, stdin="") == (
        1,
        "",
        "xieshang: no terminal to type a password in; give it with --password-stdin\n",
    )
    monkeypatch.setattr("sys.stdin", Terminal())
    typed = iter(["first password", "other password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))
    assert run(capsys, monkeypatch, "user", "passwd", "admin", "--db", county) == (
        1,
        "",
        "xieshang: the two passwords differ; nothing was changed\n",
    )
    typed = iter(["typed twice ok", "typed twice ok"])
    assert run(capsys, monkeypatch, "user", "add", "li", "--role", "admin", "--db", county)[0] == 0
    assert users.authenticate(engine, "li", "typed twice ok", address=None) is not None


def test_sign_in_outcomes_are_audited(county, engine):
    users.add_user(engine, "wang", "staff", PASSWORD, T2, by="test")
    users.add_user(engine, "zhao", "leader", PASSWORD, by="test")
    users.set_active(engine, "zhao", False, by="test")

    account = users.authenticate(engine, "wang", PASSWORD, address="10.0.0.7")
    assert account.user == users.User("wang", "staff", T2) and account.last_sign_in is not None
    assert users.authenticate(engine, "wang", "wrong password", address="10.0.0.8") is None
    assert users.authenticate(engine, "nobody", PASSWORD, address="10.0.0.9") is None
    assert users.authenticate(engine, "zhao", PASSWORD, address="10.0.0.9") is None
    assert users.authenticate(engine, "bad\nname", PASSWORD, address="10.0.0.9") is None
    users.sign_out(engine, "wang", address="10.0.0.7")

    rows = [
        (e.user, e.action, e.address, e.detail)
        for e in reversed(audit.entries(engine))
        if e.action.startswith("sign")
    ]
    assert rows == [
        ("wang", "sign_in", "10.0.0.7", None),
        ("wang", "sign_in_failed", "10.0.0.8", {"reason": "wrong password"}),
        ("nobody", "sign_in_failed", "10.0.0.9", {"reason": "unknown user"}),
        ("zhao", "sign_in_failed", "10.0.0.9", {"reason": "disabled"}),
        ("bad?name", "sign_in_failed", "10.0.0.9", {"reason": "unknown user"}),
        ("wang", "sign_out", "10.0.0.7", None),
    ]
    # signing out ends every session of the user: the epoch moved on
    assert users.signed_in_user(engine, "wang", account.session_epoch) is None
    assert users.signed_in_user(engine, "wang", account.session_epoch + 1) == account.user


def test_an_older_warehouse_gets_the_new_tables(db_url):
    engine = make_engine(db_url)
    old = [t for t in schema.metadata.sorted_tables if t.name not in ("users", "audit_log")]
    schema.metadata.create_all(engine, tables=old)
    with engine.begin() as conn:
        conn.execute(sa.insert(schema.meta).values(key="schema_version", value="1"))
    ensure_schema(engine)
    tables = set(sa.inspect(engine).get_table_names())
    assert {"users", "audit_log"} <= tables
    with engine.connect() as conn:
        version = conn.execute(
            sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
        ).scalar_one()
    assert version == str(schema.SCHEMA_VERSION) == "11"
    engine.dispose()
