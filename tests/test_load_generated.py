"""A generated county with known bad rows, loaded end to end: every injected defect is found."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from xieshang.demo.inbox import write_inbox
from xieshang.etl.load import run_load
from xieshang.warehouse import schema


def test_dirty_inbox_rejects_exactly_what_was_injected(engine, tmp_path):
    inbox = tmp_path / "inbox"
    made = write_inbox(
        inbox, townships=3, villages_per_township=4, months=3, end="2025-06", seed=7, dirty=True
    )
    report = run_load(engine, inbox, secret=b"generated")
    assert report["status"] == "committed", report.get("error")
    t = schema.rejects
    with engine.connect() as conn:
        found = Counter(
            {
                (k, r): n
                for k, r, n in conn.execute(
                    sa.select(t.c.kind, t.c.rule, sa.func.count()).group_by(t.c.kind, t.c.rule)
                )
            }
        )
    injected = Counter(
        {
            (kind, rule): n
            for kind, rules in made["dirty"]["rejected"].items()
            for rule, n in rules.items()
        }
    )
    assert found == injected
    for kind, n in made["dirty"]["held"].items():
        assert report["kinds"][kind]["held"] == n
    assert len(report["files"]["skipped"]) == made["dirty"]["skipped_files"]
    assert len(report["files"]["unreadable"]) == made["dirty"]["unreadable_files"]
    for kind, counts in report["kinds"].items():
        assert counts["read"] == sum(
            counts[o] for o in ("inserted", "updated", "unchanged", "rejected", "held")
        ), kind
    assert report["kinds"]["attendance"]["inserted"] > 1000

    again = run_load(engine, inbox, secret=b"generated")
    assert again["files"]["loaded"] == []
    assert all(c["read"] == 0 for c in again["kinds"].values())
