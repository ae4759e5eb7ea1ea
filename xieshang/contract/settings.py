"""Where the warehouse lives and which secret keys person identifiers.

Resolution order follows interfaces.md: an explicit URL, else `XIESHANG_DB`, else an
embedded SQLite file in the user's data folder.

How much one submitted file may hold (`ReadLimits`) is set by `XIESHANG_MAX_…` variables.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def data_dir() -> Path:
    """The user's data folder for xieshang (`XIESHANG_HOME` overrides it)."""
    root = os.environ.get("XIESHANG_HOME") or os.environ.get("XDG_DATA_HOME")
    base = Path(root) if root else Path.home() / ".local" / "share"
    path = base / "xieshang" if not os.environ.get("XIESHANG_HOME") else base
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # its own text named neither the folder's role nor the fix
        raise DataFolderError(
            f"无法建立数据文件夹 cannot make the data folder {path} ({exc.strerror or exc}): "
            "set XIESHANG_HOME to a folder you may write to"
        ) from None
    return path


class DataFolderError(OSError):
    """The data folder (the embedded warehouse, the demo's inbox and secret) cannot be
    made; its text is the one line the command prints."""


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'warehouse.sqlite'}"


def db_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("XIESHANG_DB") or default_db_url()


MIN_SECRET_CHARS = 16  # shorter keys can be guessed, and the person hashes with them


class SecretTooShort(ValueError):
    pass


def secret_from_env() -> bytes | None:
    """XIESHANG_SECRET (None when unset); SecretTooShort under MIN_SECRET_CHARS."""
    value = os.environ.get("XIESHANG_SECRET")
    if not value:
        return None
    if len(value) < MIN_SECRET_CHARS:
        raise SecretTooShort(
            f"XIESHANG_SECRET 太短（{len(value)} 个字符，至少 {MIN_SECRET_CHARS} 个） "
            f"XIESHANG_SECRET is too short ({len(value)} characters, at least "
            f"{MIN_SECRET_CHARS}): set a long random one, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`, and keep it"
        )
    return value.encode("utf-8")


def demo_secret() -> bytes:
    """The demo's own HMAC secret, made once and kept beside the demo warehouse. The file
    is readable by its owner alone from its first byte, and appears whole or not at all
    (two demos starting at once agree on one secret)."""
    path = data_dir() / "demo-secret"
    if not path.exists():
        draft = path.with_name(f".demo-secret-{secrets.token_hex(8)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(secrets.token_hex(32))
            os.link(draft, path)
        except FileExistsError:
            pass  # another demo made it first: use that one
        finally:
            draft.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


@dataclass(frozen=True)
class ReadLimits:
    """The most one submitted file may hold; a file over any limit is reported unreadable.

    Each field is set by the environment variable `XIESHANG_MAX_<FIELD>` (a whole number
    ≥ 1). The defaults are far above anything a county sends, and keep the memory one
    hostile file can take to a few hundred MB:

    - file_mb (50): a file's size on disk;
    - unpacked_mb (200): an xlsx's parts, decompressed (a zip bomb stops here);
    - rows (200,000): the last row of a sheet that holds a value; a CSV's records;
    - columns (200): the last column of a sheet that holds a value (so the width of every
      row, the header's included); a CSV record's cells;
    - cells (5,000,000): rows × columns of a sheet from A1 to its last row and column (the
      grid a spreadsheet reader builds); a CSV's cells;
    - cell_chars (32,767, Excel's own limit): the characters of one cell;
    - cell_lines (100): the lines one quoted CSV cell may span (a quote left open swallows
      the lines after it);
    - report_kb (256): the run report as stored in load_runs (its lists are shortened,
      with a count of what was left out, beyond that).
    """

    file_mb: int = 50
    unpacked_mb: int = 200
    rows: int = 200_000
    columns: int = 200
    cells: int = 5_000_000
    cell_chars: int = 32_767
    cell_lines: int = 100
    report_kb: int = 256


def limit_variable(name: str) -> str:
    """The environment variable that sets the ReadLimits field `name`."""
    return f"XIESHANG_MAX_{name.upper()}"


def read_limits() -> ReadLimits:
    """The reading limits, each from its environment variable or its default."""
    values: dict[str, int] = {}
    for field in fields(ReadLimits):
        variable = limit_variable(field.name)
        text = os.environ.get(variable, "").strip()
        if not text:
            continue
        if not (text.isascii() and text.isdigit() and int(text) >= 1):
            raise ValueError(f"{variable} must be a whole number ≥ 1, not {text!r}")
        values[field.name] = int(text)
    return ReadLimits(**values)


MAX_UPLOAD_ENV = "XIESHANG_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 50


def max_upload_mb() -> int:
    """The most one submission through the dashboard may carry, all its files together, in
    MB: XIESHANG_MAX_UPLOAD_MB (a whole number ≥ 1), default 50 — as one file may hold
    (ReadLimits.file_mb), so a month's ledger always fits."""
    text = os.environ.get(MAX_UPLOAD_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_UPLOAD_MB
    if not (text.isascii() and text.isdigit() and int(text) >= 1):
        raise ValueError(f"{MAX_UPLOAD_ENV} must be a whole number ≥ 1, not {text!r}")
    return int(text)


READ_WORKERS_ENV = "XIESHANG_READ_WORKERS"


def read_workers() -> int:
    """How many worker processes read and judge a large inbox's files
    (`XIESHANG_READ_WORKERS`, a whole number ≥ 0; 0: the load's own process does). By
    default the machine's cores, at most 4."""
    text = os.environ.get(READ_WORKERS_ENV, "").strip()
    if not text:
        return min(4, os.cpu_count() or 1)
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"{READ_WORKERS_ENV} must be a whole number ≥ 0, not {text!r}")
    return int(text)


STAKEHOLDER_THRESHOLD_ENV = "XIESHANG_STAKEHOLDER_THRESHOLD"
DEFAULT_STAKEHOLDER_THRESHOLD = 3


def stakeholder_threshold() -> int:
    """The stakeholder categories a meeting needs to count as covered (多元主体覆盖率):
    XIESHANG_STAKEHOLDER_THRESHOLD, a whole number ≥ 0, by default 3."""
    text = os.environ.get(STAKEHOLDER_THRESHOLD_ENV, "").strip()
    if not text:
        return DEFAULT_STAKEHOLDER_THRESHOLD
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"{STAKEHOLDER_THRESHOLD_ENV} must be a whole number ≥ 0, not {text!r}")
    return int(text)


TIMEZONE_ENV = "XIESHANG_TIMEZONE"
DEFAULT_ZONE = "Asia/Shanghai"
SHANGHAI = timezone(timedelta(hours=8), "CST")  # if the system has no zone database


def time_zone() -> tzinfo:
    """The zone times in exports are given in: XIESHANG_TIMEZONE, by default Asia/Shanghai
    (UTC+8 all year, also where the system lacks the zone database). ValueError for a
    name that is no zone: a typo would otherwise give Beijing time without a word."""
    name = os.environ.get(TIMEZONE_ENV, "").strip() or DEFAULT_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name == DEFAULT_ZONE:
            return SHANGHAI
        raise ValueError(
            f"{TIMEZONE_ENV}={name!r} is not a time zone; use a name such as Asia/Shanghai"
        ) from None


def today() -> date:
    """Today in the deployment's zone (`time_zone`), whatever the machine's clock is set to:
    on a server kept on UTC, Beijing's morning until 08:00 is still yesterday there, and a
    meeting held that morning would be refused as in the future."""
    return datetime.now(UTC).astimezone(time_zone()).date()


def zone_time(wall_clock: datetime | None) -> datetime | None:
    """A load run's time, stored as the loading machine's wall clock (no zone), in the
    deployment's zone, with its offset."""
    return None if wall_clock is None else wall_clock.astimezone(time_zone())


def check_environment() -> None:
    """ValueError, naming the variable and what it takes, when the environment sets a
    limit, the time zone or the stakeholder threshold wrongly: a server checks as it
    starts, a load before it reads, not at a user's first submission."""
    time_zone()
    read_limits()
    max_upload_mb()
    read_workers()
    stakeholder_threshold()
