"""Why a file over a reading limit is unreadable, in words that name the limit.

The limits are settings (`xieshang.contract.settings.ReadLimits`, each set by its
`XIESHANG_MAX_…` variable). A file over one is reported unreadable and the run goes on;
the reason says, in Chinese and English, what in the file is over which limit and which
variable would raise it, so an office knows what to cut and an administrator what to set.
"""

from __future__ import annotations

from xieshang.contract.said import Said
from xieshang.contract.settings import ReadLimits, limit_variable

MB = 1024 * 1024


class OverLimit(ValueError):
    """A file is over a reading limit; its one argument, a Said, is the reason."""


def column_letters(number: int) -> str:
    """A column's letters as a spreadsheet shows them: 1 → A, 27 → AA, 16384 → XFD."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _named(zh: str, en: str, field: str) -> OverLimit:
    # the variable is the administrator's to set: named in the report and the command
    # line (which carry both languages), not on a township's Chinese page
    return OverLimit(Said(zh, f"{en} ({limit_variable(field)})"))


def file_too_large(limits: ReadLimits) -> OverLimit:
    mb = limits.file_mb
    return _named(f"文件大于{mb}MB", f"the file is larger than {mb} MB", "file_mb")


def unpacks_too_large(limits: ReadLimits) -> OverLimit:
    mb = limits.unpacked_mb
    return _named(
        f"xlsx 文件解压后大于{mb}MB", f"the workbook unpacks to more than {mb} MB", "unpacked_mb"
    )


def shared_text_too_large(limits: ReadLimits) -> OverLimit:
    mb = limits.unpacked_mb
    return _named(
        f"xlsx 文件的共享文本按引用它的单元格展开后大于{mb}MB",
        f"the workbook's shared text, repeated in every cell that uses it, comes to more "
        f"than {mb} MB",
        "unpacked_mb",
    )


def sheet_over_limit(
    sheet: str, last_row: int, last_column: int, limits: ReadLimits
) -> OverLimit | None:
    """The limit a sheet whose data reaches `last_row` and `last_column` is over, if any."""
    letters = column_letters(last_column)
    if last_row > limits.rows:
        return _named(
            f"工作表“{sheet}”第{last_row}行有数据，超过{limits.rows}行的上限",
            f"sheet “{sheet}” has data in row {last_row:,}, "
            f"beyond the limit of {limits.rows:,} rows",
            "rows",
        )
    if last_column > limits.columns:
        return _named(
            f"工作表“{sheet}”第{letters}列有数据，超过{limits.columns}列的上限",
            f"sheet “{sheet}” has data in column {letters} ({last_column:,}), "
            f"beyond the limit of {limits.columns:,} columns",
            "columns",
        )
    if last_row * last_column > limits.cells:
        return _named(
            f"工作表“{sheet}”的数据区域 A1:{letters}{last_row} 超过{limits.cells}个单元格",
            f"sheet “{sheet}” spans A1:{letters}{last_row}, more than {limits.cells:,} cells",
            "cells",
        )
    return None


def sheet_too_many_cells(sheet: str, limits: ReadLimits) -> OverLimit:
    return _named(
        f"工作表“{sheet}”超过{limits.cells}个单元格",
        f"sheet “{sheet}” holds more than {limits.cells:,} cells",
        "cells",
    )


def cell_too_long(where_zh: str, where_en: str, limits: ReadLimits) -> OverLimit:
    """`where_zh`/`where_en` name the cell: 工作表“台账”的单元格 B5 / cell B5 of sheet “台账”."""
    return _named(
        f"{where_zh}超过{limits.cell_chars}个字符",
        f"{where_en} holds more than {limits.cell_chars:,} characters",
        "cell_chars",
    )


def csv_too_many_rows(limits: ReadLimits) -> OverLimit:
    return _named(
        f"超过{limits.rows}行",
        f"the file has more than {limits.rows:,} rows",
        "rows",
    )


def csv_row_too_wide(line: int, limits: ReadLimits) -> OverLimit:
    return _named(
        f"第{line}行超过{limits.columns}列",
        f"line {line} has more than {limits.columns:,} cells",
        "columns",
    )


def csv_line_too_long(line: int, limits: ReadLimits) -> OverLimit:
    most = limits.columns * (limits.cell_chars + 3)
    return _named(
        f"第{line}行超过{most}个字符",
        f"line {line} is longer than {most:,} characters "
        f"({limits.columns:,} cells of {limits.cell_chars:,})",
        "columns",
    )


def csv_too_many_cells(limits: ReadLimits) -> OverLimit:
    return _named(
        f"超过{limits.cells}个单元格",
        f"the file has more than {limits.cells:,} cells",
        "cells",
    )


def csv_cell_too_many_lines(line: int, limits: ReadLimits) -> OverLimit:
    return _named(
        f"第{line}行引号内的单元格跨越超过{limits.cell_lines}行，可能是引号没有闭合",
        f"the quoted cell that opens on line {line} spans more than "
        f"{limits.cell_lines:,} lines: is a quote left open?",
        "cell_lines",
    )
