"""A PostgreSQL primary and its streaming replica, of the test's own: a fresh cluster
(initdb) on a free port, `pg_basebackup -R` of it started as a hot standby on another.
The machine's own server cannot be used: its pg_hba.conf admits no replication
connections, and a test must not change it.

    primary_url, replica_url = pg_pair      # postgresql+psycopg://postgres@127.0.0.1:P/postgres

PostgreSQL refuses to run as root, so the servers run as the `postgres` user (runuser
when the tests run as root)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers.redis_server import free_port


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str]) -> None:
    subprocess.run(_as_postgres(argv), check=True, capture_output=True, timeout=120)


def available() -> tuple[bool, str]:
    if _bin("initdb") is None or _bin("pg_ctl") is None:
        return False, "PostgreSQL's server binaries (initdb, pg_ctl) are not installed"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return False, "running as root without runuser"
    return True, ""


def _wait(url: str, replica: bool) -> None:
    engine = sa.create_engine(url)
    deadline = time.time() + 60
    try:
        while True:
            try:
                with engine.connect() as conn:
                    standby = conn.execute(sa.text("select pg_is_in_recovery()")).scalar()
                    assert standby == replica
                    return
            except sa.exc.OperationalError:
                assert time.time() < deadline, f"{url} did not start"
                time.sleep(0.2)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_pair() -> Iterator[tuple[str, str]]:
    ok, why = available()
    if not ok:
        pytest.skip(why)
    root = Path(tempfile.mkdtemp(prefix="xieshang-pg-pair-"))
    os.chmod(root, 0o755)
    primary, replica = root / "primary", root / "replica"
    shutil.chown(root, "postgres") if os.geteuid() == 0 else None
    ports = free_port(), free_port()
    pg_ctl = _bin("pg_ctl")
    _run([_bin("initdb"), "-D", str(primary), "-U", "postgres", "-A", "trust", "-E", "UTF8"])
    with (primary / "pg_hba.conf").open("a") as hba:
        hba.write("host replication postgres 127.0.0.1/32 trust\n")
    options = "-c listen_addresses=127.0.0.1 -c unix_socket_directories={root} -p {port}"
    started = []
    try:
        _run([pg_ctl, "-D", str(primary), "-w", "-l", str(root / "primary.log"), "-o",
              options.format(root=root, port=ports[0]), "start"])  # fmt: skip
        started.append(primary)
        _run([_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(ports[0]), "-U", "postgres",
              "-D", str(replica), "-R", "-X", "stream"])  # fmt: skip
        _run([pg_ctl, "-D", str(replica), "-w", "-l", str(root / "replica.log"), "-o",
              options.format(root=root, port=ports[1]), "start"])  # fmt: skip
        started.append(replica)
        urls = tuple(f"postgresql+psycopg://postgres@127.0.0.1:{p}/postgres" for p in ports)
        _wait(urls[0], replica=False)
        _wait(urls[1], replica=True)
        yield urls
    finally:
        for data in reversed(started):
            _run([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(root, ignore_errors=True)


def wait_for_replay(primary_url: str, replica_url: str, timeout: float = 30) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    with sa.create_engine(primary_url).connect() as conn:
        target = conn.execute(sa.text("select pg_current_wal_lsn()")).scalar()
    engine = sa.create_engine(replica_url)
    deadline = time.time() + timeout
    try:
        while True:
            with engine.connect() as conn:
                lag = conn.execute(
                    sa.text("select pg_wal_lsn_diff(:t, pg_last_wal_replay_lsn())"), {"t": target}
                ).scalar()
            if lag is not None and lag <= 0:
                return
            assert time.time() < deadline, "the replica did not catch up"
            time.sleep(0.05)
    finally:
        engine.dispose()
