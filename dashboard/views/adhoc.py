"""Ad-hoc process analysis: a CSV of measurements (uploaded or pasted) charted like a
characteristic, with capability against limits the user types. Nothing is stored.
"""

from __future__ import annotations

import csv
import dataclasses
import io

import pandas as pd
import plotly.graph_objects as go

from dashboard.errors import DashboardError
from dashboard.figures.capability import capability_figure
from dashboard.figures.control_chart import control_chart_figure, dispersion_chart_figure
from dashboard.metrics import spc
from dashboard.views.process_control import BASELINE_SUBGROUPS, runs

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000
MIN_SUBGROUPS = 20


class UploadProblem(DashboardError):
    """The file cannot be read as a table of measurements; the message says what to fix."""


@dataclasses.dataclass(frozen=True)
class AdhocView:
    """What the analysis page shows."""

    columns: tuple[str, ...] = ()
    numeric_columns: tuple[str, ...] = ()
    value_column: str | None = None
    subgroup_column: str | None = None
    problems: tuple[str, ...] = ()
    summary: str = ""
    location: go.Figure | None = None
    dispersion: go.Figure | None = None
    capability: go.Figure | None = None
    capability_lines: tuple[tuple[str, str], ...] = ()
    signals: tuple[str, ...] = ()


def read_table(raw: bytes) -> pd.DataFrame:
    """A CSV (comma, semicolon or tab separated, UTF-8) as a DataFrame, or an UploadProblem."""
    if not raw or not raw.strip():
        raise UploadProblem("The file is empty; it needs a header row and at least one row of measurements.")
    if len(raw) > MAX_BYTES:
        raise UploadProblem(
            f"The file is {len(raw) / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB. "
            "Send fewer rows (for example the last few thousand subgroups)."
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadProblem(
            "The file is not UTF-8 text. Save it as 'CSV UTF-8' (in Excel: File › Save As) and upload it again."
        ) from None
    try:
        separator = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:  # one column, or nothing to tell the separator by
        separator = ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, nrows=MAX_ROWS + 1)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        raise UploadProblem(f"The file is not a readable CSV table ({str(error).splitlines()[0][:120]}).") from None
    if frame.empty or frame.columns.empty:
        raise UploadProblem("The file has a header but no rows of measurements.")
    if len(frame) > MAX_ROWS:
        raise UploadProblem(f"The file has more than {MAX_ROWS:,} rows; send fewer.")
    frame.columns = [str(c).strip()[:60] for c in frame.columns]
    return frame


def _numeric_columns(frame: pd.DataFrame) -> tuple[str, ...]:
    return tuple(c for c in frame.columns if pd.to_numeric(frame[c], errors="coerce").notna().mean() > 0.9)


def _values(frame: pd.DataFrame, column: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        rows = ", ".join(str(i + 2) for i in list(bad[bad].index[:5]))
        raise UploadProblem(
            f"Column '{column}' has values that are not numbers (file rows {rows}); fix them or choose another column."
        )
    return values


def build_adhoc(
    raw: bytes | None,
    *,
    value_column: str | None = None,
    subgroup_column: str | None = None,
    lsl: float | None = None,
    usl: float | None = None,
    target: float | None = None,
) -> AdhocView:
    """Parse ``raw`` and chart ``value_column`` (subgroups from ``subgroup_column``, else individuals)."""
    if raw is None:
        return AdhocView(summary="Upload or paste a CSV of measurements to start.")
    try:
        frame = read_table(raw)
    except UploadProblem as problem:
        return AdhocView(problems=(str(problem),))
    columns, numeric = tuple(frame.columns), _numeric_columns(frame)
    base = {"columns": columns, "numeric_columns": numeric}
    subgroup_column = subgroup_column if subgroup_column in columns else None
    candidates = [c for c in numeric if c != subgroup_column]
    value_column = value_column if value_column in columns else (candidates[-1] if candidates else None)
    if subgroup_column == value_column:
        subgroup_column = None
    base.update(value_column=value_column, subgroup_column=subgroup_column)
    if value_column is None:
        return AdhocView(**base, problems=("No column holds numbers; the measurements must be numeric.",))
    try:
        values = _values(frame, value_column)
        keep = values.notna()
        ids = frame.loc[keep, subgroup_column].astype(str) if subgroup_column else pd.Series(range(int(keep.sum())))
        data = pd.DataFrame({"subgroup_id": pd.factorize(ids)[0], "value": values[keep].to_numpy()})
        count = data["subgroup_id"].nunique()
        if count < MIN_SUBGROUPS:
            raise UploadProblem(f"Only {count} subgroups; control limits need at least {MIN_SUBGROUPS}.")
        first = min(BASELINE_SUBGROUPS, count) - 1
        baseline = (spc.Baseline(start=0, end=first, reason=f"Baseline: the first {first + 1} subgroups of the file"),)
        sizes = data.groupby("subgroup_id").size()
        charts = (
            spc.xbar_r_chart(data, baselines=baseline, rules=spc.western_electric_rules())
            if sizes.max() > 1
            else spc.imr_chart(data, baselines=baseline, rules=spc.western_electric_rules())
        )
        spec = spc.SpecLimits(lsl, usl, target)
        cap = spc.capability(data, spec)
    except (UploadProblem, spc.SpcDataError) as problem:
        return AdhocView(**base, problems=(str(problem),))
    kind = "X̄–R" if sizes.max() > 1 else "I-MR"
    return AdhocView(
        **base,
        summary=f"{len(data):,} values in {count:,} subgroups · {kind} chart · {charts.limits[-1].reason}.",
        location=control_chart_figure(charts.location, title=f"{value_column}: {kind.split('–')[0]} chart"),
        dispersion=dispersion_chart_figure(charts.dispersion, title="Dispersion chart"),
        capability=capability_figure(data["value"], cap, spec) if (lsl is not None or usl is not None) else None,
        capability_lines=()
        if cap.refused
        else tuple(
            (name.capitalize(), f"{getattr(cap, name).value:.2f}")
            for name in ("cp", "cpk", "pp", "ppk")
            if getattr(cap, name) is not None
        ),
        signals=tuple(runs(charts.location.violations)[:10]),
    )
