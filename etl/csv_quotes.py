"""Broken quoting in a CSV file: a quote left open runs the lines after it together.

A quote at the start of a cell opens a quoted cell that lasts until the next quote, line
breaks included — that is how a cell holds several lines. A stray quote therefore
swallows the rows after it: a 20-row file with one open quote reads as 5 rows, and
nothing says so. Every record that spans several lines is checked here, and the file is
**unreadable, naming the line where the quote opens**, when one of its quoted cells

- is never closed (it runs to the end of the file);
- closes in the middle of a cell (the closing quote is followed by more text, so it was
  another stray quote, not the end of the cell);
- spans more than `cell_lines` lines (`XIESHANG_MAX_CELL_LINES`);
- holds a whole line that looks like a row of the file: one with at least as many commas
  as the widest record of the file has between its cells, and at least four (a cell an
  office types holds sentences over several lines, not rows).

Unreadable rather than rejecting the rows it swallowed: where they begin and end is a
guess, while "line 5: the quote is never closed" is a one-minute fix, after which the
file loads whole. A multi-line cell that breaks none of these rules is read as it is.
"""

from __future__ import annotations

import re

from xieshang.contract.said import Said
from xieshang.contract.settings import ReadLimits
from xieshang.etl.limits import csv_cell_too_many_lines

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# A quoted cell: everything up to the next lone quote ("" is a quote inside the cell).
_QUOTED = re.compile(r'"[^"]*(?:""[^"]*)*("?)')
_UNQUOTED = re.compile(r"[^,\r\n]*")


class BrokenQuote(ValueError):
    """A CSV file's quoting is broken; its one argument, a Said, is the reason."""


def line_starts(text: str) -> list[int]:
    """The offset where each line of `text` starts (lines end at \\r\\n, \\r or \\n, as csv reads)."""
    return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]


def check_quoting(
    text: str, rows: list[list[str]], numbers: list[int], last_line: int, limits: ReadLimits
) -> None:
    """Raise BrokenQuote or OverLimit if a record spanning several lines has a broken quote.

    `rows` are the records csv read from `text`, `numbers` the line each starts on and
    `last_line` the last line csv read.
    """
    starts = line_starts(text)
    width = max(map(len, rows), default=0)
    ends = [*(number - 1 for number in numbers[1:]), last_line]
    for first, last in zip(numbers, ends, strict=True):
        if last > first:
            end = starts[last] if last < len(starts) else len(text)
            _check_record(text[starts[first - 1] : end], first, width, limits)


def _check_record(raw: str, first_line: int, width: int, limits: ReadLimits) -> None:
    """Walk the cells of one record's text as csv does, checking each multi-line quoted cell."""
    row_like = max(4, width - 1)  # a sentence may hold a comma or three
    pos = 0
    # the line breaks before `counted`, kept as the walk goes: counted from the record's
    # start for each cell, a record of 40,000 cells "a\nb" (240 KB) took 80 s, growing
    # with the square
    counted = lines_before = 0
    while True:
        if raw.startswith('"', pos):
            match = _QUOTED.match(raw, pos)
            breaks = _LINE_BREAK.findall(raw, pos, match.end())
            if breaks:
                # `pos` follows a comma: no \r\n is split by counting up to it
                lines_before += len(_LINE_BREAK.findall(raw, counted, pos))
                counted = pos
                opens = first_line + lines_before
                closes = opens + len(breaks)
                if not match.group(1):
                    raise BrokenQuote(
                        Said(
                            f"第{opens}行的引号没有闭合，其后各行连成了一个单元格",
                            f"the quote that opens on line {opens} is never closed, "
                            "so the lines after it run together",
                        )
                    )
                if raw[match.end() : match.end() + 1] not in ("", ",", "\r", "\n"):
                    raise BrokenQuote(
                        Said(
                            f"第{opens}行的引号到第{closes}行才在单元格中间闭合，可能是引号没有闭合",
                            f"the quote that opens on line {opens} closes in the middle of a cell "
                            f"on line {closes}: is a quote left open?",
                        )
                    )
                if len(breaks) + 1 > limits.cell_lines:
                    raise csv_cell_too_many_lines(opens, limits)
                inner = _LINE_BREAK.split(raw[pos : match.end()])[1:-1]
                for offset, line in enumerate(inner, start=1):
                    if line.count(",") >= row_like:
                        raise BrokenQuote(
                            Said(
                                f"第{opens}行引号内的第{opens + offset}行像是单独的一行数据，"
                                "可能是引号没有闭合",
                                f"the quoted cell that opens on line {opens} holds line "
                                f"{opens + offset}, which looks like a row of its own: "
                                "is a quote left open?",
                            )
                        )
            pos = match.end()
        # Text after a closing quote joins the cell, as csv reads it.
        pos = _UNQUOTED.match(raw, pos).end()
        if not raw.startswith(",", pos):
            return
        pos += 1
