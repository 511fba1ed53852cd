"""Process control: a table of characteristics with their state, and one characteristic in focus
(control chart, dispersion chart, capability against its specification).

Limits come from a stated baseline: the first ``BASELINE_SUBGROUPS`` subgroups of the period
(phase I), frozen and applied to the rest (phase II). Spec limits come from the
characteristic's data, never from the measurements.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.datasets.interface import Repository
from dashboard.errors import DashboardError
from dashboard.figures.capability import capability_figure
from dashboard.figures.control_chart import control_chart_figure, dispersion_chart_figure
from dashboard.filters import Filters
from dashboard.metrics import spc

BASELINE_SUBGROUPS = 25
RECENT_SUBGROUPS = 25
FOCUS_SUBGROUPS = 1500
MIN_SUBGROUPS = BASELINE_SUBGROUPS + 5
BASELINE_RANGE = (20, 200)  # Montgomery recommends 20-25 subgroups at least for phase I limits
CHART_TYPES = {"xbar_r": "X̄–R", "xbar_s": "X̄–S", "imr": "I-MR"}
RULE_SETS = {"we": "Western Electric rules 1-4", "nelson": "Nelson tests 1-8", "limits": "Points beyond the limits only"}
_SPARK = "▁▂▃▄▅▆▇█"


@dataclasses.dataclass(frozen=True)
class CharacteristicRow:
    """One row of the characteristics table."""

    characteristic_id: str
    name: str
    line: str
    plant_id: str
    unit: str
    spec: str
    trend: str
    latest: str
    status_key: str  # in_control, signal, too_few
    status: str
    signal: str
    cpk: str


@dataclasses.dataclass(frozen=True)
class Focus:
    """The characteristic in focus."""

    characteristic_id: str
    title: str
    chart_type: str
    location: go.Figure
    dispersion: go.Figure
    capability: go.Figure | None
    capability_lines: tuple[tuple[str, str], ...]
    capability_refused: str | None
    signals: tuple[str, ...]
    signal_count: int
    limits_text: str
    baseline_text: str


@dataclasses.dataclass(frozen=True)
class ProcessControlView:
    """The page's content."""

    filters: Filters
    rules: str
    rows: tuple[CharacteristicRow, ...]
    focus: Focus | None
    problems: tuple[str, ...] = ()
    lines: tuple[tuple[str, str], ...] = ()
    line_id: str | None = None


def rule_set(name: str) -> tuple[spc.RunRule, ...]:
    """The run rules for a rule-set name (see ``RULE_SETS``)."""
    if name == "nelson":
        return spc.nelson_rules()
    if name == "limits":
        return spc.western_electric_rules(enabled=(1,))
    return spc.western_electric_rules()


def default_chart_type(subgroup_size: int) -> str:
    """X̄–R up to 10 per subgroup, X̄–S above, I-MR for single values (Montgomery ch. 6)."""
    if subgroup_size <= 1:
        return "imr"
    return "xbar_r" if subgroup_size <= 10 else "xbar_s"


def _chart(
    measurements: pd.DataFrame,
    chart_type: str,
    rules: tuple[spc.RunRule, ...],
    rebase: dt.date | None = None,
    size: int = BASELINE_SUBGROUPS,
) -> spc.VariablesCharts:
    ids = list(dict.fromkeys(measurements["subgroup_id"]))
    if len(ids) < size + 5:
        raise spc.SpcDataError(f"Only {len(ids)} subgroups in this period; control limits need at least {size + 5}.")
    first = measurements["measured_at"].iloc[0]
    baselines: tuple[spc.Baseline, ...] = (
        spc.Baseline(
            start=ids[0],
            end=ids[size - 1],
            reason=f"Baseline: the first {size} subgroups of the period (from {pd.Timestamp(first):%d %b %Y})",
        ),
    )
    if rebase is not None:
        later = measurements.loc[pd.to_datetime(measurements["measured_at"]) >= pd.Timestamp(rebase), "subgroup_id"]
        later_ids = list(dict.fromkeys(later))
        if len(later_ids) < size or later_ids[0] == ids[0]:
            raise spc.SpcDataError(
                f"A new baseline from {rebase:%d %b %Y} needs {size} subgroups after it and "
                "earlier subgroups before it; choose a date inside the period."
            )
        baselines = spc.new_baseline(
            baselines,
            start=later_ids[0],
            end=later_ids[size - 1],
            reason=f"New baseline from {rebase:%d %b %Y}: {size} subgroups after a documented change",
        )
    if chart_type == "imr":
        return spc.imr_chart(measurements, baselines=baselines, rules=rules)
    method = "std" if chart_type == "xbar_s" else "range"
    return spc.xbar_chart(measurements, sigma_method=method, baselines=baselines, rules=rules)


def _number(value: float | None, unit: str = "", digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}g}" + (f" {unit}" if unit else "")


def _spec_text(char: pd.Series) -> str:
    lsl, usl = char["lsl"], char["usl"]
    if pd.isna(lsl) and pd.isna(usl):
        return "no spec"
    if pd.isna(lsl):
        return f"≤ {_number(usl)}"
    if pd.isna(usl):
        return f"≥ {_number(lsl)}"
    return f"{_number(lsl)} – {_number(usl)}"


def _spec(char: pd.Series) -> spc.SpecLimits:
    def value(name: str) -> float | None:
        return None if pd.isna(char[name]) else float(char[name])

    return spc.SpecLimits(value("lsl"), value("usl"), value("target"))


def _trend(values: pd.Series) -> str:
    """The latest subgroup statistics as a text sparkline (readable in a table cell)."""
    values = values.tail(20).astype(float)
    low, high = values.min(), values.max()
    if len(values) == 0 or high == low:
        return _SPARK[3] * len(values)
    return "".join(_SPARK[int((v - low) / (high - low) * (len(_SPARK) - 1))] for v in values)


def _row(char: pd.Series, measurements: pd.DataFrame, rules: tuple[spc.RunRule, ...]) -> CharacteristicRow:
    unit = char["unit"]
    base = {
        "characteristic_id": char["characteristic_id"],
        "name": char["characteristic_name"],
        "line": char["line_name"],
        "plant_id": char["plant_id"],
        "unit": unit,
        "spec": _spec_text(char),
    }
    try:
        charts = _chart(measurements, default_chart_type(int(char["subgroup_size"])), rules)
    except spc.SpcDataError as error:
        return CharacteristicRow(
            **base, trend="", latest="–", status_key="too_few", status="Not enough data", signal=str(error), cpk="–"
        )
    points = charts.location.points
    recent = points[points["phase"] == spc.PHASE_MONITOR]
    recent_ids = set(recent["subgroup_id"])
    signals = [v for v in charts.violations if v.subgroup_id in recent_ids]
    study = measurements[measurements["subgroup_id"].isin(recent_ids)]
    cap = spc.capability(study, _spec(char))  # the engine's own minimum sample applies here too
    return CharacteristicRow(
        **base,
        trend=_trend(points["value"]),
        latest=_number(float(points["value"].iloc[-1]), unit),
        status_key="signal" if signals else "in_control",
        status="✕ Signal" if signals else "✓ In control",
        signal=signals[-1].message if signals else "",
        cpk=_number(cap.cpk.value, digits=3) if cap.cpk is not None and not cap.refused else "–",
    )


def runs(violations: tuple[spc.RuleViolation, ...]) -> list[str]:
    """One sentence per run of a rule, latest first: a rule keeps flagging every point while its
    pattern continues, and the last flag of a run describes the whole run."""
    last: dict[tuple[str, int], spc.RuleViolation] = {}
    for violation in violations:
        last[(violation.rule, violation.start_index)] = violation
    return [v.message for v in sorted(last.values(), key=lambda v: v.index, reverse=True)]


def _rows_frame(chars: pd.DataFrame, table: pd.DataFrame, rules: tuple[spc.RunRule, ...]) -> pd.DataFrame:
    """One row per characteristic: its state judged on the table's subgroups (the costly part,
    cached by the repository until the data is read again)."""
    groups = {key: group for key, group in table.groupby("characteristic_id", sort=False)}
    rows = [
        _row(char, groups[char["characteristic_id"]], rules)
        if char["characteristic_id"] in groups
        else CharacteristicRow(
            char["characteristic_id"],
            char["characteristic_name"],
            char["line_name"],
            char["plant_id"],
            char["unit"],
            _spec_text(char),
            "",
            "–",
            "too_few",
            "No data",
            "No measurements in this period.",
            "–",
        )
        for _, char in chars.iterrows()
    ]
    return pd.DataFrame(
        [dataclasses.asdict(row) for row in rows], columns=[f.name for f in dataclasses.fields(CharacteristicRow)]
    )


def _capability_lines(cap: spc.Capability) -> tuple[tuple[str, str], ...]:
    lines: list[tuple[str, str]] = [("n", f"{cap.n}")]
    for name in ("cp", "cpk", "pp", "ppk", "cpm"):
        estimate = getattr(cap, name, None)
        if estimate is not None:
            lines.append((name.capitalize(), f"{estimate.value:.2f} [{estimate.low:.2f}, {estimate.high:.2f}]"))
    if cap.expected_within is not None:
        lines.append(("Expected out of spec (within)", f"{cap.expected_within.total_ppm:,.0f} ppm"))
    if cap.sigma_within is not None:
        lines.append(("σ within", f"{cap.sigma_within:.4g} ({cap.sigma_within_method})"))
    return tuple(lines)


def _focus(
    char: pd.Series,
    measurements: pd.DataFrame,
    events: pd.DataFrame,
    chart_type: str,
    rules: tuple[spc.RunRule, ...],
    rebase: dt.date | None,
    size: int,
) -> Focus:
    charts = _chart(measurements, chart_type, rules, rebase, size)
    unit = char["unit"]
    title = f"{char['characteristic_name']} · {char['line_name']} ({char['characteristic_id']})"
    line_events = events[
        (events["line_id"] == char["line_id"]) | (events["line_id"].isna() & (events["plant_id"] == char["plant_id"]))
    ]
    marks = [(pd.Timestamp(row.event_date), row.description) for row in line_events.itertuples()]
    points = charts.location.points
    # Capability of the current process: the monitored subgroups under the latest limits.
    latest = points["segment"] == points["segment"].max()
    monitored = set(points.loc[latest & (points["phase"] == spc.PHASE_MONITOR), "subgroup_id"])
    study = measurements[measurements["subgroup_id"].isin(monitored)]
    cap = spc.capability(study, _spec(char))
    limits = charts.limits[-1]
    location_name = {"imr": "Individuals", "xbar_r": "X̄", "xbar_s": "X̄"}[chart_type]
    dispersion_name = {"imr": "Moving range", "xbar_r": "Range", "xbar_s": "Standard deviation"}[chart_type]
    return Focus(
        characteristic_id=char["characteristic_id"],
        title=title,
        chart_type=chart_type,
        location=control_chart_figure(charts.location, title=f"{location_name} chart", unit=unit, events=marks),
        dispersion=dispersion_chart_figure(charts.dispersion, title=f"{dispersion_name} chart", unit=unit, events=marks),
        capability=capability_figure(study["value"], cap, _spec(char), unit=unit),
        capability_lines=_capability_lines(cap) if not cap.refused else (),
        capability_refused=cap.refused,
        signals=tuple(
            [f"{location_name} chart: {message}" for message in runs(charts.location.violations)[:15]]
            + [f"{dispersion_name} chart: {message}" for message in runs(charts.dispersion.violations)[:5]]
        ),
        signal_count=len(runs(charts.location.violations)) + len(runs(charts.dispersion.violations)),
        limits_text=f"CL {limits.centre:.5g}, σ {limits.sigma:.4g} ({limits.sigma_method}), ±{limits.nsigmas:g}σ limits",
        baseline_text=limits.reason,
    )


def build_process_control(
    filters: Filters,
    repo: Repository,
    *,
    characteristic_id: str | None = None,
    chart_type: str | None = None,
    rules: str = "we",
    rebase: dt.date | None = None,
    line_id: str | None = None,
    baseline_size: int | None = None,
) -> ProcessControlView:
    """The table of characteristics for ``filters`` and the focus on ``characteristic_id``
    (default: the first characteristic with a signal, else the first one). ``rebase`` starts new
    limits for the focus chart from that date (after a documented process change)."""
    rule_name = rules if rules in RULE_SETS else "we"
    problems: list[str] = [] if rules in RULE_SETS else [f"Unknown run rules '{rules[:20]}'; using {RULE_SETS['we']}."]
    run_rules = rule_set(rule_name)
    size = BASELINE_SUBGROUPS if baseline_size is None else baseline_size
    if not BASELINE_RANGE[0] <= size <= BASELINE_RANGE[1]:
        problems.append(f"A baseline must have {BASELINE_RANGE[0]} to {BASELINE_RANGE[1]} subgroups; using {BASELINE_SUBGROUPS}.")
        size = BASELINE_SUBGROUPS
    try:
        chars_dataset = repo.fetch("spc_characteristics", filters)
    except DashboardError as error:
        return ProcessControlView(filters, rule_name, (), None, (str(error),))
    chars = chars_dataset.frame
    lines = tuple(dict(zip(chars["line_id"], chars["line_name"], strict=True)).items())
    if line_id is not None and line_id not in dict(lines):
        problems.append(f"Unknown line '{line_id[:40]}' for these filters; showing all lines.")
        line_id = None
    if line_id is not None:
        chars = chars[chars["line_id"] == line_id].reset_index(drop=True)
    try:
        table_dataset = repo.fetch(
            "spc_table_measurements",
            filters,
            baseline=BASELINE_SUBGROUPS,
            recent=RECENT_SUBGROUPS,
            **({"line_id": line_id} if line_id else {}),
        )
    except DashboardError as error:
        return ProcessControlView(filters, rule_name, (), None, (str(error),), lines, line_id)
    if chars.empty:
        return ProcessControlView(filters, rule_name, (), None, ("No measured characteristics for these filters.",), lines)
    frame = repo.derived(
        "spc_table_rows",
        (chars_dataset, table_dataset),
        {"rules": rule_name, "line": line_id or ""},
        lambda: _rows_frame(chars, table_dataset.frame, run_rules),
    )
    rows = tuple(CharacteristicRow(**record) for record in frame.to_dict("records"))
    known = set(chars["characteristic_id"])
    if characteristic_id is not None and characteristic_id not in known:
        problems.append(f"Unknown characteristic '{characteristic_id[:40]}' for these filters; showing another one.")
        characteristic_id = None
    if characteristic_id is None:
        flagged = [r.characteristic_id for r in rows if r.status_key == "signal"]
        characteristic_id = flagged[0] if flagged else rows[0].characteristic_id
    char = chars.set_index("characteristic_id", drop=False).loc[characteristic_id]
    if chart_type not in CHART_TYPES or (chart_type == "imr") != (int(char["subgroup_size"]) <= 1):
        if chart_type in CHART_TYPES:
            problems.append(
                f"A {CHART_TYPES[chart_type]} chart does not fit subgroups of "
                f"{int(char['subgroup_size'])}; showing the default chart."
            )
        elif chart_type is not None:
            problems.append(f"Unknown chart type '{chart_type[:20]}'; use {', '.join(CHART_TYPES)}. Showing the default.")
        chart_type = default_chart_type(int(char["subgroup_size"]))
    try:
        measurements = repo.fetch(
            "spc_measurements", filters, characteristic_id=characteristic_id, max_subgroups=FOCUS_SUBGROUPS
        ).frame
        events = repo.fetch("process_events", filters).frame
        focus = _focus(char, measurements, events, chart_type, run_rules, rebase, size)
    except DashboardError as error:
        problems.append(str(error))
        focus = None
    return ProcessControlView(filters, rule_name, rows, focus, tuple(problems), lines, line_id)
