"""One submission of files through the dashboard (interfaces.md "Submitting files through
the dashboard"): the function behind both the 数据报送 page and POST /api/submissions.

    made = submit(engine, [("会议台账.xlsx", data)], user, secret=secret)
    made.report     the load report (interfaces.md), untouched
    made.rejects    this run's rejected rows: the column as the file names it, how to fix
    made.earlier    the rows still rejected of the files sent again unchanged (not read
                    again: their rejects are those of their earlier reading)
    made.marked     per file with rejects, the marked-up workbook to fix and send again

    rejects_page(engine, user, run_id, "rejects", 1000, 1500)
                    rows 1000 to 1499 of a run's made.rejects (or "earlier") read again,
                    and how many there are: the 数据报送 page's pages of a long list

A submission is one ordinary load run (same contract, idempotency and report) recorded
with its user: the files are written into a fresh temporary folder — a staff user's under
their township's name (with its code when another township has the name too), so their
stored paths say whose they are and a resend of a file
supersedes its own earlier rejects, not another township's — loaded with the user's
township as its bound (rows outside it are rejected 超出本乡镇范围), and the folder is
deleted: the files hold names and ID numbers, and the server keeps no copy. Then the run's
rejected and held rows are read back from the warehouse, and the audit log records it.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from sqlalchemy import Engine, func, select

from xieshang import metrics
from xieshang.access import User, audit
from xieshang.access.scope import may_submit
from xieshang.contract import settings
from xieshang.contract.columns import header
from xieshang.contract.hints import fix_hint
from xieshang.contract.said import Said, said_by
from xieshang.etl.load import run_load
from xieshang.etl.read import stored_name
from xieshang.marked import marked_workbook
from xieshang.metrics import catalog, quality
from xieshang.warehouse import meta, schema
from xieshang.warehouse.codes import level_of
from xieshang.warehouse.roster import distinct_names

SECRET_KEY = "XIESHANG_SUBMISSION_SECRET"
"""Where an app keeps the HMAC secret submissions load with, when it is given one
(`find_secret`'s `config`)."""

NO_SECRET = Said(
    "服务器未设置 XIESHANG_SECRET，无法导入：请管理员设置后重启看板",
    "XIESHANG_SECRET is not set on the server: ask the administrator to set it and restart"
    " the dashboard",
)


class Refused(ValueError):
    """The submission is not loaded; the message, a Said, says why and what to do in one
    line: in both languages as the API's `error`, in its own on the page. `status` is the
    API's answer."""

    def __init__(self, message: Said, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Marked:
    """The marked-up rejects workbook of one submitted file."""

    source: str  # the file's name as sent
    filename: str  # the name it downloads under
    content: bytes


@dataclass(frozen=True)
class Submission:
    """What one submission gave: the load report (interfaces.md, untouched); `folder`,
    where the files sat in the run's inbox ("<township name>/" for staff, which the
    report's paths and a reject's `path` begin with); this run's rejected rows (file,
    path, sheet, row_number, kind, rule, column_name, header, value, reason_zh, reason_en,
    hint, hint_en); the rows this run left waiting, by kind and meeting (kind, area_code,
    area_name, meeting_id, rows); the marked-up workbooks; the rejects still current of the files
    found unchanged (the same fields: `file` the name sent now, `path` the one the rows
    were read under, which their marked-up workbook names)."""

    report: dict
    folder: str = ""
    rejects: list[dict] = field(default_factory=list)
    held: list[dict] = field(default_factory=list)
    marked: list[Marked] = field(default_factory=list)
    earlier: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        """The API's answer: the report plus "rejects" and "earlier_rejects", without the
        warehouse's address (a staff user has no business knowing where the database
        server is)."""
        report = {key: value for key, value in self.report.items() if key != "warehouse"}
        return {**report, "rejects": self.rejects, "earlier_rejects": self.earlier}


def find_secret(engine: Engine, config: Mapping | None = None) -> bytes:
    """The HMAC secret this deployment loads with, found as `xieshang load` finds it: the
    one an app was given (`config[SECRET_KEY]`), else XIESHANG_SECRET, else the demo's own
    for the demo warehouse. Refused (503) when there is none or it is too short to use."""
    given = (config or {}).get(SECRET_KEY)
    if given:
        return given
    try:
        secret = settings.secret_from_env()
    except settings.SecretTooShort as exc:
        raise Refused(said_by(exc), 503) from None
    if secret:
        return secret
    if meta.is_demo(engine):
        return settings.demo_secret()
    raise Refused(NO_SECRET, 503)


# --- names and folders ------------------------------------------------------------------------------


def base_name(name: str) -> str:
    """A file name as sent, without any folder a browser or script put before it."""
    return PurePosixPath(name.replace("\\", "/")).name.strip()


MAX_NAME_BYTES = 255  # a file system's limit on a name, which the files are written under
_UNSEEN = frozenset({"Cc", "Cf", "Zl", "Zp"})  # controls, format marks (U+202E), line breaks


def _unseen(name: str) -> bool:
    return any(unicodedata.category(ch) in _UNSEEN for ch in name)


def _checked_names(files: Sequence[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    if not files:
        raise Refused(
            Said(
                "没有收到文件：请选择一个或多个 xlsx/CSV 文件",
                "no files received: send one or more xlsx/CSV files in the form field `files`",
            )
        )
    out: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    for name, data in files:
        base = base_name(name)
        if not base or base.startswith("."):
            raise Refused(
                Said(
                    f"文件名“{base}”无效（为空或以“.”开头），请改名后重新报送",
                    f"the file name “{base}” is empty or hidden: rename the file and send it again",
                )
            )
        if len(base.encode()) > MAX_NAME_BYTES or _unseen(base):
            raise Refused(
                Said(
                    f"文件名“{base[:40]}…”过长或含控制字符，请改短后重新报送",
                    f"the file name “{base[:40]}…” is too long (at most {MAX_NAME_BYTES} bytes)"
                    " or holds a control character: shorten it and send it again",
                )
            )
        if base.casefold() in seen:
            raise Refused(
                Said(
                    f"本次报送中有两个文件都叫“{base}”，请改名后重新报送",
                    f"two files are named “{base}”: rename one and send them again",
                )
            )
        seen.add(base.casefold())
        out.append((base, data))
    return out


def _folder(names: Mapping[str, str], township: str | None) -> str:
    """The folder a staff user's files sit in: their township's name, with its code when
    another township of the roster has the name too (a city's two 城关镇: a file's path
    is what says it is the same file sent again), or the code alone when the name would
    not make a folder; none for admins."""
    if township is None:
        return ""
    name = names.get(township, "").replace("/", "_").replace("\\", "_").strip()
    if not name or name.startswith("."):
        return f"{township}/"
    namesakes = [
        code
        for code, other in names.items()
        if other.strip() == names[township].strip() and level_of(code) == "township"
    ]
    return f"{name}（{township}）/" if len(namesakes) > 1 else f"{name}/"


def _names(engine: Engine) -> dict[str, str]:
    return {row["area_code"]: row["area_name"] for row in catalog.area_directory(engine)}


def marked_name(scope_name: str, day: date, stem: str) -> str:
    """西城街道-拒收行-会议台账-2026-12-05.xlsx for the file 会议台账.xlsx: the stem always in
    it (two files sent apart on one day downloaded under one name, the browser saved the
    second as "…(1).xlsx"), cut short to keep the name one that may be sent back
    (`MAX_NAME_BYTES`); a marked-up workbook sent back still wrong gives the stem it
    answers, not a name grown by each return."""
    stem = _answered_stem(scope_name, stem)
    while True:
        name = f"{scope_name}-拒收行-{stem}-{day.isoformat()}.xlsx"
        if not stem or len(name.encode()) <= MAX_NAME_BYTES:
            return name
        stem = stem[:-1]


def _answered_stem(scope_name: str, stem: str) -> str:
    """会议台账 of 西城街道-拒收行-会议台账-2026-12-05 (a `marked_name` of the scope); any
    other stem as it is."""
    found = re.fullmatch(rf"{re.escape(scope_name)}-拒收行-(.+)-\d{{4}}-\d{{2}}-\d{{2}}", stem)
    return found.group(1) if found else stem


# --- what the run gave ------------------------------------------------------------------------------


def _run_held(engine: Engine, run_id: str) -> list[dict]:
    held = schema.held_rows
    query = (
        select(held.c.kind, held.c.area_code, held.c.meeting_id, func.count().label("rows"))
        .where(held.c.run_id == run_id)
        .group_by(held.c.kind, held.c.area_code, held.c.meeting_id)
        .order_by(held.c.kind, held.c.area_code, held.c.meeting_id)
    )
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def shown_path(path: str, folder: str) -> str:
    """A stored path as its sender named the file: without the township folder."""
    return path[len(folder) :] if folder and path.startswith(folder) else path


def _shown_reject(row: dict, folder: str, names: Mapping[str, str]) -> dict:
    path = row["path"]
    hints = {
        lang: fix_hint(
            row["rule"],
            row["column_name"],
            row["value"],
            area_code=row["area_code"],
            names=names,
            kind=row["kind"],
            lang=lang,
        )
        for lang in ("zh", "en")
    }
    return {
        "file": shown_path(path, folder),
        "path": path,
        "sheet": row["sheet"],
        "row_number": row["row_number"],
        "kind": row["kind"],
        "rule": row["rule"],
        "column_name": row["column_name"],
        "header": row["header"] or (row["column_name"] and header(row["kind"], row["column_name"])),
        "value": row["value"],
        "reason_zh": row["reason_zh"],
        "reason_en": row["reason_en"],
        "hint": hints["zh"],
        "hint_en": hints["en"],
        # a row of an earlier sending of the file's name (a held row released and rejected)
        "sent_before": False,
    }


def _told_apart(name: str, stems: Counter) -> str:
    """The stem of `name`, with its type when another file sent shares it (会议台账.csv and
    会议台账.xlsx: 会议台账_csv and 会议台账_xlsx, not one name for two workbooks)."""
    path = PurePosixPath(name)
    return f"{path.stem}_{path.suffix.lstrip('.')}" if stems[path.stem] > 1 else path.stem


def _marked(
    files: list[tuple[str, bytes]],
    rejects: list[tuple[dict, str]],
    run_id: str,
    scope_name: str,
    day: date,
) -> list[Marked]:
    """Per file sent with rejects of its bytes' reading (`rejects`: only such, each with
    that reading's run), its marked-up workbook, naming the path and the run of that
    reading (a file sent unchanged: its earlier reading's), made after `run_id`."""
    by_file: dict[str, list[dict]] = {}
    runs: dict[str, str] = {}
    for reject, reading in rejects:
        by_file.setdefault(reject["file"], []).append(reject)
        runs[reject["file"]] = reading
    # a reject names its file as stored (`stored_name`, an ID or mobile number masked); of
    # names stored alike the loader read the first by code point, and skipped the others
    read_as: dict[str, str] = {}
    for name in sorted(name for name, _ in files):
        read_as.setdefault(stored_name(name), name)
    sent = [(name, data, stored_name(name)) for name, data in files]
    sent = [(n, data, stored) for n, data, stored in sent if read_as.get(stored) == n]
    sent = [(name, data, stored) for name, data, stored in sent if stored in by_file]
    stems = Counter(PurePosixPath(name).stem for name, _, _ in sent)
    return [
        Marked(
            name,
            marked_name(scope_name, day, _told_apart(name, stems)),
            marked_workbook(
                by_file[stored][0]["path"], data, by_file[stored], runs[stored], run_id
            ),
        )
        for name, data, stored in sent
    ]


# --- the rejected rows, as the answer lists them -----------------------------------------------------


def _this_runs(
    engine: Engine,
    run_id: str,
    folder: str,
    names: Mapping[str, str],
    start: int = 0,
    stop: int | None = None,
) -> list[tuple[dict, str | None]]:
    """`run_id`'s rejected rows from `start` up to `stop` (None: the last) as the answer
    shows them, each with the run of the reading its marked-up workbook names (None: a
    held row of an earlier sending, marked on none)."""
    out = []
    for row in quality.run_rejects(engine, run_id, start, stop):
        reject = _shown_reject(row, folder, names)
        # a held row rejected now that its meeting came is a row of the file that held
        # it, whose name a file sent now may share: marked on none of them
        reject["sent_before"] = row["read_run_id"] != run_id
        out.append((reject, None if reject["sent_before"] else run_id))
    return out


def _earlier(
    engine: Engine,
    run_id: str,
    township: str | None,
    folder: str,
    names: Mapping[str, str],
    start: int = 0,
    stop: int | None = None,
) -> list[tuple[dict, str]]:
    """The rows still rejected of the files `run_id` found unchanged, from `start` up to
    `stop`, each under the name sent now, with the run of the reading that rejected it:
    its path that reading's, which the marked-up workbook names as the file it answers."""
    return [
        (
            {**_shown_reject(row, folder, names), "file": shown_path(row["sent_as"], folder)},
            row["reading"],
        )
        for row in quality.unchanged_files_rejects(engine, run_id, township, start, stop)
    ]


REJECT_PARTS = ("rejects", "earlier")
"""The two lists of a submission's rejected rows (`Submission.rejects`, `.earlier`)."""


def rejects_page(
    engine: Engine, user: User, run_id: str, part: str, start: int, stop: int
) -> tuple[list[dict], int]:
    """(the rows from `start` up to `stop` of a submission's `part` — "rejects": this
    run's, "earlier": those still rejected of the files it found unchanged — as `submit`
    listed them, how many there are), read again from the warehouse: the 数据报送 page
    turns the pages of a long list. ([], 0) for a run that is not the user's to read
    back: a staff user's own submissions for their township only, an admin's any
    committed run; none for other roles."""
    if part not in REJECT_PARTS or not 0 <= start <= stop:
        return [], 0
    folder = _submitted_folder(engine, user, run_id)
    if folder is None:
        return [], 0
    township = user.township if user.role == "staff" else None
    names = _names(engine)
    if part == "rejects":
        total = quality.run_rejects_count(engine, run_id)
        shown = _this_runs(engine, run_id, folder, names, start, stop)
    else:
        total = quality.unchanged_files_rejects_count(engine, run_id, township)
        shown = _earlier(engine, run_id, township, folder, names, start, stop)
    return [reject for reject, _ in shown], total


def _submitted_folder(engine: Engine, user: User, run_id: str) -> str | None:
    """The folder the files of committed run `run_id` sat in when `user` may read its
    rejects back (as `submit` made it: the stored paths begin with it), else None. A
    staff user's: a run they submitted (its operator) whose every file is of their
    township; the run id comes from the browser, which is trusted with nothing."""
    if not may_submit(user) or not isinstance(run_id, str):
        return None
    runs, files = schema.load_runs, schema.load_files
    with engine.connect() as conn:
        run = conn.execute(
            select(runs.c.operator).where(runs.c.run_id == run_id, runs.c.status == "committed")
        ).first()
        if run is None:
            return None
        if user.role != "staff":
            return ""
        sent = conn.execute(
            select(files.c.path, files.c.township_code).where(files.c.run_id == run_id)
        ).all()
    if run.operator != user.name or not sent:
        return None
    if any(code != user.township for _, code in sent):
        return None
    # a staff user's files sat in one folder, their township's (`_folder`), the first
    # part of each path: as it was named then, though the run may have renamed it since
    return sent[0].path.split("/", 1)[0] + "/"


# --- one submission ---------------------------------------------------------------------------------


def submit(
    engine: Engine,
    files: Sequence[tuple[str, bytes]],
    user: User,
    *,
    secret: bytes,
    today: date | None = None,
    address: str | None = None,
) -> Submission:
    """Load `files` ((name, bytes) as sent) as one run for `user` — staff: bounded by
    their township; admins: the whole roster — recorded in the audit log (from `address`).
    Refused for no files, a name that is empty or hidden, or two files of one name;
    PermissionError for a role that may not submit. A run that fails is returned too:
    its report says so, with its one-line error."""
    if not may_submit(user):
        raise PermissionError(f"{user.role} may not submit files")
    files = _checked_names(files)
    day = today or settings.today()
    names = _names(engine)
    township = user.township if user.role == "staff" else None
    folder = _folder(names, township)
    with tempfile.TemporaryDirectory(prefix="xieshang-submission-") as inbox:
        for name, data in files:
            target = Path(inbox) / folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        report = run_load(
            engine, Path(inbox), secret=secret, today=day, operator=user.name, township=township
        )
    # at once: a run that committed is in the log though reading its rows back fails
    _record(engine, user, address, files, report)
    rejects: list[dict] = []
    earlier: list[dict] = []
    held: list[dict] = []
    marks: list[tuple[dict, str]] = []  # the rejects to mark, with their reading's run
    if report["status"] == "committed":
        run_id = report["run_id"]
        names = _names(engine)  # the run may have brought the roster
        for reject, reading in _this_runs(engine, run_id, folder, names):
            if reading is not None:
                marks.append((reject, reading))
            rejects.append(reject)
        for reject, reading in _earlier(engine, run_id, township, folder, names):
            marks.append((reject, reading))
            earlier.append(reject)
        held = [
            {**row, "area_name": names.get(row["area_code"], row["area_code"])}
            for row in _run_held(engine, run_id)
        ]
    scope = township or metrics.root_area(engine)
    scope_name = distinct_names([scope], names)[scope] if scope in names else "全部"
    marked = _marked(files, marks, report["run_id"], scope_name, day)
    return Submission(report, folder, rejects, held, marked, earlier)


def _record(
    engine: Engine, user: User, address: str | None, files: list[tuple[str, bytes]], report: dict
) -> None:
    kinds = report["kinds"]
    totals = {
        outcome: sum(counts[outcome] for counts in kinds.values())
        for outcome in ("read", "inserted", "updated", "unchanged", "held", "rejected")
    }
    audit.record(
        engine,
        "submission",
        user=user.name,
        address=address,
        # the names as the warehouse stores them: an ID or mobile number in one masked
        file=", ".join(stored_name(name) for name, _ in files),
        scope=user.township if user.role == "staff" else None,
        detail={
            "run_id": report["run_id"],
            "status": report["status"],
            "files": [stored_name(name) for name, _ in files],
            **totals,
        },
    )
