"""One load run: read the inbox, apply the contract, write the warehouse in one transaction.

Files are read and their rows judged on their own first (outside the transaction);
then, inside one transaction, the roster, meetings, attendance and resolution reports
are merged in that order, held rows are released or kept, and the run is recorded.
Any error rolls the whole run back.

A run may be a township's submission (`township`): then only rows of that township and
its villages are accepted, and every file and reject of the run is the township's.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, select, update

from xieshang import marts
from xieshang.contract import settings
from xieshang.contract.columns import LOAD_ORDER
from xieshang.contract.said import Said, reason_fields
from xieshang.contract.settings import read_limits
from xieshang.etl import validate
from xieshang.etl.failure import Position, describe_failure, one_line
from xieshang.etl.judge import SheetJudge
from xieshang.etl.judge_chunks import JudgedRun, judged_in_runs
from xieshang.etl.merge import Headers, Run
from xieshang.etl.origin import file_townships, namesake_paths
from xieshang.etl.pii import check_secret
from xieshang.etl.read import (
    FileKey,
    cannot_read,
    discover,
    file_key,
    read_file,
    refusal,
    stored_name,
)
from xieshang.etl.report import empty_report, failed_report, stored_json
from xieshang.warehouse import schema
from xieshang.warehouse.codes import level_of, normalize_code, parent_of
from xieshang.warehouse.engine import begin_write, ensure_schema
from xieshang.warehouse.roster import roster_tops

Progress = Callable[[str, int, int], None]
READ_ATTEMPTS = 3
"""How many times a run reads its inbox when loads that committed meanwhile keep loading
its files first (`_overtaken`); the last reading is merged whatever happened."""
NAMED_PATHS = 3  # a warning about many files names the first few
INTERRUPTED = "已中断 interrupted (Ctrl-C or SIGTERM)"  # a run's error when it was stopped


def _silent(_stage: str, _done: int, _total: int) -> None:
    pass


def _concat(frames: list[pd.DataFrame], kind: str) -> pd.DataFrame:
    if frames:
        return pd.concat(frames, ignore_index=True)
    columns = [c.name for c in validate.COLUMNS[kind]] + validate.META
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _loaded_hashes(conn: Connection, township: str | None) -> set[FileKey]:
    """The files loaded before, by their bytes and the kind their name names (`file_key`):
    all of them, or for a township's submission those that came from that township —
    another township's file sent again is read (its rows outside the township rejected),
    not reported unchanged, which would tell its sender that someone else had sent it."""
    t = schema.load_files
    loaded = select(t.c.sha256, t.c.path).where(t.c.status == "loaded")
    if township is not None:
        loaded = loaded.where(t.c.township_code == township)
    return {file_key(path, digest) for digest, path in conn.execute(loaded)}


def _overtaken(
    conn: Connection, records: list[dict], known: set[FileKey], township: str | None
) -> bool:
    """Whether a load that committed while this one read its files (before it held the
    write lock) loaded one of the files this one read as new: read again, this run lists
    it unchanged, as it would had it started a moment later."""
    read = {file_key(r["path"], r["sha256"]) for r in records if r["status"] == "loaded"}
    return bool(read & (_loaded_hashes(conn, township) - known))


def _own_replaces(conn: Connection, records: list[dict], township: str | None) -> list[dict]:
    """`records` with the file a marked-up workbook names as the one it answers kept
    (its rejects then superseded) only when it is the submitting township's own: another
    township's workbook, forwarded and sent, is read as any file is and supersedes
    nothing of theirs. A load of the whole inbox keeps every one."""
    named = {r["replaces"] for r in records if r.get("replaces")}
    if township is None or not named:
        return records
    t = schema.load_files
    own = set(
        conn.execute(
            select(t.c.path).where(t.c.path.in_(sorted(named)), t.c.township_code == township)
        ).scalars()
    )
    return [
        r
        if r.get("replaces") in own
        else {**r, "replaces": None, "replaces_run": None, "replaces_as_of": None}
        for r in records
    ]


def _with_months(run: Run, records: list[dict]) -> list[dict]:
    """`records` with the months of the rows of each file read (`Run.months_read`)."""
    months = run.months_read([r["path"] for r in records if r["status"] == "loaded"])
    return [{**r, "months": months.get(r["path"])} for r in records]


def _roster_warnings(conn: Connection) -> list[dict]:
    """The report's warnings about the roster as this run leaves it: several areas with
    nothing above them (the counties of a city whose own row was never sent — data-contract
    lets a county's city be absent), of which the dashboard, the exports and the briefs
    show the first alone."""
    tops = roster_tops(conn)
    if len(tops) < 2:
        return []
    t = schema.areas
    names = dict(
        conn.execute(select(t.c.area_code, t.c.area_name).where(t.c.area_code.in_(tops))).all()
    )
    listed = "、".join(f"{names[c]}（{c}）" for c in tops)
    parents = {parent_of(c) for c in tops}
    above = parents.pop() if len(parents) == 1 and None not in parents else None
    if above is not None:
        fix_zh = f"若它们同属一个市，请在区划名册中加入该市一行（区划代码 {above}）后重新载入"
        fix_en = f"if they are one city's, add that city's row (code {above}) to the roster and load again"
    else:
        fix_zh = "请在区划名册中加入它们共同的上级，或把它们分别载入各自的仓库"
        fix_en = (
            "add the area above them all to the roster, or load each into a warehouse of its own"
        )
    warning = Said(
        f"区划名册有 {len(tops)} 个没有上级的单位：{listed}；看板、导出和简报只显示"
        f"{names[tops[0]]}及其下级。{fix_zh}",
        f"the roster has {len(tops)} areas with nothing above them ({', '.join(tops)}): the "
        f"dashboard, the exports and the briefs show {tops[0]} and the areas below it alone; "
        f"{fix_en}",
    )
    return [reason_fields(warning)]


def _names_at(conn: Connection, level: str) -> dict[str, str]:
    """The roster's areas of `level`, code -> name."""
    t = schema.areas
    return dict(conn.execute(select(t.c.area_code, t.c.area_name).where(t.c.level == level)).all())


def _namesake_warnings(paths: list[str], townships: dict[str, str], counties: dict) -> list[dict]:
    """The report's warning about files whose path names a township that shares its name
    with another of the roster, and no county that tells them apart."""
    found = namesake_paths(paths, townships, counties)
    if not found:
        return []
    shown = "、".join(list(found)[:NAMED_PATHS]) + (" …" if len(found) > NAMED_PATHS else "")
    name = townships[next(iter(found.values()))[0]]
    warning = Said(
        f"{len(found)} 个文件的路径中的乡镇名（如“{name}”）有多个同名乡镇，文件夹里也没有县名：{shown}。"
        "它们的拒收行不归属任何乡镇，一个乡镇在同一路径重新报送还会取代另一个的拒收行；"
        f"请放入“县名/…/{name}/”或“{name}（12位区划代码）/”文件夹",
        f"{len(found)} files' paths name a township whose name others of the roster share "
        f"(such as {name}), and no county: {shown}. Their rejects belong to no township, and "
        "one township's file sent again under the path would supersede the other's rejects; "
        f"put them in a folder county/…/{name}/ or {name}（12-digit code）/",
    )
    return [reason_fields(warning)]


def _read_inbox(
    inbox: Path,
    known: set[FileKey],
    today: date,
    report: dict,
    progress: Progress,
    position: Position,
    township: str | None,
) -> tuple[dict[str, list[pd.DataFrame]], list[pd.DataFrame], list[dict], Headers]:
    """Read every new file and judge its rows alone: (accepted by kind, rejects, file
    records, the header each sheet gives each column)."""
    paths, skipped = discover(inbox)
    files = report["files"]
    files["skipped"].extend(skipped)
    records = [{"path": s["path"], "status": "skipped", "reason": s["reason"]} for s in skipped]
    headers: Headers = {}
    judge = SheetJudge(
        today, report, lambda path, sheet: position.at("read", path, sheet), township
    )
    position.at("read")
    judged = judged_in_runs(
        inbox, paths, known, today, township, lambda n: progress("read", n, len(paths))
    )
    for done, rel in enumerate(paths):
        if judged is None:
            progress("read", done, len(paths))
        # `rel` opens the file; the run records, compares and reports its stored_name
        shown = stored_name(rel)
        position.at("read", shown)
        try:
            # the workers' look at the inbox stands for the run: a file emptied, removed or
            # filled since is what they read, or found refused
            size = (inbox / rel).stat().st_size if judged is None else judged.sizes[rel]
            refused = refusal(size, rel)
            data = (inbox / rel).read_bytes() if judged is None and not refused else b""
        except OSError as exc:  # one file the system will not give: reported, the run goes on
            files["unreadable"].append({"path": shown, **reason_fields(cannot_read(exc))})
            records.append({"path": shown, "status": "unreadable", "reason": str(cannot_read(exc))})
            continue
        if refused:  # empty or too large: neither read nor hashed (every empty file is alike)
            files["unreadable"].append({"path": shown, **reason_fields(refused)})
            records.append(
                {"path": shown, "size": size, "status": "unreadable", "reason": str(refused)}
            )
            continue
        digest = hashlib.sha256(data).hexdigest() if judged is None else judged.digests[rel]
        record = {"path": shown, "sha256": digest, "size": size}
        # only what an earlier run loaded: a copy within this run is read again, since a
        # file between the two may have changed its rows, and the later row wins
        if file_key(shown, digest) in known:
            files["unchanged"].append(shown)
            records.append({**record, "status": "unchanged"})
            continue
        result = read_file(inbox, rel, data) if judged is None else judged.files[rel]
        if result.skipped:
            files["skipped"].append({"path": shown, **reason_fields(result.skipped)})
            records.append({**record, "status": "skipped", "reason": str(result.skipped)})
            continue
        if result.unreadable:
            files["unreadable"].append({"path": shown, **reason_fields(result.unreadable)})
            records.append({**record, "status": "unreadable", "reason": str(result.unreadable)})
            continue
        files["loaded"].append(shown)
        records.append(
            {
                **record,
                "status": "loaded",
                "replaces": result.replaces,
                "replaces_run": result.replaces_run if result.replaces else None,
                "replaces_as_of": result.replaces_as_of if result.replaces else None,
            }
        )
        report["sheets_skipped"].extend(result.sheets_skipped)
        # a header cell is the office's own text: shown as a reject's value is (a resident
        # ID or mobile number in "填表人 …" redacted, the length bounded)
        report["unknown_columns"].extend(
            {**u, "columns": [validate.shown_value("", c) for c in u["columns"]]}
            for u in result.unknown_columns
        )
        for sheet in result.sheets:
            position.at("read", shown, sheet.sheet)
            headers[(shown, sheet.sheet)] = sheet.headers
            if judged is None:
                judge.add(sheet)
    accepted, rejects = judge.results() if judged is None else _merged(judged.runs, report)
    progress("read", len(paths), len(paths))
    files["skipped"].sort(key=lambda f: f["path"])
    return accepted, rejects, records, headers


def _merged(runs: list[JudgedRun], report: dict) -> tuple[dict[str, list[pd.DataFrame]], list]:
    """The accepted rows by kind and the rejects of runs judged by workers, as one judge
    reading them one after another gives them: each run's rows in their run order moved
    on by the rows read before it; the runs' counts added to the report."""
    accepted: dict[str, list[pd.DataFrame]] = {kind: [] for kind in report["kinds"]}
    rejects: list[pd.DataFrame] = []
    before = 0
    for run in runs:
        for kind, frames in run.accepted.items():
            for frame in frames:
                if len(frame):
                    accepted[kind].append(frame.assign(_seq=frame["_seq"] + before))
        rejects.extend(run.rejects)
        for kind, counts in run.counts.items():
            for outcome, n in counts.items():
                report["kinds"][kind][outcome] += n
        before += run.rows
    return accepted, rejects


def _township_code(township: str | None) -> str | None:
    """The submitting township's 12-digit code; ValueError when it is no township's."""
    if township is None:
        return None
    code = normalize_code(township)
    if level_of(code) != "township":
        raise ValueError(f"{township} 不是乡镇代码 is not a township code")
    return code


def run_load(
    engine: Engine,
    inbox: Path,
    *,
    secret: bytes,
    today: date | None = None,
    operator: str | None = None,
    progress: Progress | None = None,
    township: str | None = None,
) -> dict:
    """Load an inbox; returns the run report: status "committed", or "failed" with a
    one-line "error" when the run rolled back. A failed run leaves the warehouse as it was
    but for its load_runs row, written after the rollback. Once a run has committed, the
    marts are vacuumed (`xieshang.marts.visibility`).

    `township`: the code of the township whose staff submit the inbox; rows of areas
    outside it are rejected ("outside_township"). Raises ValueError for a code that is
    no township's."""
    township = _township_code(township)
    clock = time.perf_counter()
    progress = progress or _silent
    today = today or settings.today()
    started = datetime.now()
    run_id = uuid.uuid4().hex
    report = empty_report(run_id, engine.url.render_as_string(hide_password=True))
    position = Position()
    try:
        ensure_schema(engine)
        for attempt in range(1, READ_ATTEMPTS + 1):
            with engine.connect() as conn:
                known = _loaded_hashes(conn, township)
            accepted, rejects, file_records, headers = _read_inbox(
                inbox, known, today, report, progress, position, township
            )
            position.at("lock")
            # the write lock from the first statement: a concurrent load waits for this one
            with begin_write(engine) as conn:
                if attempt < READ_ATTEMPTS and _overtaken(conn, file_records, known, township):
                    report = empty_report(run_id, report["warehouse"])
                    continue  # the lock let go, nothing written: read the inbox again
                position.at("secret")
                check_secret(conn, secret)
                run = Run(conn, run_id, secret, report, headers)
                run.rejects.extend(r for r in rejects if not r.empty)
                steps = len(LOAD_ORDER) + 2
                progress("merge", 0, steps)
                areas = _concat(accepted["areas"], "areas")
                position.merging("areas", areas)
                roster = run.load_areas(areas)
                progress("merge", 1, steps)
                meetings = _concat(accepted["meetings"], "meetings")
                position.merging("meetings", meetings)
                run.load_meetings(meetings, roster)
                progress("merge", 2, steps)
                for step, kind in enumerate(("attendance", "resolutions"), start=3):
                    rows = _concat(accepted[kind], kind)
                    position.merging(kind, rows)
                    run.load_dependent(kind, rows, roster)
                    progress("merge", step, steps)
                run.write_held()  # every kind judged: a held row's file's month is known
                report["status"] = "committed"
                report["seconds"] = round(time.perf_counter() - clock, 3)
                position.at("record")
                marts_were_fresh = marts.is_fresh(conn)
                names = _names_at(conn, "township")  # the roster's, this run's rows merged
                counties = _names_at(conn, "county")
                paths = [r["path"] for r in file_records]
                if township is None:  # a township's staff neither send the roster nor see it
                    loaded = [r["path"] for r in file_records if r["status"] == "loaded"]
                    report["warnings"] = _roster_warnings(conn) + _namesake_warnings(
                        loaded, names, counties
                    )
                origins = file_townships(paths, names, township, counties)
                file_records = _own_replaces(conn, file_records, township)
                file_records = _with_months(run, file_records)
                _record_run(conn, run, inbox, operator, started, today, file_records, origins)
                run.write_rejects(origins, set(names))
                progress("merge", steps - 1, steps)
                position.at("marts")
                # after the run row: the marts record the load they reflect
                if marts_were_fresh:
                    marts.update(conn, run.changes)
                else:
                    marts.refresh(conn)
                _finished(conn, run_id)
                progress("merge", steps, steps)
            break
    except Exception as exc:  # noqa: BLE001 — the run failed as a whole; the report says why
        report = failed_report(report, describe_failure(exc, position))
        report["seconds"] = round(time.perf_counter() - clock, 3)
        _record_failure(engine, report, inbox, operator, started, today)
        return report
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (the CLI): rolled back, listed, re-raised
        report = failed_report(report, f"{INTERRUPTED} ({position.describe()})")
        report["seconds"] = round(time.perf_counter() - clock, 3)
        _record_failure(engine, report, inbox, operator, started, today)
        raise
    # the run has committed: its report stands, and so does its exit code, when Ctrl-C or
    # SIGTERM stops the vacuum, housekeeping that autovacuum does in its own time
    with contextlib.suppress(KeyboardInterrupt):
        marts.vacuum(engine)
    # the whole run, the marts' refresh and vacuum too: the seconds stored with the run's
    # row stop before them, and an admin times the hourly load by the printed report
    report["seconds"] = round(time.perf_counter() - clock, 3)
    return report


def _finished(conn: Connection, run_id: str) -> None:
    """The run's finished_at once its marts are written, just before it commits: 载入记录
    showed the time its rows were merged, a 10-county first load's marts (about a minute)
    before its figures could be seen."""
    runs = schema.load_runs
    conn.execute(update(runs).where(runs.c.run_id == run_id).values(finished_at=datetime.now()))


def _record_run(
    conn: Connection,
    run: Run,
    inbox: Path,
    operator: str | None,
    started: datetime,
    today: date,
    file_records: list[dict],
    origins: dict[str, str | None],
) -> None:
    conn.execute(
        schema.load_runs.insert().values(_run_row(run.report, inbox, operator, started, today))
    )
    if file_records:
        conn.execute(
            schema.load_files.insert(),
            [
                {
                    "run_id": run.run_id,
                    "sha256": None,
                    "size": None,
                    "reason": None,
                    "replaces": None,
                    "replaces_run": None,
                    "replaces_as_of": None,
                    "months": None,
                    "township_code": origins[r["path"]],
                    **r,
                }
                for r in file_records
            ],
        )


def _run_row(
    report: dict, inbox: Path, operator: str | None, started: datetime, today: date
) -> dict:
    """The load_runs row of a run that has finished, committed or failed."""
    return {
        "run_id": report["run_id"],
        "started_at": started,
        "finished_at": datetime.now(),
        "loaded_on": today,
        "inbox": stored_name(str(inbox)),
        "operator": operator or getpass.getuser(),
        "status": report["status"],
        "report": stored_json(report, read_limits().report_kb * 1024),
    }


def _record_failure(
    engine: Engine,
    report: dict,
    inbox: Path,
    operator: str | None,
    started: datetime,
    today: date,
) -> None:
    """Record a failed run in a short transaction of its own, the run's having rolled
    back; when even that fails (the warehouse unreachable), the error says so."""
    try:
        with engine.begin() as conn:
            conn.execute(
                schema.load_runs.insert().values(_run_row(report, inbox, operator, started, today))
            )
    except Exception as exc:  # noqa: BLE001 — the report is all that is left to tell it
        report["error"] += f"; 未能记录本次失败 the failure was not recorded: {one_line(exc)}"
