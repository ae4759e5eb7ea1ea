"""Where the warehouse lives and which secret keys person identifiers.

Resolution order follows interfaces.md: an explicit URL, else `XIESHANG_DB`, else an
embedded SQLite file in the user's data folder.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def data_dir() -> Path:
    """The user's data folder for xieshang (`XIESHANG_HOME` overrides it)."""
    root = os.environ.get("XIESHANG_HOME") or os.environ.get("XDG_DATA_HOME")
    base = Path(root) if root else Path.home() / ".local" / "share"
    path = base / "xieshang" if not os.environ.get("XIESHANG_HOME") else base
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'warehouse.sqlite'}"


def db_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("XIESHANG_DB") or default_db_url()


def secret_from_env() -> bytes | None:
    value = os.environ.get("XIESHANG_SECRET")
    return value.encode("utf-8") if value else None


def demo_secret() -> bytes:
    """The demo's own HMAC secret, made once and kept beside the demo warehouse."""
    path = data_dir() / "demo-secret"
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip().encode("utf-8")
