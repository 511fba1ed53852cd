"""Input checks and per-subgroup statistics: the tables every chart is built from.

Every table returned has one row per subgroup in time order (by first ``measured_at`` when that
column exists, otherwise in the order the subgroups first appear) with ``subgroup_id``,
``label`` (for messages), ``phase`` ("I", "II" or None when the input has no phase) and ``n``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.metrics.spc.results import PHASE_BASELINE, PHASE_MONITOR, SpcDataError

_PHASES = {"I": PHASE_BASELINE, "II": PHASE_MONITOR}


def format_label(moment: object) -> str:
    """A timestamp as people read it: "14 Mar 2026", with the time when it is not midnight."""
    stamp = pd.Timestamp(moment)
    day = f"{stamp.day} {stamp:%b %Y}"
    return day if stamp == stamp.normalize() else f"{day} {stamp:%H:%M}"


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise SpcDataError(f"{what} need the column(s) {', '.join(missing)}; got {', '.join(map(str, frame.columns))}")
    if frame["subgroup_id"].isna().any():
        raise SpcDataError("subgroup_id must not be missing")


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().sum() > frame[column].isna().sum():
        raise SpcDataError(f"column {column} must be numeric")
    return values.astype(float)


def _describe(frame: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Add label and phase (taken from each subgroup's first row), then order by time."""
    first = frame.groupby("subgroup_id", sort=False).head(1).set_index("subgroup_id")
    ids = table["subgroup_id"]
    if "measured_at" in frame.columns:
        # A subgroup starts when its first part is measured.
        table["measured_at"] = pd.to_datetime(frame.groupby("subgroup_id", sort=False)["measured_at"].min().loc[ids]).to_numpy()
        table = table.sort_values("measured_at", kind="stable").reset_index(drop=True)
        ids = table["subgroup_id"]
    if "label" in frame.columns:
        table["label"] = first.loc[ids, "label"].astype(str).to_numpy()
    elif "measured_at" in table.columns:
        moments = zip(ids, table["measured_at"], strict=True)
        table["label"] = [format_label(moment) if pd.notna(moment) else f"subgroup {key}" for key, moment in moments]
    else:
        table["label"] = [f"subgroup {key}" for key in ids]
    if "phase" in frame.columns:
        phases = frame["phase"].astype(str).str.strip().str.upper()
        if not phases.isin(list(_PHASES)).all():
            bad = sorted(set(phases) - set(_PHASES))
            raise SpcDataError(f"phase must be 'I' (baseline) or 'II' (monitoring), got {bad}")
        if (phases.groupby(frame["subgroup_id"].to_numpy()).nunique() > 1).any():
            raise SpcDataError("each subgroup must lie in a single phase")
        per_subgroup = phases.groupby(frame["subgroup_id"].to_numpy()).first()
        table["phase"] = per_subgroup.loc[ids].map(_PHASES).to_numpy()
    else:
        table["phase"] = None
    return table


def measurement_subgroups(measurements: pd.DataFrame) -> pd.DataFrame:
    """Per-subgroup n, mean, range and standard deviation (ddof = 1) of one-row-per-value data.

    Input columns: ``subgroup_id``, ``value`` (any unit), optional ``measured_at``, ``phase``
    and ``label``. Rows with a missing value are ignored, so n counts the values present.
    """
    _require(measurements, ("subgroup_id", "value"), "measurements")
    frame = measurements.assign(value=_numeric(measurements, "value"))
    frame = frame[frame["value"].notna()]
    if frame.empty:
        raise SpcDataError("no measurements to chart")
    grouped = frame.groupby("subgroup_id", sort=False)["value"]
    table = pd.DataFrame(
        {
            "n": grouped.size(),
            "mean": grouped.mean(),
            "range": grouped.max() - grouped.min(),
            "std": grouped.std(ddof=1),
        }
    ).reset_index()
    return _describe(frame, table)


def count_subgroups(subgroups: pd.DataFrame, count: str, size: str | None) -> pd.DataFrame:
    """Validated one-row-per-subgroup counts: ``count`` ≥ 0 and, when given, ``size`` > 0.

    Input columns: ``subgroup_id``, the count column (``nonconforming`` or ``defects``), the size
    column (``n`` units inspected or ``units`` inspection units) unless ``size`` is None, and
    optional ``measured_at``, ``phase`` and ``label``.
    """
    _require(subgroups, ("subgroup_id", count) + ((size,) if size else ()), "attribute charts")
    if subgroups["subgroup_id"].duplicated().any():
        raise SpcDataError("attribute charts need one row per subgroup; subgroup_id has duplicates")
    counts = _numeric(subgroups, count)
    sizes = _numeric(subgroups, size) if size else pd.Series(1.0, index=subgroups.index)
    if counts.isna().any() or sizes.isna().any():
        raise SpcDataError(f"{count} and {size or 'size'} must not be missing")
    if (counts < 0).any():
        raise SpcDataError(f"{count} must not be negative")
    if (sizes <= 0).any():
        raise SpcDataError(f"{size} must be positive")
    table = pd.DataFrame({"subgroup_id": subgroups["subgroup_id"].to_numpy(), "count": counts.to_numpy(), "n": sizes.to_numpy()})
    return _describe(subgroups, table)


def require_sizes_at_least(table: pd.DataFrame, minimum: int, advice: str) -> None:
    """Raise when a subgroup is smaller than ``minimum``, with ``advice`` on what to use instead."""
    small = table.loc[table["n"] < minimum, "subgroup_id"]
    if len(small):
        raise SpcDataError(f"subgroup(s) {', '.join(map(str, small[:5]))} have fewer than {minimum} values; {advice}")


def require_equal(values: np.ndarray, what: str, advice: str) -> None:
    """Raise when ``values`` are not all equal."""
    if len(np.unique(values)) > 1:
        raise SpcDataError(f"{what} varies between subgroups; {advice}")
