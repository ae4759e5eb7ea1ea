"""`xieshang demo --no-serve`: the first command a new user runs makes, loads and marks
the demo county, and running it again changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from xieshang.cli import main
from xieshang.warehouse import schema
from xieshang.warehouse.engine import open_warehouse
from xieshang.warehouse.meta import is_demo

LINE = re.compile(
    r"演示仓库 demo warehouse: (\S+) \(([\d,]+) rows loaded, ([\d,]+) rejected, "
    r"([\d,]+) held, in [\d.]+ s; 数据质量 lists them\)"
)


def _numbers(out: str) -> tuple[str, int, int, int]:
    match = LINE.search(out)
    assert match, out
    url, *counts = match.groups()
    return (url, *(int(c.replace(",", "")) for c in counts))


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.mark.slow
def test_the_demo_loads_a_county_with_known_defects_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path))
    monkeypatch.delenv("XIESHANG_DB", raising=False)
    assert main(["demo", "--no-serve"]) == 0
    url, loaded, rejected, held = _numbers(capsys.readouterr().out)
    assert url == f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    engine = open_warehouse(url)
    try:
        assert is_demo(engine)
        with engine.connect() as conn:
            levels = dict(
                conn.execute(
                    select(schema.areas.c.level, func.count()).group_by(schema.areas.c.level)
                ).all()
            )
        # generate's defaults: one county, 13 townships of 15 villages (a bad roster row
        # or two of --dirty is rejected, not loaded)
        assert (levels["county"], levels["township"]) == (1, 13)
        assert levels["village"] == 13 * 15
        # --dirty: what the report counts is what the 数据质量 page lists
        assert rejected == _count(engine, schema.rejects) and rejected > 0
        assert held == _count(engine, schema.held_rows) and held > 0
        loaded_rows = sum(
            _count(engine, t)
            for t in (schema.areas, schema.meetings, schema.attendance, schema.resolution_reports)
        )
        assert loaded == loaded_rows

        # a second run finds the inbox unchanged: nothing is loaded or rejected again, and
        # it says so rather than "0 rejected"
        assert main(["demo", "--no-serve"]) == 0
        assert capsys.readouterr().out == (
            f"演示仓库已载入 demo warehouse: {url} (loaded before, its files unchanged; "
            "数据质量 lists its rejected and held rows)\n"
        )
        assert _count(engine, schema.rejects) == rejected
        assert _count(engine, schema.held_rows) == held
    finally:
        engine.dispose()
