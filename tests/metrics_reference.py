"""A plain pandas implementation of metrics.md, written from the text and nothing else:
no marts, no SQL. The property test compares xieshang.metrics with it.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from xieshang.contract.columns import STAKEHOLDER_CATEGORIES
from xieshang.warehouse.codes import scope_range


def _present(value) -> bool:
    """Not missing (pandas may turn None into NaN or NaT)."""
    return value is not None and not pd.isna(value)


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def reference(
    frames: dict[str, pd.DataFrame],
    scope: str,
    start: date,
    end: date,
    form: str | None = None,
    category: str | None = None,
    online: bool | None = None,
    threshold: int = 3,
) -> dict:
    areas, meetings = frames["areas"], frames["meetings"]
    attendance, reports, runs = frames["attendance"], frames["reports"], frames["runs"]

    committed = runs[runs["status"] == "committed"]
    last_load = max(committed["loaded_on"]) if len(committed) else None
    as_of = min(end, last_load) if last_load is not None else end

    low, high = scope_range(scope)
    scope_areas = areas[(areas["area_code"] >= low) & (areas["area_code"] <= high)]
    codes = set(scope_areas["area_code"])
    villages = set(scope_areas.loc[scope_areas["level"] == "village", "area_code"])

    def passes(m: pd.DataFrame) -> pd.Series:
        ok = m["area_code"].isin(codes)
        if form is not None:
            ok &= m["form"] == form
        if category is not None:
            ok &= m["topic_category"] == category
        if online is not None:
            ok &= m["online"] == online
        return ok

    hosted = meetings[passes(meetings)]  # meetings in scope, any date
    in_period = hosted[(hosted["meeting_date"] >= start) & (hosted["meeting_date"] <= end)]
    n_meetings = len(in_period)

    out: dict = {"scope": scope, "from": start, "to": end, "as_of": as_of}
    out["meetings"] = n_meetings

    pairs = in_period[in_period["area_code"].isin(villages)][["area_code", "month"]]
    n_pairs = len(pairs.drop_duplicates())
    out["regularity"] = n_pairs / (len(villages) * _months(start, end)) if villages else None
    out["party_led_rate"] = (
        sum(bool(x) for x in in_period["led_by_party"]) / n_meetings if n_meetings else None
    )

    rows = attendance[attendance["meeting_pk"].isin(set(in_period["id"]))]
    party_rows = rows[rows["party_member"].astype(bool)]
    registered = sum(int(x) for x in scope_areas["party_members"])
    out["party_participation_rate"] = (
        party_rows["person_pk"].nunique() / registered if registered else None
    )
    out["party_share"] = len(party_rows) / len(rows) if len(rows) else None

    stake = rows[rows["category"].isin(STAKEHOLDER_CATEGORIES)]
    per_meeting = stake.groupby("meeting_pk")["category"].nunique()
    covered = sum(1 for pk in in_period["id"] if per_meeting.get(pk, 0) >= threshold)
    out["stakeholder_coverage"] = covered / n_meetings if n_meetings else None
    out["stakeholder_breadth"] = (
        stake["category"].nunique() / len(STAKEHOLDER_CATEGORIES) if n_meetings else None
    )

    # resolutions: the latest report on or before as_of is the resolution on as_of
    known = reports[reports["updated_on"] <= as_of]
    if len(known):
        latest = (
            known.sort_values("updated_on")
            .groupby(["area_code", "resolution_id"], as_index=False)
            .tail(1)
        )
    else:
        latest = known
    meeting_by_pk = meetings.set_index("id")
    hosted_pks = set(hosted["id"])
    state = latest[latest["meeting_pk"].isin(hosted_pks)]
    status = state["status"]
    due_rows = state[
        (state["due_date"] >= start)
        & (state["due_date"] <= end)
        & (state["due_date"] <= as_of)
        & (status != "cancelled")
    ]
    n_due = len(due_rows)
    implemented = due_rows[due_rows["status"] == "implemented"]
    on_time = [
        1
        for _, r in implemented.iterrows()
        if _present(r["completed_date"]) and r["completed_date"] <= r["due_date"]
    ]
    out["resolutions_due"] = n_due
    out["implementation_rate"] = len(implemented) / n_due if n_due else None
    out["on_time_rate"] = len(on_time) / n_due if n_due else None
    overdue = state[~status.isin(["implemented", "cancelled"]) & (state["due_date"] < as_of)]
    out["overdue_open"] = len(overdue)

    done = state[
        (status == "implemented")
        & state["completed_date"].apply(lambda d: _present(d) and start <= d <= end)
    ]
    days = sorted(
        (r["completed_date"] - meeting_by_pk.loc[r["meeting_pk"], "meeting_date"]).days
        for _, r in done.iterrows()
    )
    if days:
        n = len(days)
        out["median_days_to_implement"] = (days[(n - 1) // 2] + days[n // 2]) / 2
    else:
        out["median_days_to_implement"] = None
    scores = [float(s) for s in done["satisfaction"] if _present(s)]
    out["satisfaction"] = sum(scores) / len(scores) if scores else None

    period_pks = set(in_period["id"])
    base = state[state["meeting_pk"].isin(period_pks) & (status != "cancelled")]
    escalated = base[base["escalated_to"].apply(lambda x: _present(x) and x != "")]
    out["escalation_rate"] = len(escalated) / len(base) if len(base) else None
    return out
