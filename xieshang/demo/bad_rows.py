"""--dirty's bad rows: each planned `Injection` becomes one row with exactly one defect
(or one held row, whose meeting never arrives), put into an office's table of a month.

Every row draws from its own random stream (seeded by the seed and the row's number),
so adding them leaves the clean rows' stream, and so the clean rows, as they were.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from xieshang.demo.files import Style, Table
from xieshang.demo.names import (
    CATEGORY_WEIGHTS,
    COMMUNITY_SPOTS,
    TOPICS,
    VILLAGE_SPOTS,
    responsible_unit,
)
from xieshang.demo.world import FORM_WEIGHTS, Area, Injection, Office, choose


def _village_spot(rng: random.Random, area: Area) -> str:
    return rng.choice(COMMUNITY_SPOTS if area.unit_type == "社区" else VILLAGE_SPOTS)


class BadRows:
    """Puts one office's bad rows into its monthly tables and counts them by reason."""

    def __init__(self, seed: int, office: Office, style: Style, code_cells: dict[str, Any]) -> None:
        self.seed = seed
        self.office = office
        self.style = style
        self.code_cells = code_cells
        self.rejected: dict[str, dict[str, int]] = {}  # kind -> reason -> rows
        self.held: dict[str, int] = {}  # kind -> rows

    def place(
        self,
        inj: Injection,
        tables: dict[str, Table],
        candidates: list[tuple[Area, str, date]],
        year: int,
        month: int,
        ledger: date,
        last_day: int,
    ) -> None:
        """Insert `inj`'s row at a random place of its table; `candidates` are the
        (area, meeting id, date) of meetings that attendance and resolution rows refer to."""
        rng = random.Random(f"xieshang-generate:{self.seed}:inject:{inj.number}")
        yyyymm = f"{year}{month:02d}"
        if inj.kind == "meetings":
            row = self._meeting(inj, rng, year, month, last_day)
        elif not candidates:
            return  # nothing has met yet: no row to spoil (only at the very start of a month)
        elif inj.kind == "attendance":
            row = self._attendance(inj, rng, candidates, yyyymm)
        else:
            row = self._resolution(inj, rng, candidates, yyyymm, ledger)
        table = tables[inj.kind]
        table.rows.insert(rng.randint(0, len(table.rows)), row)
        if inj.reason == "held":
            self.held[inj.kind] = self.held.get(inj.kind, 0) + 1
        else:
            bucket = self.rejected.setdefault(inj.kind, {})
            bucket[inj.reason] = bucket.get(inj.reason, 0) + 1

    def _meeting(
        self, inj: Injection, rng: random.Random, year: int, month: int, last_day: int
    ) -> tuple:
        style = self.style
        reason, variant = inj.reason, inj.variant
        area = rng.choice(self.office.villages)
        code: Any = self.code_cells[area.code]
        mdate: Any = style.date(date(year, month, rng.randint(1, last_day)), "meeting_date")
        form = style.vocab(rng, "form", choose(rng, FORM_WEIGHTS["village"]))
        category = choose(rng, CATEGORY_WEIGHTS[area.unit_type])
        topic: Any = rng.choice(TOPICS[category])[0].format(p=_village_spot(rng, area))
        cat_cell: Any = style.vocab(rng, "topic_category", category)
        led: Any = style.bool(True, "led_by_party")
        if reason == "missing":
            topic = None
        elif reason == "bad_code":
            code = area.code[:10]
        elif reason == "bad_date":
            mdate = f"{year}-02-30" if variant % 2 == 0 else f"{month}月{rng.randint(1, 28)}日"
        elif reason == "bad_bool":
            led = "有"
        elif reason == "bad_vocab":
            if variant % 2 == 0:
                form = "研讨会"
            else:
                cat_cell = "文明创建"
        elif reason == "future_date":
            mdate = style.date(date(year + 100, month, 1), "meeting_date")
        elif reason == "before_2000":
            mdate = style.date(date(year - 100, month, 1), "meeting_date")
        elif reason == "unknown_area":
            code = style.code(inj.extra["code"])
        mid = style.meeting_id(f"{year}{month:02d}", 5000 + inj.number)
        return (
            mid,
            code,
            mdate,
            form,
            topic,
            cat_cell,
            style.vocab(rng, "topic_source", "residents"),
            led,
            style.bool(False, "online"),
        )

    def _attendance(
        self,
        inj: Injection,
        rng: random.Random,
        candidates: list[tuple[Area, str, date]],
        yyyymm: str,
    ) -> tuple:
        style, reason = self.style, inj.reason
        area, mid, _ = rng.choice(candidates)
        pid, name = inj.extra["person"]
        code: Any = self.code_cells[area.code]
        party: Any = style.bool(False, "party_member")
        cat: Any = style.category_cell("resident", area.level, area.unit_type)
        if reason == "held":
            mid = style.meeting_id(yyyymm, 7000 + inj.number)
        elif reason == "missing":
            cat = None
        elif reason == "bad_code":
            code = area.code[:11]
        elif reason == "bad_bool":
            party = "党员"
        elif reason == "bad_vocab":
            cat = "志愿者"
        return (mid, code, pid, name, party, cat)

    def _resolution(
        self,
        inj: Injection,
        rng: random.Random,
        candidates: list[tuple[Area, str, date]],
        yyyymm: str,
        ledger: date,
    ) -> tuple:
        style, office = self.style, self.office
        reason, variant = inj.reason, inj.variant
        area, mid, mdate = rng.choice(candidates)
        category = choose(
            rng, CATEGORY_WEIGHTS["township" if area.level != "village" else area.unit_type]
        )
        content = rng.choice(rng.choice(TOPICS[category])[1]).format(
            p=_village_spot(rng, area), n=rng.randint(2, 9)
        )
        unit: Any = responsible_unit(
            rng, category, area.level, area.name, area.unit_type, office.area.name
        )
        code = self.code_cells[area.code]
        due: Any = style.date(mdate + timedelta(days=rng.randint(20, 80)), "due_date")
        status, completed, satisfaction = "in_progress", None, None
        updated = ledger
        assess: Any = style.bool(False, "in_assessment")
        escalated: Any = None
        if reason == "held":
            mid = style.meeting_id(yyyymm, 7000 + inj.number)
        elif reason == "missing":
            unit = None
        elif reason == "bad_code":
            escalated = office.area.code[:8]
        elif reason == "bad_date":
            due = "年底前" if variant % 2 == 0 else f"{mdate.year}-06-31"
        elif reason == "bad_bool":
            assess = "待定"
        elif reason == "bad_number":
            status, completed, satisfaction = "implemented", ledger, 150
        elif reason == "bad_vocab":
            status = "基本完成"
        elif reason == "future_date":
            updated = date(ledger.year + 100, ledger.month, 1)
        elif reason == "due_before_meeting":
            due = style.date(mdate - timedelta(days=rng.randint(3, 20)), "due_date")
        elif reason == "completed_missing":
            status = "implemented"
        elif reason == "completed_before_meeting":
            status, completed = "implemented", mdate - timedelta(days=rng.randint(2, 10))
        elif reason == "completed_after_update":
            status, completed, updated = "implemented", ledger, ledger - timedelta(days=1)
        elif reason == "bad_escalation":
            if variant % 2 == 0:
                others = [v.code for v in office.villages if v.code != area.code]
                escalated = rng.choice(others) if others else area.code
            else:
                escalated = inj.extra["other_township"]
        status_cell = status if status == "基本完成" else style.vocab(rng, "status", status)
        rid = style.resolution_id(yyyymm, 5000 + inj.number)
        return (
            rid,
            mid,
            code,
            content,
            unit,
            due,
            status_cell,
            style.date(completed, "completed_date"),
            style.date(updated, "updated_on"),
            satisfaction,
            assess,
            escalated,
        )
