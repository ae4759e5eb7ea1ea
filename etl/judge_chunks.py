"""Reading and judging a large inbox's files in worker processes, a run of consecutive
files each.

Reading and judging every row is a first load's largest step, and one file's rows are
judged alone (`xieshang.etl.judge`), so the files can be shared out: each worker hashes,
reads and judges its run of files as the load's own process would, numbering their rows
from 0; the load takes the runs back in order, each row's run order moved on by the rows
of the runs before it, and keeps the books file by file as it always does — its rows,
rejects and report are those of reading the files one after another
(tests/test_judge_chunks.py). Each file's bytes are read once, by its worker, which
hashes them and skips a file the warehouse holds.

Only when it pays: `read_workers()` at least 1 and the files to read at least
`MIN_BYTES` (a township's submission is read in the load's own process, without starting
any). Whatever goes wrong in a worker — an error, its process gone — gives None, and the load
reads the files itself, so that an error is raised there, naming its file.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from xieshang.contract.columns import KINDS
from xieshang.contract.settings import read_workers
from xieshang.etl.judge import SheetJudge
from xieshang.etl.limits import MB
from xieshang.etl.read import (
    FileKey,
    FileResult,
    SheetRows,
    file_key,
    read_file,
    refusal,
    stored_name,
)

MIN_BYTES = 32 * MB  # fewer are read and judged sooner than worker processes start
RUNS_PER_WORKER = 4  # runs of files a worker: the last to finish waits for less
_PR_SET_PDEATHSIG = 1  # Linux's prctl option: the signal a process gets when its parent ends


@dataclass
class JudgedRun:
    """One worker's run of files, hashed, read and judged."""

    digests: dict[str, str]  # path -> SHA-256 of its bytes, every file of the run
    sizes: dict[str, int]  # path -> how many bytes it read, every file of the run
    files: dict[str, FileResult]  # those read (not held): their sheets without their rows
    accepted: dict[str, list[pd.DataFrame]]
    rejects: list[pd.DataFrame]
    counts: dict[str, dict[str, int]]  # kind -> rows "read" and "rejected"
    rows: int  # rows read: the run order the next run's first row takes


@dataclass
class Judged:
    """The runs in order, and by path what the load takes from them for each file."""

    runs: list[JudgedRun]
    digests: dict[str, str]
    files: dict[str, FileResult]
    # every file's size as the workers found it: the bytes read, or a refused file's
    sizes: dict[str, int]


def _nowhere(path: str, sheet: str | None) -> None:
    pass  # a worker's error is raised again by the load's own process, which says where


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off, then as it was.

    Reading and judging a run makes no reference cycles (a county's files judged in one
    process: none to collect afterwards, its peak memory the same), but the collector's
    passes over the objects a run holds cost a tenth of judging it and half of pickling
    and unpickling its rows (a county: 5.5-5.8 → 5.2 s, 0.8 → 0.5 s, 0.8 → 0.4 s); a
    3-county first load read and judged in 11.8-12.9 s against 12.7-13.5 s, the load's
    own CPU meanwhile 2.2 against 2.9-3.1 s. Paused for every thread of the load's
    process while its workers run (in a web server's, for a submission of 32 MB or more,
    a few seconds): no collection is lost, only put off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _judge_run(
    inbox: str, paths: list[str], today: date, township: str | None, known: set[FileKey]
) -> JudgedRun:
    # a worker of the load's alone: its collector stays off, for the pickling of its
    # result after this returns, and its next run
    gc.disable()
    counts = {"kinds": {kind: {"read": 0, "rejected": 0} for kind in KINDS}}
    judge = SheetJudge(today, counts, _nowhere, township)
    digests: dict[str, str] = {}
    sizes: dict[str, int] = {}
    results: dict[str, FileResult] = {}
    for rel in paths:
        data = (Path(inbox) / rel).read_bytes()
        digests[rel] = hashlib.sha256(data).hexdigest()
        sizes[rel] = len(data)
        if file_key(stored_name(rel), digests[rel]) in known:  # as the run compares it
            continue
        result = read_file(Path(inbox), rel, data)
        if not (result.skipped or result.unreadable):
            for sheet in result.sheets:
                judge.add(sheet)
        result.sheets = [
            SheetRows(s.path, s.sheet, s.kind, s.frame.iloc[:0], s.headers) for s in result.sheets
        ]
        results[rel] = result
    accepted, rejects = judge.results()
    return JudgedRun(digests, sizes, results, accepted, rejects, counts["kinds"], judge.seq)


def _end_with(load: int) -> None:
    """Make a worker end when the load's process does, and only then: killed (by hand, or
    a server's timeout), nobody takes a worker's results, and the worker would wait for
    ever to hand them over, holding its memory."""
    # Ctrl-C reaches the whole process group: the load's process answers it in one line
    # and ends the workers; each would print a traceback of its own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != load:  # it ended before the line above
        os._exit(1)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored while a worker is spawned: a spawned process keeps an ignored signal
    ignored from its first instruction, where Ctrl-C in its start-up, before its
    initializer, printed a traceback. Only around each worker's start (`_QuietProcess`),
    which returns once the worker runs: around the submitting of the runs, which lasts
    as long as the workers take to start on a busy machine, a Ctrl-C meanwhile was lost
    and the load went on to commit. Only the main thread may set a handler; a load in a
    server's thread has no terminal to press Ctrl-C in."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _QuietProcess(multiprocessing.context.SpawnProcess):
    """A spawned worker that ignores SIGINT from its first instruction (`_sigint_ignored`)."""

    def start(self) -> None:
        with _sigint_ignored():
            super().start()


class _QuietSpawn(multiprocessing.context.SpawnContext):
    Process = _QuietProcess


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes for reading, which end with the load's process."""
    # spawned, not forked: a load may run inside a threaded server
    return ProcessPoolExecutor(
        workers, mp_context=_QuietSpawn(), initializer=_end_with, initargs=(os.getpid(),)
    )


def _stop(pool: ProcessPoolExecutor) -> None:
    """The runs not begun cancelled and the workers ended at once: on Ctrl-C (which the
    workers ignore) the pool's own end waited for every run handed out, the whole inbox
    read and judged, before the load said it was interrupted."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.kill()


def _runs(paths: list[str], sizes: dict[str, int], n: int) -> list[list[str]]:
    """`paths` cut into at most n runs of consecutive files of about equal bytes."""
    share = sum(sizes[rel] for rel in paths) / n
    runs: list[list[str]] = [[]]
    held = 0
    for rel in paths:
        if held >= share * len(runs) and len(runs) < n:
            runs.append([])
        runs[-1].append(rel)
        held += sizes[rel]
    return [run for run in runs if run]


def judged_in_runs(
    inbox: Path,
    paths: list[str],
    known: set[FileKey],
    today: date,
    township: str | None,
    progress: Callable[[int], None],
) -> Judged | None:
    """The inbox's files (but those refused by their size) hashed, and those not `known`
    read and judged, by worker processes in runs (`progress` told how many files are
    done as each run comes back); None when that does not pay or cannot be done (the
    load then reads them itself)."""
    workers = read_workers()
    if workers < 1:
        return None
    try:
        sizes = {rel: (inbox / rel).stat().st_size for rel in paths}
    except OSError:  # the load reads the files itself, and says which it could not
        return None
    files = [rel for rel in paths if not refusal(sizes[rel], rel)]
    if sum(sizes[rel] for rel in files) < MIN_BYTES:
        return None
    runs = _runs(files, sizes, workers * RUNS_PER_WORKER)
    try:
        with _collector_paused(), worker_pool(workers) as pool:
            # each worker starts with SIGINT ignored (_QuietProcess): see _end_with
            futures = [
                pool.submit(_judge_run, str(inbox), run, today, township, known) for run in runs
            ]
            done = []
            try:
                for future in futures:
                    done.append(future.result())
                    progress(sum(len(run.digests) for run in done))
            except Exception:
                pool.shutdown(cancel_futures=True)  # the runs not begun: not worth waiting for
                raise
            except BaseException:
                _stop(pool)  # Ctrl-C: neither are those begun
                raise
    except Exception:  # noqa: BLE001 — the load reads the files itself and says why
        return None
    return Judged(
        done,
        {rel: digest for run in done for rel, digest in run.digests.items()},
        {rel: result for run in done for rel, result in run.files.items()},
        {**sizes, **{rel: size for run in done for rel, size in run.sizes.items()}},
    )
