"""Later-row-wins merging of a run's rows into a table, with the contract's counting.

Each row of the run is compared with the row it replaces — the previous row of the
same key in this run, else the warehouse's — and counted inserted, updated or
unchanged. Only the last row of each key is written, and only if it differs from the
warehouse.

A first load or a new month brings mostly keys that are new and appear once: those
are inserted without comparing anything, so only rows whose key is stored or repeated
are compared. What to write is decided here, in Python, alike for every database; how
it is written depends on the database (`copies`): on PostgreSQL through COPY — new
rows straight into their table (an empty one's keys and indexes built after the COPY,
`xieshang.warehouse.bulk`), changed ones into a temporary table and from there with
one UPDATE … FROM — and elsewhere with the driver's own executemany, in chunks
(the statement compiled once). Either way each value is converted as the column's type
converts it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, any_, bindparam, delete, text, update

from xieshang.warehouse.bulk import built_after

CHUNK = 5000
INSERT_CHUNK = CHUNK * 10
# The dialects whose loads write through COPY (psycopg's, inside the run's transaction):
# a million rows in seconds, where executemany sends a few ten thousand.
COPY_DIALECTS = frozenset({"postgresql"})


def copies(conn: Connection) -> bool:
    """Whether rows are written to `conn` through COPY rather than executemany."""
    return conn.dialect.name in COPY_DIALECTS


def signature(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """One comparable string per row over `columns` (None, dates, floats all as str)."""
    sig = frame[columns[0]].astype(object).map(str)
    for column in columns[1:]:
        sig = sig + "\x1f" + frame[column].astype(object).map(str)
    return sig


def keys_of(frame: pd.DataFrame, keys: Sequence[str]) -> list[tuple]:
    """The key of each row, as a tuple."""
    return list(zip(*(frame[k].tolist() for k in keys), strict=True))


@dataclass
class Plan:
    rows: pd.DataFrame  # the input rows in run order (_seq)
    outcomes: np.ndarray  # per row of `rows`: inserted | updated | unchanged
    inserts: pd.DataFrame  # final rows for keys new to the warehouse
    updates: pd.DataFrame  # final rows that change a warehouse row (with its "_id")


def plan_upsert(
    rows: pd.DataFrame, keys: Sequence[str], values: Sequence[str], existing: pd.DataFrame
) -> Plan:
    """Outcome of each row, in run order, and what to write. `existing` has keys, values,
    _id (it may hold rows of other keys too)."""
    keys = list(keys)
    if not rows["_seq"].is_monotonic_increasing:
        rows = rows.sort_values("_seq", kind="stable")
    rows = rows.reset_index(drop=True)
    position = {key: i for i, key in enumerate(keys_of(existing, keys))}
    if position:
        stored = np.fromiter((key in position for key in keys_of(rows, keys)), bool, len(rows))
    else:
        stored = np.zeros(len(rows), dtype=bool)
    repeated = rows.duplicated(keys, keep=False).to_numpy(dtype=bool)
    compared = np.flatnonzero(stored | repeated)
    compared_keys = keys_of(rows.iloc[compared], keys)
    matched = sorted({position[key] for key in compared_keys if key in position})
    stored_sig = dict(
        zip(
            keys_of(existing.iloc[matched], keys),
            signature(existing.iloc[matched], values).tolist() if matched else [],
            strict=True,
        )
    )
    outcomes = np.full(len(rows), "inserted", dtype=object)
    latest: dict[tuple, str] = {}
    sigs = signature(rows.iloc[compared], values).tolist() if len(compared) else []
    for i, key, sig in zip(compared, compared_keys, sigs, strict=True):
        previous = latest[key] if key in latest else stored_sig.get(key)
        outcomes[i] = (
            "inserted" if previous is None else "unchanged" if previous == sig else "updated"
        )
        latest[key] = sig
    last = ~rows.duplicated(keys, keep="last").to_numpy(dtype=bool) if repeated.any() else None
    final = rows if last is None else rows[last]
    final_stored = stored if last is None else stored[last]
    updates = final[final_stored]
    changed = np.array(
        [stored_sig[key] != latest[key] for key in keys_of(updates, keys)], dtype=bool
    )
    updates = updates[changed].copy()
    updates["_id"] = [existing["_id"].iat[position[key]] for key in keys_of(updates, keys)]
    inserts = final if not final_stored.any() else final[~final_stored]
    return Plan(rows, outcomes, inserts, updates)


def records(frame: pd.DataFrame, columns: Iterable[str]) -> list[dict]:
    """Plain-Python dicts for executemany (numpy scalars become Python ones)."""
    columns = list(columns)
    data = {c: frame[c].astype(object).tolist() for c in columns}
    return [
        dict(zip(columns, row, strict=True))
        for row in zip(*(data[c] for c in columns), strict=True)
    ]


def _cells(table: Table, frame: pd.DataFrame, columns: list[str], dialect) -> list[list]:
    """`frame`'s `columns`, each a list of values as the column's type binds them; a
    missing value (pandas' NaN of a text column, say) as None, that is NULL."""
    return [
        _converted(_values(frame[name]), table.c[name].type._cached_bind_processor(dialect))
        for name in columns
    ]


def _values(column: pd.Series) -> list:
    values = column.astype(object)
    missing = values.isna().to_numpy()
    if missing.any():
        values = values.where(~missing, None)
    return values.tolist()


def _converted(cells: list, convert) -> list:
    """`cells` as the column's type binds them, converting each distinct value once."""
    if convert is None:
        return cells
    done: dict = {}
    return [
        done[key] if (key := (type(v), v)) in done else done.setdefault(key, convert(v))
        for v in cells
    ]


def _copy(conn: Connection, target: str, columns: list[str], cells: list[list]) -> None:
    """COPY rows (`cells` by column) into `target`, on the run's own connection and so
    inside its transaction, in the binary format: each value written as its column's type
    (looked up in the catalogue), none parsed from text by the server."""
    prepare = conn.dialect.identifier_preparer
    types = dict(
        conn.execute(
            text(
                "SELECT attname, atttypid FROM pg_attribute "
                "WHERE attrelid = to_regclass(:t) AND attnum > 0 AND NOT attisdropped"
            ),
            {"t": target},
        ).all()
    )
    statement = (
        f"COPY {target} ({', '.join(prepare.quote(c) for c in columns)}) FROM STDIN (FORMAT BINARY)"
    )
    with (
        conn.connection.driver_connection.cursor() as cursor,
        cursor.copy(statement) as copy,
    ):
        copy.set_types([types[c] for c in columns])
        for row in zip(*cells, strict=True):
            copy.write_row(row)


def insert_rows(
    conn: Connection, table: Table, frame: pd.DataFrame, columns: Iterable[str]
) -> None:
    """INSERT every row of `frame` (its `columns`) into `table`: COPY, or in chunks."""
    columns = list(columns)
    if frame.empty:
        return
    dialect = conn.dialect
    prepare = dialect.identifier_preparer
    if copies(conn):
        cells = _cells(table, frame, columns, dialect)
        with built_after(conn, [table]):
            _copy(conn, prepare.format_table(table), columns, cells)
        return
    marker = "?" if dialect.paramstyle in ("qmark", "numeric") else "%s"
    statement = (
        f"INSERT INTO {prepare.format_table(table)} "
        f"({', '.join(prepare.quote(c) for c in columns)}) "
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    for start in range(0, len(frame), INSERT_CHUNK):
        cells = _cells(table, frame.iloc[start : start + INSERT_CHUNK], columns, dialect)
        conn.exec_driver_sql(statement, list(zip(*cells, strict=True)))


def update_rows(
    conn: Connection,
    table: Table,
    frame: pd.DataFrame,
    columns: Sequence[str],
    where: dict[str, str],
) -> None:
    """UPDATE table SET columns WHERE table.<col> = frame[<field>] for each (col, field) of
    `where`: from a COPY'd temporary table in one statement, or row by row."""
    if frame.empty:
        return
    if copies(conn):
        _update_from_copy(conn, table, frame, list(columns), where)
        return
    statement = update(table).values({c: bindparam(f"v_{c}") for c in columns})
    for column, _field in where.items():
        statement = statement.where(table.c[column] == bindparam(f"k_{column}"))
    renamed = frame.rename(columns={c: f"v_{c}" for c in columns})
    for column, field in where.items():
        renamed[f"k_{column}"] = frame[field].to_numpy()
    conn.execute(
        statement, records(renamed, [f"v_{c}" for c in columns] + [f"k_{c}" for c in where])
    )


def _update_from_copy(
    conn: Connection, table: Table, frame: pd.DataFrame, columns: list[str], where: dict[str, str]
) -> None:
    """The rows to change COPY'd into a temporary table shaped as `table`'s columns, then
    one UPDATE … FROM it."""
    prepare = conn.dialect.identifier_preparer
    name, stage = prepare.format_table(table), prepare.quote(f"xs_stage_{table.name}")
    keys = list(where)
    staged = [*columns, *(c for c in keys if c not in columns)]
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {stage} AS SELECT "
        f"{', '.join(prepare.quote(c) for c in staged)} FROM {name} WITH NO DATA"
    )
    fields = {**{c: c for c in columns}, **where}
    source = frame.assign(**{c: frame[fields[c]] for c in staged})
    _copy(conn, stage, staged, _cells(table, source, staged, conn.dialect))
    assignments = ", ".join(f"{prepare.quote(c)} = s.{prepare.quote(c)}" for c in columns)
    matches = " AND ".join(f"t.{prepare.quote(c)} = s.{prepare.quote(c)}" for c in keys)
    conn.exec_driver_sql(f"UPDATE {name} AS t SET {assignments} FROM {stage} AS s WHERE {matches}")
    conn.exec_driver_sql(f"DROP TABLE {stage}")


def delete_rows(conn: Connection, table: Table, column: str, values: Sequence) -> None:
    """DELETE the rows of `table` whose `column` is one of `values`: one statement with
    the values as an array, or in chunks."""
    values = list(values)
    if not values:
        return
    if copies(conn):
        conn.execute(delete(table).where(table.c[column] == any_(bindparam("v", values))))
        return
    for start in range(0, len(values), CHUNK):
        conn.execute(delete(table).where(table.c[column].in_(values[start : start + CHUNK])))
