"""The audit row of a file a command wrote (`xieshang export`, `xieshang brief`): who ran
it (the operating system's user), the file, and what it holds."""

from __future__ import annotations

import contextlib
import getpass
from pathlib import Path

from sqlalchemy import Engine

from xieshang.access import audit


def os_user() -> str | None:
    try:
        return getpass.getuser()
    except OSError:  # no login name in a bare container
        return None


def record_export(engine: Engine, output: Path, **fields) -> None:
    """Record `output` as exported, with `fields` (scope, period_from, period_to, detail).
    Where the row cannot be written (a read-only database: a replica), the file is removed
    before the error goes on: no file is handed out that the audit log does not list."""
    try:
        audit.record(engine, "export", user=os_user(), file=output.name, **fields)
    except Exception:
        _remove_written(output)
        raise


def _remove_written(output: Path) -> None:
    """The regular file the bytes went to, through any link: never the link itself (it
    would leave the file), nor a device (--output /dev/null or /dev/stdout, which root
    would delete); a file that cannot be removed leaves the error that brought us here."""
    written = output.resolve()
    if written.is_file():
        with contextlib.suppress(OSError):
            written.unlink()
