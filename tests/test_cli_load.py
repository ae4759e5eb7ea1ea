"""`xieshang load`: the JSON report, the human table, exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from tests.helpers.inbox_files import write_csv
from tests.helpers.minimal_inbox import MEETING_HEADER, base_inbox
from tests.helpers.reasons import reason
from xieshang.cli import main


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XIESHANG_SECRET", "cli-secret-0123456789")
    monkeypatch.delenv("XIESHANG_DB", raising=False)
    return tmp_path


def test_load_json_report_has_the_interface_keys(env, capsys, db_url):
    inbox = base_inbox(env / "inbox")
    (inbox / "说明.docx").write_bytes(b"not data")
    assert main(["load", str(inbox), "--db", db_url, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {
        "run_id",
        "status",
        "seconds",
        "files",
        "sheets_skipped",
        "unknown_columns",
        "kinds",
    }
    assert report["status"] == "committed"
    assert report["files"]["skipped"] == [
        {"path": "说明.docx", **reason("不是 CSV 或 xlsx 文件", "not a .csv or .xlsx file")}
    ]
    assert report["kinds"]["meetings"] == {
        "read": 2,
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "held": 0,
        "released": {"joined": 0, "rejected": 0},
    }


def test_human_report_is_a_table(env, capsys):
    inbox = base_inbox(env / "inbox")
    assert main(["load", str(inbox)]) == 0
    out = capsys.readouterr().out
    assert "已提交 committed" in out
    assert "│ 会议 meetings    │         2 │             2 │" in out


def test_missing_inbox_is_a_usage_error(env, capsys):
    assert main(["load", str(env / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is not a folder" in err


def test_no_secret_for_a_real_warehouse_is_refused(env, capsys, monkeypatch):
    monkeypatch.delenv("XIESHANG_SECRET")
    inbox = base_inbox(env / "inbox")
    assert main(["load", str(inbox)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("xieshang: XIESHANG_SECRET is not set")
    assert err.count("\n") == 1


def test_a_failed_run_exits_1(env, capsys, monkeypatch):
    inbox = base_inbox(env / "inbox")
    assert main(["load", str(inbox)]) == 0
    monkeypatch.setenv("XIESHANG_SECRET", "a different secret, 16+ characters")
    (inbox / "会议台账-2.csv").write_text(
        "会议编号,区划代码\nHY-9,330281100201\n", encoding="utf-8"
    )
    assert main(["load", str(inbox), "--json"]) == 1
    out, err = capsys.readouterr()
    report = json.loads(out.splitlines()[-1])
    assert report["status"] == "failed"
    # standard output stays the report alone; the error is also the one line on stderr
    assert err == f"xieshang: load failed, nothing was committed: {report['error']}\n"


DRIVER_WARNS = """
import importlib, logging, sys
cli = importlib.import_module("xieshang.cli.main")

def warned(args):
    logging.getLogger("psycopg").warning("error ignored terminating <psycopg.Copy [BAD]>")
    return 1

cli.HANDLERS["status"] = warned
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize(("debug", "shown"), [([], ""), (["--debug"], "error ignored")])
def test_the_driver_s_own_warnings_are_shown_with_debug_only(env, debug, shown):
    """psycopg's warning on a COPY it could not end once the server cut the connection
    reached stderr before the command's one line, through logging's last resort."""
    done = subprocess.run(
        [sys.executable, "-c", DRIVER_WARNS, "status", "--month", "2026-11", *debug],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ,
    )
    assert done.returncode == 1
    assert (shown in done.stderr) if shown else done.stderr == ""


@pytest.mark.postgres
def test_a_database_error_before_the_run_is_one_line_without_its_sql(env, capsys, pg_databases):
    """The warehouse's schema is checked before a run starts: an error there printed the
    statement and its parameters over five lines."""
    url = pg_databases.create()
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE meta (k TEXT)")  # no warehouse's
    admin.dispose()
    assert main(["load", str(base_inbox(env / "inbox")), "--db", url]) == 1
    assert capsys.readouterr().err == (
        "xieshang: UndefinedColumn: column meta.value does not exist"
        " (run again with --debug for details)\n"
    )


def test_console_script_bad_argument_exits_2(env):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "xieshang.cli",
            "kpi",
            "--scope",
            "1",
            "--from",
            "2025-13-01",
            "--to",
            "2025-01-01",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "xieshang kpi: argument --from: '2025-13-01' is not a date; use YYYY-MM-DD "
        "(see xieshang kpi --help)\n"
    )


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        # a day in another form fromisoformat also takes: another period, silently
        (
            ["kpi", "--scope", "1", "--from", "2026-W40-1", "--to", "2026-12-31"],
            "xieshang kpi: argument --from: '2026-W40-1' is not a date; use YYYY-MM-DD "
            "(see xieshang kpi --help)",
        ),
        (
            ["kpi", "--scope", "1", "--from", "20261001", "--to", "2026-12-31"],
            "xieshang kpi: argument --from: '20261001' is not a date; use YYYY-MM-DD "
            "(see xieshang kpi --help)",
        ),
        (
            ["kpi", "--from", "2026-10-01"],
            "xieshang kpi: the following arguments are required: --scope, --to "
            "(see xieshang kpi --help)",
        ),
        (
            ["load", "x", "--bogus"],
            "xieshang: unrecognized arguments: --bogus (see xieshang --help)",
        ),
        (
            ["serve", "--port", "99999"],
            "xieshang serve: argument --port: '99999' is not a port; use a number from 1 to "
            "65535 (see xieshang serve --help)",
        ),
        (["generate", "g", "--townships", "100"], "xieshang: --townships must be 1 to 99"),
        (
            ["generate", "g", "--end", "2026-13"],
            "xieshang: --end '2026-13' is not a month; use YYYY-MM, e.g. 2025-03",
        ),
    ],
)
def test_a_usage_error_is_one_line_and_exits_2(env, capsys, argv, line):
    try:
        code = main(argv)  # a command's own checks
    except SystemExit as exited:  # the parser's
        code = exited.code
    assert (code, capsys.readouterr()) == (2, ("", line + "\n"))


def test_usage_errors_by_a_command_exit_2_and_debug_is_taken_after_it_too(env, capsys, tmp_path):
    assert main(["generate", str(tmp_path / "g"), "--townships", "100"]) == 2
    assert capsys.readouterr().err == "xieshang: --townships must be 1 to 99\n"
    for argv in (["--debug", "load", "nowhere"], ["load", "nowhere", "--debug"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("Traceback") and err.endswith(
            "UsageError: inbox nowhere is not a folder; give the folder of submitted files\n"
        )


def test_generate_into_a_file_says_where_to_write(env, capsys, tmp_path):
    taken = tmp_path / "a.csv"
    taken.write_text("x")
    assert main(["generate", str(taken), "--townships", "1", "--months", "1"]) == 1
    assert capsys.readouterr() == (
        "",
        f"xieshang: cannot write an inbox in {taken}: File exists; give a folder that is "
        "new or empty, where you may write\n",
    )


def test_serve_on_a_taken_port_or_an_unknown_host_says_so_in_one_line(env, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--no-auth", "--port", str(port)]) == 1
        assert capsys.readouterr() == (
            "",
            f"xieshang: cannot serve at 127.0.0.1:{port}: Address already in use; give "
            "another --port, or a --host that is an address of this machine\n",
        )
    assert main(["serve", "--no-auth", "--host", "999.1.1.1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("xieshang: cannot serve at 999.1.1.1:8050: ") and err.count("\n") == 1


def test_serve_refuses_a_bad_limit_before_it_starts(env, capsys, monkeypatch):
    monkeypatch.setenv("XIESHANG_MAX_UPLOAD_MB", "abc")
    assert main(["serve", "--no-auth", "--port", "1"]) == 2
    assert capsys.readouterr() == (
        "",
        "xieshang: XIESHANG_MAX_UPLOAD_MB must be a whole number ≥ 1, not 'abc'\n",
    )


@pytest.mark.parametrize("workers", [False, True])
def test_ctrl_c_during_a_load_is_one_line_and_commits_nothing(env, workers, monkeypatch):
    """Ctrl-C printed Python's traceback, and each reading worker one more: the contract
    is one line, never a traceback."""
    inbox = env / "inbox"
    command = [sys.executable, "-m", "xieshang.cli"]
    subprocess.run([*command, "generate", str(inbox), "--months", "36"], check=True)
    db = env / "w.sqlite"
    monkeypatch.setenv("XIESHANG_READ_WORKERS", "2")
    # a small inbox read by workers, as one of 32 MB or more is
    code = (
        "import sys; import xieshang.etl.judge_chunks as chunks; from xieshang.cli import main;"
        f"chunks.MIN_BYTES = {0 if workers else 'chunks.MIN_BYTES'}; sys.exit(main(sys.argv[1:]))"
    )
    load = subprocess.Popen(
        [sys.executable, "-c", code, "load", str(inbox), "--db", f"sqlite:///{db}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not db.exists() and time.monotonic() < deadline:  # the run has begun
        time.sleep(0.05)
    if workers:
        time.sleep(1)  # the workers are reading
    os.killpg(load.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole foreground group
    _, err = load.communicate(timeout=120)
    assert load.returncode == 130
    assert err.splitlines() == ["xieshang: 已中断 interrupted: nothing more was done"]
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        meetings = conn.execute(sa.text("SELECT count(*) FROM meetings")).scalar() if tables else 0
    engine.dispose()
    assert meetings == 0


def test_generate_into_a_folder_with_files_refuses(env, capsys):
    folder = env / "inbox"
    folder.mkdir()
    (folder / "notes.txt").write_text("a county's own notes", encoding="utf-8")
    assert main(["generate", str(folder), "--townships", "1", "--months", "1"]) == 2
    assert capsys.readouterr() == (
        "",
        f"xieshang: {folder} holds files already; give a folder that is new or empty\n",
    )
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_a_limit_set_wrongly_is_said_before_the_load_and_records_nothing(env, capsys, monkeypatch):
    inbox = base_inbox(env / "inbox")
    db = env / "w.sqlite"
    monkeypatch.setenv("XIESHANG_MAX_ROWS", "abc")
    assert main(["load", str(inbox), "--db", f"sqlite:///{db}"]) == 2
    assert capsys.readouterr() == (
        "",
        "xieshang: XIESHANG_MAX_ROWS must be a whole number ≥ 1, not 'abc'\n",
    )
    assert not db.exists()


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        # the run committed: its exit code, though nobody read its report
        (["load", "INBOX", "--json"], 0),
        (["load", "INBOX"], 0),
        # bytes past the text layer: ended as a shell reports a closed pipe's program
        (["status", "--month", "2025-01", "--format", "csv"], 141),
    ],
)
def test_a_reader_that_stops_reading_ends_no_command_with_an_error(env, argv, code):
    inbox = base_inbox(env / "inbox")
    db = f"sqlite:///{env / 'w.sqlite'}"
    assert main(["load", str(inbox), "--db", db]) == 0
    argv = [str(inbox) if a == "INBOX" else a for a in argv]
    command = subprocess.Popen(
        [sys.executable, "-m", "xieshang.cli", *argv, "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    command.stdout.close()  # as `| head` that has its lines, or `| true`
    err = command.stderr.read()
    assert (command.wait(60), err) == (code, "")


def test_the_report_shows_the_rows_it_rejected(env, capsys, db_url):
    inbox = base_inbox(env / "inbox")
    write_csv(
        inbox / "会议台账-补.csv",
        [
            MEETING_HEADER,
            ["HY-3", "330281100201", "2025-13-01", "议事会", "路灯", "", "", "是", ""],
        ],
    )
    assert main(["load", str(inbox), "--db", db_url, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rejects"] == [
        {
            "path": "会议台账-补.csv",
            "sheet": None,
            "row_number": 2,
            "kind": "meetings",
            "rule": "bad_date",
            "column_name": "meeting_date",
            "header": "会议日期",
            "value": "2025-13-01",
            "reason_zh": "日期无法识别（应为 2025-03-08、2025年3月8日 或 20250308）",
            "reason_en": "unrecognised date (use 2025-03-08, 2025年3月8日 or 20250308)",
        }
    ]
    # the human report: a table of them (this run rejects nothing more: none listed again)
    (inbox / "会议台账-补.csv").write_text(
        "会议编号,区划代码,会议日期\nHY-3,330281100201,2025-13-02\n", encoding="utf-8"
    )
    assert main(["load", str(inbox), "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "拒收的行 rejected rows" in out
    assert (
        "│ 会议台账-补.csv │ 2      │ 会议日期  │ 2025-13-02 │ "
        "日期无法识别（应为 2025-03-08、2025年3月8日 或 20250308） │"
    ) in out.splitlines()
    assert main(["load", str(inbox), "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "拒收的行" not in out
    # nor said to be fixed: the unchanged file's row still waits for its fix
    assert (
        "未变文件中仍有 1 行拒收待修改 1 rows rejected earlier in the files found unchanged "
        "still await their fix: --json lists them, as do the dashboard's 数据质量 page and "
        "/download/rejects.csv"
    ) in " ".join(out.split())
    assert main(["load", str(inbox), "--db", db_url, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["rejects"], [r["value"] for r in again["earlier_rejects"]]) == (
        [],
        ["2025-13-02"],
    )
    assert again["earlier_rejects"][0]["path"] == "会议台账-补.csv"
    # an office's text is printed as written, never read as rich's markup
    write_csv(
        inbox / "会议台账-[red]补.csv",
        [MEETING_HEADER[:5], ["HY-9", "330281100201", "2025-03-01", "[/x]", "路灯"]],
    )
    assert main(["load", str(inbox), "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "│ 会议台账-[red]补.csv │ 2      │ 协商形式  │ [/x]     │ 不在规定取值范围内 │" in out
    bad = [[f"HY-{n}", "330281100201", "2025-13-01", "议事会", "路灯"] for n in range(22)]
    write_csv(inbox / "会议台账-再补.csv", [MEETING_HEADER[:5], *bad])
    assert main(["load", str(inbox), "--db", db_url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("│ 会议台账-再补.csv") for line in lines) == 20
    assert lines[-1] == (
        "另有 2 行未列出 and 2 more: --json lists them all, as do the dashboard's 数据质量 page "
        "and /download/rejects.csv"
    )


def _last_run(db: str) -> tuple[str, str]:
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            return tuple(
                conn.execute(
                    sa.text("SELECT run_id, status FROM load_runs ORDER BY started_at DESC LIMIT 1")
                ).one()
            )
    finally:
        engine.dispose()


FULL = "No space left on device"
FIX = "send it where it can be written (> FILE on a disk with room), or > /dev/null to discard it"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="/dev/full: Linux")
@pytest.mark.parametrize("stdout", ["full", "closed"])
@pytest.mark.parametrize("argv", [["--json"], []])
def test_a_committed_load_whose_report_cannot_be_written_exits_0_saying_so(env, stdout, argv):
    # A full log disk under `xieshang load … --json >> loads.jsonl` (cron's buffered
    # stdout: no PYTHONUNBUFFERED) ended a committed load with Python's own two lines and
    # exit 120; a closed stdout with "AttributeError: 'NoneType' …" and exit 1.
    inbox = base_inbox(env / "inbox")
    db = f"sqlite:///{env / 'w.sqlite'}"
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "xieshang.cli", "load", str(inbox), "--db", db, *argv],
            stdout=full if stdout == "full" else None,
            stderr=subprocess.PIPE,
            text=True,
            env=environ,
            check=False,
            # a closed file descriptor 1, as `>&-` gives
            preexec_fn=(lambda: os.close(1)) if stdout == "closed" else None,
        )
    run_id, status = _last_run(db)
    why = FULL if stdout == "full" else "it is closed"
    assert (status, result.returncode, result.stderr) == (
        "committed",
        0,
        f"xieshang: 载入已提交 the load committed (run {run_id}), but its report could not be "
        f"written: cannot write to standard output ({why}): {FIX}; 数据质量 → 载入记录 lists "
        "the run\n",
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="/dev/full: Linux")
def test_a_command_whose_output_cannot_be_written_says_so_in_one_line(env):
    inbox = base_inbox(env / "inbox")
    db = f"sqlite:///{env / 'w.sqlite'}"
    assert main(["load", str(inbox), "--db", db]) == 0
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    kpi = ["kpi", "--scope", "330281", "--from", "2025-01-01", "--to", "2025-06-30"]
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "xieshang.cli", *kpi, "--db", db],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=environ,
            check=False,
        )
    assert (result.returncode, result.stderr) == (
        1,
        f"xieshang: cannot write to standard output ({FULL}): {FIX}\n",
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["load", "INBOX", "--db", ""],
        ["kpi", "--scope", "330281", "--from", "2025-01-01", "--to", "2025-06-30", "--db", " "],
    ],
)
def test_an_empty_db_url_is_a_usage_error_not_the_default_warehouse(env, capsys, argv):
    # `--db "$WAREHOUSE_URL"` with the variable unset loaded the inbox into the embedded
    # warehouse of the user's data folder (or XIESHANG_DB's), as though --db were not given
    inbox = base_inbox(env / "inbox")
    command = argv[0]
    with pytest.raises(SystemExit) as exited:
        main([str(inbox) if a == "INBOX" else a for a in argv])
    assert (exited.value.code, capsys.readouterr()) == (
        2,
        (
            "",
            f"xieshang {command}: argument --db: the URL is empty: give the warehouse's URL, or "
            f"leave --db out for XIESHANG_DB or the embedded warehouse (see xieshang {command} "
            "--help)\n",
        ),
    )
    assert not (env / "home" / "warehouse.sqlite").exists()


@pytest.mark.parametrize("when", ["vacuum", "report"])
def test_a_load_stopped_after_its_commit_exits_0_saying_it_committed(env, when):
    """SIGTERM (or Ctrl-C) once the run has committed — while the marts are vacuumed,
    while its rejects are read back for the report — said 已中断 interrupted: nothing more
    was done and exited 143, though every row was in: a committed run exits 0 (interfaces.md).
    The signal is sent by the process to itself at that moment."""
    inbox = base_inbox(env / "inbox")
    db = f"sqlite:///{env / 'w.sqlite'}"
    target = {"vacuum": "marts, 'vacuum'", "report": "load_command, 'run_rejects'"}[when]
    code = (
        "import os, signal, sys\n"
        "from xieshang import marts\n"
        "from xieshang.cli import main\n"
        "from xieshang.cli.commands import load as load_command\n"
        f"module, name = {target}\n"
        "def stop(*args, **kwargs):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "setattr(module, name, stop)\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "load", str(inbox), "--db", db, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    run_id, status = _last_run(db)
    assert (status, result.returncode) == ("committed", 0), result.stderr
    if when == "vacuum":
        assert result.stderr == ""
        assert json.loads(result.stdout)["run_id"] == run_id
    else:
        assert (result.stdout, result.stderr) == (
            "",
            f"xieshang: 载入已提交 the load committed (run {run_id}), but it was interrupted "
            "before its report was printed; 数据质量 → 载入记录 lists the run\n",
        )
