"""Judging the sheets a run reads, a batch of alike sheets at a time.

`validate.check_sheet` costs mostly per call (a frame built, each column factorised, each
distinct value parsed), and an inbox is thousands of small sheets of a few layouts. So
sheets of the same kind and columns wait, and are judged together once they hold
`BATCH_ROWS` rows (or the inbox is read): each row keeps its own file, sheet and run
order, and the results come back in the order the sheets were read, as if each sheet
had been judged on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from xieshang.contract.columns import KINDS
from xieshang.etl import validate
from xieshang.etl.read import SheetRows

# judged at once: enough to spread the per-call cost, few enough to hold. 3-county city,
# the reading workers' CPU 21.5 and 21.5 s at 20,000 rows, 20.7 and 19.5 s at 100,000
# (the load's peak memory 1.69-1.73 → 1.61 GB); a sixth of its files, 2.88 s at 20,000,
# 2.56 at 100,000, 2.95 at 400,000
BATCH_ROWS = 100_000

_Batch = list[tuple[SheetRows, int]]  # sheets with the run order of their first row
Where = Callable[[str, str | None], None]


def _objects(values: list) -> np.ndarray:
    """`values` as an object array (np.array would make strings a fixed-width str array,
    and repeating one would copy a string into every cell)."""
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


class SheetJudge:
    """Collects sheets as they are read; `results()` judges what waits and returns the
    accepted rows by kind and the rejects, in reading order."""

    def __init__(
        self, today: date, report: dict, where: Where, township: str | None = None
    ) -> None:
        self.today = today
        self.township = township  # the submitting township, whose rows alone are accepted
        self.report = report
        self.where = where  # told which sheet is judged when judging one fails
        self.seq = 0  # the run order of the next row read
        self.order: dict[tuple[str, str | None], int] = {}  # (path, sheet) -> reading order
        self.waiting: dict[tuple, _Batch] = {}
        self.waiting_rows: dict[tuple, int] = {}
        self.accepted: dict[str, list[pd.DataFrame]] = {kind: [] for kind in KINDS}
        self.rejects: list[pd.DataFrame] = []

    def add(self, sheet: SheetRows) -> None:
        self.order[(sheet.path, sheet.sheet)] = len(self.order)
        self.report["kinds"][sheet.kind]["read"] += len(sheet.frame)
        # CSV files have no sheet name: kept apart, so that no column mixes None and text
        key = (sheet.kind, sheet.sheet is None, tuple(sheet.frame.columns))
        self.waiting.setdefault(key, []).append((sheet, self.seq))
        self.waiting_rows[key] = self.waiting_rows.get(key, 0) + len(sheet.frame)
        self.seq += len(sheet.frame)
        if self.waiting_rows[key] >= BATCH_ROWS:
            self._judge(key)

    def _judge(self, key: tuple) -> None:
        batch = self.waiting.pop(key)
        del self.waiting_rows[key]
        first = batch[0][0]
        lengths = [len(sheet.frame) for sheet, _ in batch]
        # the sheets' cells joined first, their files and sheets added as two columns after:
        # not two columns added to each of thousands of small frames
        rows = pd.concat([sheet.frame for sheet, _ in batch], ignore_index=True)
        rows["_path"] = np.repeat(_objects([sheet.path for sheet, _ in batch]), lengths)
        rows["_sheet"] = np.repeat(_objects([sheet.sheet for sheet, _ in batch]), lengths)
        seq = np.concatenate(
            [start + np.arange(n) for (_, start), n in zip(batch, lengths, strict=True)]
        )
        # the rows carry their own _path and _sheet; check_sheet numbers them from 0
        try:
            good, bad = validate.check_sheet(
                SheetRows(first.path, first.sheet, first.kind, rows), self.today, 0, self.township
            )
        except Exception:
            for sheet, _ in batch:  # judged alone, the sheet that fails names itself
                self.where(sheet.path, sheet.sheet)
                validate.check_sheet(sheet, self.today, 0, self.township)
            raise
        good["_seq"] = seq[good["_seq"].to_numpy(dtype=np.int64)]
        self.report["kinds"][first.kind]["rejected"] += len(bad)
        self.accepted[first.kind].append(good)
        self.rejects.append(bad)

    def results(self) -> tuple[dict[str, list[pd.DataFrame]], list[pd.DataFrame]]:
        """(accepted rows by kind, rejects), each in the order the rows were read."""
        for key in list(self.waiting):
            self._judge(key)
        accepted = {
            kind: [
                pd.concat(frames, ignore_index=True)
                .sort_values("_seq", kind="stable")
                .reset_index(drop=True)
            ]
            if len(frames) > 1
            else frames
            for kind, frames in self.accepted.items()
        }
        rejects = [r for r in self.rejects if not r.empty]
        if len(rejects) > 1:
            merged = pd.concat(rejects, ignore_index=True)
            position = [
                self.order[(path, sheet if isinstance(sheet, str) else None)]
                for path, sheet in zip(merged["path"], merged["sheet"], strict=True)
            ]
            rejects = [merged.iloc[np.argsort(position, kind="stable")].reset_index(drop=True)]
        return accepted, rejects
