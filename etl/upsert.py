"""Later-row-wins merging of a run's rows into a table, with the contract's counting.

Each row of the run is compared with the row it replaces — the previous row of the
same key in this run, else the warehouse's — and counted inserted, updated or
unchanged. Only the last row of each key is written, and only if it differs from the
warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, bindparam, update

CHUNK = 5000


def signature(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """One comparable string per row over `columns` (None, dates, floats all as str)."""
    sig = frame[columns[0]].astype(object).map(str)
    for column in columns[1:]:
        sig = sig + "\x1f" + frame[column].astype(object).map(str)
    return sig


def _keys(frame: pd.DataFrame, keys: Sequence[str]) -> list[tuple]:
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
    """Outcome of each row, in run order, and what to write. `existing` has keys, values, _id."""
    rows = rows.sort_values("_seq", kind="stable").reset_index(drop=True)
    sig = signature(rows, values).tolist() if len(rows) else []
    stored = (
        dict(zip(_keys(existing, keys), signature(existing, values).tolist(), strict=True))
        if len(existing)
        else {}
    )
    ids = (
        dict(zip(_keys(existing, keys), existing["_id"].tolist(), strict=True))
        if len(existing)
        else {}
    )
    latest: dict[tuple, str] = {}
    outcomes = []
    for key, s in zip(_keys(rows, keys), sig, strict=True):
        previous = latest[key] if key in latest else stored.get(key)
        outcomes.append(
            "inserted" if previous is None else "unchanged" if previous == s else "updated"
        )
        latest[key] = s
    final = rows.drop_duplicates(list(keys), keep="last")
    final_keys = _keys(final, keys)
    is_new = np.array([k not in stored for k in final_keys], dtype=bool)
    changed = np.array([k in stored and stored[k] != latest[k] for k in final_keys], dtype=bool)
    updates = final[changed].copy()
    updates["_id"] = [ids[k] for k, c in zip(final_keys, changed, strict=True) if c]
    return Plan(rows, np.array(outcomes, dtype=object), final[is_new], updates)


def records(frame: pd.DataFrame, columns: Iterable[str]) -> list[dict]:
    """Plain-Python dicts for executemany (numpy scalars become Python ones)."""
    columns = list(columns)
    data = {c: frame[c].astype(object).tolist() for c in columns}
    return [
        dict(zip(columns, row, strict=True))
        for row in zip(*(data[c] for c in columns), strict=True)
    ]


def insert_rows(
    conn: Connection, table: Table, frame: pd.DataFrame, columns: Iterable[str]
) -> None:
    rows = records(frame, columns)
    for start in range(0, len(rows), CHUNK * 10):
        conn.execute(table.insert(), rows[start : start + CHUNK * 10])


def update_rows(
    conn: Connection,
    table: Table,
    frame: pd.DataFrame,
    columns: Sequence[str],
    where: dict[str, str],
) -> None:
    """UPDATE table SET columns WHERE table.<col> = frame[<field>] for each (col, field) of `where`."""
    if frame.empty:
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
