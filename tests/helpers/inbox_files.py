"""Write real inbox files (CSV and xlsx) for tests.

Two functions, both taking rows as a list of lists of cells and returning the path
written (parent folders are created):

- ``write_csv(path, rows, encoding="utf-8")`` — one CSV record per row, cells written
  with ``str()`` (``None`` → empty), quoted where needed (a cell may contain newlines),
  lines ended with CRLF like Excel. ``encoding`` is ``"utf-8"``, ``"utf-8-sig"`` (with
  BOM) or ``"gb18030"``. ``[]`` is a blank line, so ``rows[i]`` is file line ``i + 1``
  unless a cell spans lines.

- ``write_xlsx(path, sheets)`` — ``sheets`` maps sheet names (in order) to rows;
  ``rows[i]`` is Excel row ``i + 1`` and ``rows[i][j]`` column ``j + 1``, so ``[]`` or
  ``[None]`` rows are blank rows and a one-cell row is a title row. Cells keep their
  Python type: ``str`` → text cell, ``int``/``float`` → number cell, ``bool`` → TRUE/FALSE
  cell, ``date`` → date cell (``yyyy-mm-dd``), ``datetime`` → date-time cell
  (``yyyy-mm-dd hh:mm:ss``), ``None`` → empty cell. Strings are always written as text,
  never as formulas.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

__all__ = ["write_csv", "write_xlsx"]

Rows = Sequence[Sequence[Any]]


def write_csv(path: Path | str, rows: Rows, encoding: str = "utf-8") -> Path:
    """Write ``rows`` as a CSV file in ``encoding``; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        for row in rows:
            writer.writerow(["" if cell is None else str(cell) for cell in row])
    return path


def write_xlsx(path: Path | str, sheets: Mapping[str, Rows]) -> Path:
    """Write one workbook with a sheet per entry of ``sheets``; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(title=name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=r, column=c)
                cell.value = value
                if isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, str):
                    cell.data_type = "s"  # text, even when it starts with "="
    workbook.save(path)
    return path
