"""A command that reads the warehouse, given a SQLite file that is not there, says so in
one line and exits 1, leaving no empty warehouse behind (a typo in --db used to create
one, and `kpi` then answered that it had no roster)."""

from __future__ import annotations

import pytest

from xieshang.cli import main

READERS = {
    "kpi": ["kpi", "--scope", "330281", "--from", "2025-01-01", "--to", "2025-03-31"],
    "export": [
        "export",
        "assessment",
        "--level",
        "township",
        "--from",
        "2025-01-01",
        "--to",
        "2025-03-31",
        "--format",
        "csv",
        "--output",
        "{out}",
    ],  # fmt: skip
    "brief": [
        "brief",
        "--scope",
        "330281",
        "--month",
        "2025-03",
        "--format",
        "docx",
        "--output",
        "{out}",
    ],  # fmt: skip
    "status": ["status", "--month", "2025-03"],
    "audit": ["audit"],
    "marts": ["marts", "rebuild"],
    "template": ["template", "areas", "--township", "330281102", "--output", "{out}"],
}


@pytest.mark.parametrize("command", list(READERS))
def test_a_missing_warehouse_file_is_refused_not_created(command, tmp_path, capsys):
    typo = tmp_path / "warehuose.db"
    out = tmp_path / "out.file"
    argv = [word.replace("{out}", str(out)) for word in READERS[command]]
    assert main([*argv, "--db", f"sqlite:///{typo}"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"xieshang: 没有仓库文件 there is no warehouse file at {typo}: check --db / "
        "XIESHANG_DB, or run `xieshang load INBOX` first\n"
    )
    assert sorted(tmp_path.iterdir()) == []
