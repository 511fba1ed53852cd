"""Input checks and per-subgroup statistics: the tables every chart is built from.

Every table has one entry per subgroup in time order (by first ``measured_at`` when that column
exists, otherwise in the order the subgroups first appear) with ``subgroup_id``, ``label`` (for
messages), ``phase`` ("I", "II" or None when the input has no phase) and ``n``.

The charts work on :class:`SubgroupTable` (numpy arrays, built without per-row Python work);
:func:`measurement_subgroups` and :func:`count_subgroups` return the same table as a DataFrame.
Statistics are bit-for-bit those of ``DataFrame.groupby(..., sort=False)`` in the pinned pandas:
the mean by ``np.add.reduceat`` when each subgroup's rows are contiguous (pandas' fast path)
and by Kahan summation otherwise, the standard deviation by Welford's update.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dashboard.metrics.spc.results import PHASE_BASELINE, PHASE_MONITOR, SpcDataError

_PHASES = {"I": PHASE_BASELINE, "II": PHASE_MONITOR}
_NAT = np.iinfo(np.int64).min


def format_label(moment: object) -> str:
    """A timestamp as people read it: "14 Mar 2026", with the time when it is not midnight."""
    stamp = pd.Timestamp(moment)
    day = f"{stamp.day} {stamp:%b %Y}"
    return day if stamp == stamp.normalize() else f"{day} {stamp:%H:%M}"


@dataclass(frozen=True, eq=False)
class SubgroupTable:
    """Per-subgroup arrays in time order, the input of every chart.

    ``ids`` keeps the input's dtype for the points table, ``keys`` holds the same ids as Python
    objects (what results and messages carry); ``stats`` holds ``mean``, ``range`` and ``std``
    (measurements) or ``count`` (attributes); ``table[name]`` reads ``n`` or a statistic.
    """

    ids: Any
    keys: np.ndarray
    labels: np.ndarray
    phase: np.ndarray
    n: np.ndarray
    stats: dict[str, np.ndarray]
    measured_at: Any = None
    has_phase: bool = False
    columns: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.n)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.n if name == "n" else self.stats[name]

    def take(self, positions: np.ndarray) -> SubgroupTable:
        """The statistics of the subgroups at ``positions`` (enough for the estimators)."""
        stats = {name: values[positions] for name, values in self.stats.items()}
        return SubgroupTable(None, self.keys[positions], self.labels[positions], self.phase[positions], self.n[positions], stats)

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame (columns as :func:`measurement_subgroups` always returned them)."""
        data: dict[str, Any] = {"subgroup_id": self.ids}
        for name in self.columns:
            data[name] = self[name]
        if self.measured_at is not None:
            data["measured_at"] = self.measured_at
        data["label"] = self.labels
        data["phase"] = self.phase if self.has_phase else pd.Series([None] * len(self), dtype=object)
        return pd.DataFrame(data)


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> pd.Series:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise SpcDataError(f"{what} need the column(s) {', '.join(missing)}; got {', '.join(map(str, frame.columns))}")
    ids = frame["subgroup_id"]
    if not _is_numpy(ids, "iub") and ids.isna().any():
        raise SpcDataError("subgroup_id must not be missing")
    return ids


def _is_numpy(series: pd.Series, kinds: str) -> bool:
    return isinstance(series.dtype, np.dtype) and series.dtype.kind in kinds


def _numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    """The column as float64 (NaN where missing); raise when a present value is not a number."""
    series = frame[column]
    if _is_numpy(series, "fiub"):
        values = series.values
        return values if values.dtype == np.float64 else values.astype(float)
    values = pd.to_numeric(series, errors="coerce")
    if values.isna().sum() > series.isna().sum():
        raise SpcDataError(f"column {column} must be numeric")
    return values.astype(float).to_numpy()


def _group_stats(values: np.ndarray, codes: np.ndarray, starts: np.ndarray | None, count: int) -> dict[str, np.ndarray]:
    """n, mean, range and std (ddof 1) per code, equal to pandas' groupby to the last bit.

    ``starts`` are the first rows of each code when the codes are contiguous (else None).
    """
    n = np.bincount(codes, minlength=count)
    contiguous = starts is not None
    if starts is None:
        ordered = values[np.argsort(codes, kind="stable")]
        starts = np.zeros(count, dtype=np.intp)
        np.cumsum(n[:-1], out=starts[1:])
    else:
        ordered = values
    spread = np.maximum.reduceat(ordered, starts) - np.minimum.reduceat(ordered, starts)
    widest = int(n.max())
    if widest == int(n.min()):
        grid, present = ordered.reshape(count, widest), None
    else:
        grid = np.zeros((count, widest))
        present = np.arange(widest) < n[:, None]
        grid[present] = ordered
    if contiguous:
        # pandas sums contiguous groups with np.add.reduceat ...
        mean = np.add.reduceat(ordered, starts) / n.astype(float)
    else:
        # ... and the others in Cython with Kahan compensation, row by row.
        total, compensation = np.zeros(count), np.zeros(count)
        for j in range(widest):
            y = grid[:, j] - compensation
            t = total + y
            if present is None:
                compensation, total = (t - total) - y, t
            else:
                live = present[:, j]
                compensation = np.where(live, (t - total) - y, compensation)
                total = np.where(live, t, total)
        mean = total / n
    # Welford's update, as pandas' group_var.
    running, squares = np.zeros(count), np.zeros(count)
    for j in range(widest):
        x = grid[:, j]
        moved = running + (x - running) / (j + 1)
        grown = squares + (x - moved) * (x - running)
        if present is None:
            running, squares = moved, grown
        else:
            live = present[:, j]
            running, squares = np.where(live, moved, running), np.where(live, grown, squares)
    with np.errstate(invalid="ignore", divide="ignore"):
        std = np.sqrt(np.where(n > 1, squares / (n - 1), np.nan))
    return {"n": n, "mean": mean, "range": spread, "std": std}


def _first_per_group(moments: np.ndarray, codes: np.ndarray, starts: np.ndarray | None, count: int) -> np.ndarray:
    """The earliest datetime64 per code, NaT where a subgroup has no time.

    ``starts`` are the first rows of each code when the codes are contiguous (else None).
    """
    ticks = moments.view(np.int64)
    latest = np.iinfo(np.int64).max
    if (ticks == _NAT).any():
        ticks = np.where(ticks == _NAT, latest, ticks)
    if starts is not None:
        first = np.minimum.reduceat(ticks, starts)
    else:
        first = np.full(count, latest)
        np.minimum.at(first, codes, ticks)
    first[first == latest] = _NAT
    return first.view(moments.dtype)


def _date_labels(moments: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """:func:`format_label` of each time (sorted, NaT last), "subgroup <id>" where it is NaT.

    Vectorised: "14 Mar 2026" is formatted once per calendar day, " 06:30" once per time of day.
    """
    known = len(moments) - int(np.isnat(moments).sum())
    labels = np.empty(len(moments), dtype=object)
    labels[known:] = [f"subgroup {key}" for key in keys[known:].tolist()]
    if not known:
        return labels
    times = moments[:known]
    days = times.astype("datetime64[D]")
    first_year, last_year = days[[0, -1]].astype("datetime64[Y]").astype(np.int64) + 1970
    if first_year < 1000 or last_year > 9999:
        labels[:known] = [format_label(moment) for moment in times]
        return labels
    # Sorted times: each calendar day is one run.
    change = np.flatnonzero(days[1:] != days[:-1]) + 1
    day_of = np.zeros(known, dtype=np.intp)
    day_of[change] = 1
    np.cumsum(day_of, out=day_of)
    names: dict[int, str] = {}
    texts = []
    for date in days[np.concatenate(([0], change))].astype(object).tolist():
        if date.month not in names:
            names[date.month] = datetime.datetime(2001, date.month, 1).strftime("%b")
        texts.append(f"{date.day} {names[date.month]} {date.year}")
    # Minute of the day, 0 at exactly midnight (no time shown), 1 + minute otherwise.
    since_midnight = times - days
    minute = np.where(since_midnight != np.timedelta64(0), since_midnight.astype("timedelta64[m]").astype(np.intp) + 1, 0)
    suffixes = np.empty(24 * 60 + 1, dtype=object)
    for m in np.flatnonzero(np.bincount(minute, minlength=len(suffixes))).tolist():
        suffixes[m] = "" if m == 0 else f" {(m - 1) // 60:02d}:{(m - 1) % 60:02d}"
    labels[:known] = _object_array(texts)[day_of] + suffixes[minute]
    return labels


def _object_array(values: list | np.ndarray) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


@dataclass(frozen=True)
class _Grouping:
    """Which subgroup each counted row belongs to.

    ``codes`` per row (subgroups numbered in order of first appearance), ``first_rows`` the frame
    position of each subgroup's first row, ``starts`` the first counted row of each subgroup when
    every subgroup is one run of rows (None otherwise), ``ids`` one id per subgroup.
    """

    codes: np.ndarray
    first_rows: np.ndarray
    starts: np.ndarray | None
    ids: Any


def _group(ids: pd.Series, rows: np.ndarray | None) -> _Grouping:
    """Number the subgroups of the counted ``rows`` (None: all) as groupby(sort=False) does."""
    values = ids.values if isinstance(ids.dtype, np.dtype) else None
    if values is not None and rows is not None:
        values = values[rows]
    if values is not None and len(values) and values.dtype.kind in "iufb" and bool((values[1:] >= values[:-1]).all()):
        # Sorted numeric ids, the usual layout: each subgroup is one run of rows.
        change = values[1:] != values[:-1]
        starts = np.concatenate(([0], np.flatnonzero(change) + 1))
        codes = np.concatenate(([0], np.cumsum(change)))
        return _Grouping(codes, starts if rows is None else rows[starts], starts, values[starts])
    codes, uniques = pd.factorize(ids if rows is None else ids.iloc[rows], sort=False)
    if isinstance(uniques.dtype, np.dtype) and uniques.dtype.kind in "iufb":
        uniques = np.asarray(uniques)
    first_rows = np.full(len(uniques), len(codes), dtype=np.intp)
    np.minimum.at(first_rows, codes, np.arange(len(codes)))
    starts = first_rows.copy() if bool((codes[1:] >= codes[:-1]).all()) else None
    return _Grouping(codes, first_rows if rows is None else rows[first_rows], starts, uniques)


def _describe(
    frame: pd.DataFrame,
    rows: np.ndarray | None,
    grouping: _Grouping,
    n: np.ndarray,
    stats: dict[str, np.ndarray],
    columns: tuple[str, ...],
    moments: np.ndarray | None,
) -> SubgroupTable:
    """Add label and phase (taken from each subgroup's first row), then order by time.

    ``rows`` are the positions of ``frame`` that count (None: all) and ``moments`` their
    ``measured_at`` (None when the frame has no such column).
    """
    count = len(n)
    ids, first_rows = grouping.ids, grouping.first_rows
    measured_at = order = None
    if moments is not None:
        # A subgroup starts when its first part is measured.
        measured_at = _first_per_group(moments, grouping.codes, grouping.starts, count)
        order = np.argsort(measured_at, kind="stable")
        if bool((order[1:] > order[:-1]).all()):
            order = None
        else:
            measured_at, first_rows, n, ids = measured_at[order], first_rows[order], n[order], ids[order]
            stats = {name: values[order] for name, values in stats.items()}
    numeric = isinstance(ids, np.ndarray) and ids.dtype.kind in "iufb"
    # Python scalars, as Series.tolist() gives them (Timestamps for datetime ids, not integers).
    keys = ids.astype(object) if numeric else pd.Index(ids).to_numpy(dtype=object)
    if "label" in frame.columns:
        labels = frame["label"].iloc[first_rows].astype(str).to_numpy()
    elif measured_at is not None:
        labels = _date_labels(measured_at, keys)
    else:
        labels = _object_array([f"subgroup {key}" for key in keys.tolist()])
    has_phase = "phase" in frame.columns
    if has_phase:
        phases = frame["phase"] if rows is None else frame["phase"].iloc[rows]
        phases = phases.astype(str).str.strip().str.upper()
        if not phases.isin(list(_PHASES)).all():
            bad = sorted(set(phases) - set(_PHASES))
            raise SpcDataError(f"phase must be 'I' (baseline) or 'II' (monitoring), got {bad}")
        monitored = (phases == "II").to_numpy(dtype=bool)
        lowest, highest = np.ones(count, dtype=bool), np.zeros(count, dtype=bool)
        np.logical_and.at(lowest, grouping.codes, monitored)
        np.logical_or.at(highest, grouping.codes, monitored)
        if (lowest != highest).any():
            raise SpcDataError("each subgroup must lie in a single phase")
        phase = np.where(highest if order is None else highest[order], PHASE_MONITOR, PHASE_BASELINE).astype(object)
    else:
        phase = np.full(count, None, dtype=object)
    return SubgroupTable(ids, keys, labels, phase, n, stats, measured_at, has_phase, columns)


def _dates(frame: pd.DataFrame) -> pd.Series | None:
    return frame["measured_at"] if "measured_at" in frame.columns else None


def _pandas_only(frame: pd.DataFrame, ids: pd.Series, dates: pd.Series | None, *, grouped: bool) -> bool:
    """Whether the input needs the original pandas code, which the numpy path cannot match:
    ``measured_at`` that is not naive datetime64 (time zones, text), categorical ids, object ids
    when they are ``grouped`` (groupby re-infers their dtype), an index level called subgroup_id.
    """
    plain_dates = dates is None or _is_numpy(dates, "M")
    inferred = isinstance(ids.dtype, pd.CategoricalDtype) or (grouped and ids.dtype == object)
    return not plain_dates or inferred or "subgroup_id" in frame.index.names


def subgroup_table(measurements: pd.DataFrame) -> SubgroupTable:
    """Per-subgroup n, mean, range and standard deviation (ddof = 1) of one-row-per-value data.

    Input columns: ``subgroup_id``, ``value`` (any unit), optional ``measured_at``, ``phase``
    and ``label``. Rows with a missing value are ignored, so n counts the values present.
    """
    columns = ("n", "mean", "range", "std")
    ids = _require(measurements, ("subgroup_id", "value"), "measurements")
    dates = _dates(measurements)
    if _pandas_only(measurements, ids, dates, grouped=True):
        return _from_frame(_legacy_measurement_subgroups(measurements), columns, "phase" in measurements.columns)
    values = _numeric(measurements, "value")
    moments = None if dates is None else dates.values
    present = ~np.isnan(values)
    rows = None if present.all() else np.flatnonzero(present)
    if rows is not None:
        values = values[rows]
        moments = None if moments is None else moments[rows]
    if not len(values):
        raise SpcDataError("no measurements to chart")
    grouping = _group(ids, rows)
    stats = _group_stats(values, grouping.codes, grouping.starts, len(grouping.first_rows))
    n = stats.pop("n")
    return _describe(measurements, rows, grouping, n, stats, columns, moments)


def measurement_subgroups(measurements: pd.DataFrame) -> pd.DataFrame:
    """Per-subgroup n, mean, range and standard deviation (ddof = 1) of one-row-per-value data.

    Input columns: ``subgroup_id``, ``value`` (any unit), optional ``measured_at``, ``phase``
    and ``label``. Rows with a missing value are ignored, so n counts the values present.
    """
    return subgroup_table(measurements).to_frame()


def count_table(subgroups: pd.DataFrame, count: str, size: str | None) -> SubgroupTable:
    """Validated one-row-per-subgroup counts: ``count`` ≥ 0 and, when given, ``size`` > 0.

    Input columns: ``subgroup_id``, the count column (``nonconforming`` or ``defects``), the size
    column (``n`` units inspected or ``units`` inspection units) unless ``size`` is None, and
    optional ``measured_at``, ``phase`` and ``label``.
    """
    ids = _require(subgroups, ("subgroup_id", count) + ((size,) if size else ()), "attribute charts")
    if ids.duplicated().any():
        raise SpcDataError("attribute charts need one row per subgroup; subgroup_id has duplicates")
    counts = _numeric(subgroups, count)
    sizes = _numeric(subgroups, size) if size else np.ones(len(subgroups))
    if np.isnan(counts).any() or np.isnan(sizes).any():
        raise SpcDataError(f"{count} and {size or 'size'} must not be missing")
    if (counts < 0).any():
        raise SpcDataError(f"{count} must not be negative")
    if (sizes <= 0).any():
        raise SpcDataError(f"{size} must be positive")
    dates = _dates(subgroups)
    if _pandas_only(subgroups, ids, dates, grouped=False):
        table = pd.DataFrame({"subgroup_id": ids.to_numpy(), "count": counts, "n": sizes})
        return _from_frame(_legacy_describe(subgroups, table), ("count", "n"), "phase" in subgroups.columns)
    positions = np.arange(len(subgroups), dtype=np.intp)
    grouping = _Grouping(positions, positions, positions, ids.to_numpy())
    moments = None if dates is None else dates.values
    return _describe(subgroups, None, grouping, sizes, {"count": counts}, ("count", "n"), moments)


def count_subgroups(subgroups: pd.DataFrame, count: str, size: str | None) -> pd.DataFrame:
    """:func:`count_table` as a DataFrame (columns ``subgroup_id``, ``count``, ``n``, ...)."""
    return count_table(subgroups, count, size).to_frame()


def require_sizes_at_least(table: SubgroupTable, minimum: int, advice: str) -> None:
    """Raise when a subgroup is smaller than ``minimum``, with ``advice`` on what to use instead."""
    small = table.keys[table.n < minimum]
    if len(small):
        raise SpcDataError(f"subgroup(s) {', '.join(map(str, small[:5]))} have fewer than {minimum} values; {advice}")


def require_equal(values: np.ndarray, what: str, advice: str) -> None:
    """Raise when ``values`` are not all equal."""
    if len(np.unique(values)) > 1:
        raise SpcDataError(f"{what} varies between subgroups; {advice}")


# Inputs the numpy path does not reproduce exactly (time zones or text in measured_at, object or
# categorical ids whose dtype groupby re-infers, an index level also called subgroup_id) go
# through the original pandas implementation.


def _from_frame(table: pd.DataFrame, columns: tuple[str, ...], has_phase: bool) -> SubgroupTable:
    ids = table["subgroup_id"].array
    stats = {name: table[name].to_numpy() for name in columns if name != "n"}
    measured_at = table["measured_at"].array if "measured_at" in table.columns else None
    return SubgroupTable(
        ids,
        table["subgroup_id"].to_numpy(dtype=object),
        table["label"].to_numpy(dtype=object),
        table["phase"].to_numpy(dtype=object),
        table["n"].to_numpy(),
        stats,
        measured_at,
        has_phase,
        columns,
    )


def _legacy_describe(frame: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    first = frame.groupby("subgroup_id", sort=False).head(1).set_index("subgroup_id")
    ids = table["subgroup_id"]
    if "measured_at" in frame.columns:
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


def _legacy_measurement_subgroups(measurements: pd.DataFrame) -> pd.DataFrame:
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
    return _legacy_describe(frame, table)
