"""The safe default (interfaces.md): `load` names the warehouse it wrote; it needs a secret
of 16 characters or more, except on the demo's warehouse, whose own secret it then uses
and says so; a refused load leaves no database file; the demo's secret file is the
owner's alone; warehouse URL mistakes are one line naming the problem and the fix; the
demo never takes over a warehouse holding a real load."""

from __future__ import annotations

import json
import os
import stat
import threading

import pytest
from sqlalchemy.engine import make_url

from tests.helpers.minimal_inbox import base_inbox
from xieshang.cli import main
from xieshang.contract import settings
from xieshang.warehouse.engine import open_warehouse
from xieshang.warehouse.meta import is_demo, mark_demo

SECRET = "a-deployment-secret-of-32-chars!"
DEMO_NOTICE = (
    "xieshang: 未设置 XIESHANG_SECRET，使用演示仓库自带的密钥 XIESHANG_SECRET is not set: "
    "using the demo warehouse's own secret\n"
)


@pytest.fixture
def home(monkeypatch, tmp_path):
    home = tmp_path / "home"
    monkeypatch.setenv("XIESHANG_HOME", str(home))
    monkeypatch.delenv("XIESHANG_SECRET", raising=False)
    monkeypatch.delenv("XIESHANG_DB", raising=False)
    return home


@pytest.fixture
def inbox(tmp_path):
    return base_inbox(tmp_path / "inbox")


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    return err


def test_load_names_the_default_warehouse_it_wrote(home, inbox, capsys, monkeypatch):
    monkeypatch.setenv("XIESHANG_SECRET", SECRET)
    assert main(["load", str(inbox), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["warehouse"] == f"sqlite:///{home / 'warehouse.sqlite'}"
    assert err == ""
    assert main(["load", str(inbox)]) == 0
    assert f"仓库 warehouse: sqlite:///{home / 'warehouse.sqlite'}\n" in capsys.readouterr().out


def test_the_report_hides_the_password(home, inbox, capsys, monkeypatch, db_url, backend):
    monkeypatch.setenv("XIESHANG_SECRET", SECRET)
    url = make_url(db_url)
    if backend == "postgres" and url.password is None:
        url = url.set(password="not-shown")  # the test server trusts local connections
    assert (
        main(["load", str(inbox), "--db", url.render_as_string(hide_password=False), "--json"]) == 0
    )
    shown = json.loads(capsys.readouterr().out)["warehouse"]
    assert shown == url.render_as_string(hide_password=True)
    if url.password:
        assert url.password not in shown and ":***@" in shown


def test_no_secret_on_the_demo_warehouse_uses_the_demos_and_says_so(home, inbox, capsys):
    demo = open_warehouse(settings.default_db_url())
    assert mark_demo(demo)
    demo.dispose()
    assert main(["load", str(inbox), "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == DEMO_NOTICE
    assert json.loads(out)["status"] == "committed"


@pytest.mark.parametrize("secret", [None, "x", "fifteen-chars!!"])
def test_a_refused_load_leaves_no_database_file(home, inbox, capsys, monkeypatch, secret, tmp_path):
    if secret:
        monkeypatch.setenv("XIESHANG_SECRET", secret)
    elsewhere = tmp_path / "elsewhere.sqlite"
    for args in ([], ["--db", f"sqlite:///{elsewhere}"]):
        assert main(["load", str(inbox), *args]) == 2
        err = one_line(capsys.readouterr().err)
        if secret:
            assert err == (
                f"xieshang: XIESHANG_SECRET 太短（{len(secret)} 个字符，至少 16 个） "
                f"XIESHANG_SECRET is too short ({len(secret)} characters, at least 16): set a "
                "long random one, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`, and keep it\n"
            )
        else:
            assert err.startswith("xieshang: XIESHANG_SECRET is not set 未设置密钥: ")
    assert not (home / "warehouse.sqlite").exists()
    assert not elsewhere.exists()


def test_a_secret_of_16_characters_is_enough(home, inbox, monkeypatch):
    monkeypatch.setenv("XIESHANG_SECRET", "sixteen-chars!!!")
    assert main(["load", str(inbox), "--json"]) == 0


def test_the_demo_secret_file_is_the_owners_alone_from_the_start(home, monkeypatch):
    opened = []
    real_open = os.open

    def spy(path, flags, mode=0o777, *args, **kwargs):
        opened.append(mode)
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    previous = os.umask(0o022)
    try:
        secret = settings.demo_secret()
    finally:
        os.umask(previous)
    path = home / "demo-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert opened == [0o600]
    assert len(secret) == 64
    assert settings.demo_secret() == secret
    assert sorted(p.name for p in home.iterdir()) == ["demo-secret"]


def test_demos_starting_at_once_agree_on_one_secret(home):
    barrier = threading.Barrier(4)
    secrets: list[bytes] = []

    def make():
        barrier.wait()
        secrets.append(settings.demo_secret())

    threads = [threading.Thread(target=make) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(secrets) == 4 and len(set(secrets)) == 1
    assert sorted(p.name for p in home.iterdir()) == ["demo-secret"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgres://warden:pw@db.example:5432/county",
            "xieshang: 仓库地址 postgres://warden:***@db.example:5432/county 应写作 "
            "postgresql+psycopg://… SQLAlchemy does not know postgres://: use "
            "postgresql+psycopg://…\n",
        ),
        (
            "oracel://db.example/county",
            "xieshang: 未知的数据库类型 unknown database kind 'oracel' in the warehouse URL "
            "oracel://db.example/county: use sqlite:///PATH, "
            "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE\n",
        ),
        (
            "sqlite:////no/such/folder/warehouse.sqlite",
            "xieshang: 仓库文件所在的文件夹不存在 the folder /no/such/folder of the warehouse "
            "file does not exist: create it, or give a path in an existing folder\n",
        ),
        (
            "a warehouse",
            "xieshang: 仓库地址不是数据库地址 the warehouse URL is not a database URL: write it "
            "as sqlite:///PATH, postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE\n",
        ),
    ],
)
def test_a_wrong_warehouse_url_is_one_line_with_the_fix(
    home, inbox, capsys, monkeypatch, url, expected
):
    monkeypatch.setenv("XIESHANG_SECRET", SECRET)
    for args in (["--db", url], []):
        if not args:
            monkeypatch.setenv("XIESHANG_DB", url)
        assert main(["load", str(inbox), *args]) == 1
        assert one_line(capsys.readouterr().err) == expected


def test_an_unreachable_postgresql_is_named_by_host_and_port(home, inbox, capsys, monkeypatch):
    monkeypatch.setenv("XIESHANG_SECRET", SECRET)
    url = "postgresql+psycopg://xieshang@127.0.0.1:1/county"
    assert main(["load", str(inbox), "--db", url]) == 1
    err = one_line(capsys.readouterr().err)
    assert err.startswith("xieshang: 无法连接仓库 cannot connect to the warehouse at 127.0.0.1:1 (")
    assert err.endswith(
        "): start the database server there, or correct the host and port in the URL\n"
    )
    assert "Connection refused" in err


def test_the_demo_never_takes_over_a_warehouse_with_a_real_load(home, inbox, capsys, monkeypatch):
    monkeypatch.setenv("XIESHANG_SECRET", SECRET)
    assert main(["load", str(inbox)]) == 0
    capsys.readouterr()
    assert main(["demo", "--no-serve"]) == 1
    url = settings.default_db_url()
    assert one_line(capsys.readouterr().err) == (
        f"xieshang: 默认仓库已有正式数据 the default warehouse {url} holds data loaded with "
        "`xieshang load`, and the demo never writes into it: run the demo with XIESHANG_HOME "
        "set to another folder\n"
    )
    engine = open_warehouse(url)
    try:
        assert not is_demo(engine)
    finally:
        engine.dispose()
    assert not (home / "demo-inbox").exists()


@pytest.mark.parametrize(
    "refusal",
    [
        'FATAL:  too many connections for database "county"',
        'FATAL:  too many connections for role "loader"',
        "FATAL:  sorry, too many clients already",
        "FATAL:  remaining connection slots are reserved for non-replication superuser connections",
    ],
)
def test_a_connection_limit_reached_is_named_with_its_fix(refusal):
    """A server that answers but has no connection left for the load: the limit named, not
    "start the database server" (it runs) or "correct the user and password" (they are
    right)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from xieshang.warehouse.engine import _cannot_connect

    url = make_url("postgresql+psycopg://loader@127.0.0.1:5432/county")
    line = _cannot_connect(url, OperationalError("connect", {}, Exception(refusal)))
    assert line.startswith("无法连接仓库 cannot connect to the warehouse at 127.0.0.1:5432 (")
    assert "a connection limit is reached" in line and "CONNECTION LIMIT" in line
    assert "start the database server" not in line and "user and password" not in line


@pytest.mark.parametrize("argv", [["load", "INBOX"], ["demo", "--no-serve"]])
def test_a_data_folder_that_cannot_be_made_is_one_line_with_the_fix(
    tmp_path, inbox, capsys, monkeypatch, argv
):
    # XIESHANG_HOME under a file (or where the user may not write): the line read
    # "xieshang: [Errno 20] Not a directory: '…'", naming neither the variable nor a fix
    (tmp_path / "afile").write_text("")
    home = tmp_path / "afile" / "home"
    monkeypatch.setenv("XIESHANG_HOME", str(home))
    monkeypatch.setenv("XIESHANG_SECRET", SECRET)
    monkeypatch.delenv("XIESHANG_DB", raising=False)
    assert main([str(inbox) if a == "INBOX" else a for a in argv]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"xieshang: 无法建立数据文件夹 cannot make the data folder {home} (Not a directory): "
        "set XIESHANG_HOME to a folder you may write to\n"
    )
