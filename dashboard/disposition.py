"""How a download names its file: an ASCII name for the clients that take no other, and
RFC 6266's `filename*` for the Chinese one."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote


def ascii_name(
    name: str, scope: str, filename: str, period: tuple[date, date] | None = None
) -> str:
    """The file's name for a client that takes no other (curl -OJ, a script): the
    address's, the scope's code, and the period's first and last days (a file of the
    period), else the numbers of the Chinese name — `rejects.csv` of 南湖街道-拒收行-
    2026-12-07.csv is rejects-330281001000-2026-12-07.csv, the assessment of 2026年3-5月
    assessment-330281001000-20260301-20260531.csv. Stripping the Chinese, as send_file
    does, left --2026-12-07.csv: no scope, and read as an option."""
    stem, _, extension = name.rpartition(".")
    if period is not None:
        numbers = [f"{period[0]:%Y%m%d}", f"{period[1]:%Y%m%d}"]
    else:
        numbers = re.findall(r"[0-9]+(?:-[0-9]+)*", filename.rpartition(".")[0])
    return "-".join([stem, scope, *numbers]) + "." + extension


def attachment(fallback: str, filename: str) -> str:
    """Content-Disposition naming the file for every client: an ASCII `filename` and
    RFC 6266's `filename*` for the Chinese one."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
