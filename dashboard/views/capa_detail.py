"""One CAPA (/capa/<id>): what it is, where it stands, the audit findings that raised it, and
whether the defects it addresses fell after it closed.

The effect compares the defects per 1,000 units inspected of the CAPA's line (or its plant, when
it names no line) and defect code (or every code) in the :data:`WINDOW_DAYS` before it was
opened with the same window from the day after it closed (see :mod:`dashboard.metrics.effect`).
Both windows' totals and the weekly series are summed in SQL (:mod:`dashboard.queries.capa_detail`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

import pandas as pd

from dashboard.datasets.interface import DatasetRequest, Repository
from dashboard.drill import EFFECT_WINDOW_DAYS, EffectScope
from dashboard.errors import InvalidFilter
from dashboard.figures.capa_effect import effect_spec
from dashboard.figures.empty import empty_spec
from dashboard.filters import Filters
from dashboard.metrics.effect import RateChange, dispersion, rate_changes
from dashboard.views.cached import dataset

WINDOW_DAYS = EFFECT_WINDOW_DAYS  # twelve weeks before opening, and after closing
MIN_AFTER_DAYS = 28  # fewer days after closing are too few to judge
MIN_PRODUCTION_DAYS = 20  # days with units inspected, in each window
CAPA_ID = re.compile(r"[0-9]{1,10}")
MAX_ID = 2**31 - 1


@dataclasses.dataclass(frozen=True)
class Finding:
    """An audit finding that raised the CAPA."""

    finding_id: int
    audit_date: str
    audit_type: str
    clause: str
    severity: str
    closed: str


@dataclasses.dataclass(frozen=True)
class CapaDetailView:
    """Everything the one-CAPA page shows."""

    capa_id: int
    title: str
    status: str  # Open, Overdue, Closed on time, Closed late
    facts: tuple[tuple[str, str], ...]  # (label, value), in reading order
    scope: str  # "D04 at plant P01", what the effect measures
    effect: RateChange | None
    effect_text: str
    check_text: str  # the recorded effectiveness check against the data
    figure: dict
    defects_href: str | None
    findings: tuple[Finding, ...]
    as_of: dt.datetime
    stale: str | None = None


def parse_capa_id(text: object) -> int:
    """The CAPA number in a URL, or InvalidFilter with a sentence."""
    value = text.strip() if isinstance(text, str) else ""
    if not CAPA_ID.fullmatch(value) or not 1 <= int(value) <= MAX_ID:
        shown = str(text)[:20] if text is not None else ""
        raise InvalidFilter(f"'{shown}' is not a CAPA number; a CAPA number is a whole number such as 42.")
    return int(value)


def day_of(value: object) -> dt.date | None:
    """A date from the database (a date, a timestamp or ISO text; None when missing)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def text_of(value: object) -> str | None:
    """Text from the database (None when missing)."""
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _status(opened: dt.date, due: dt.date, closed: dt.date | None, today: dt.date) -> tuple[str, str]:
    """The status on ``today`` and how long, as the CAPA list words it."""
    if closed is not None and closed <= today:
        late = (closed - due).days
        timing = f"{_plural(late, 'day')} after its due date" if late > 0 else "on or before its due date"
        return (
            "Closed late" if late > 0 else "Closed on time"
        ), f"closed after {_plural((closed - opened).days, 'day')}, {timing}"
    age = _plural((today - opened).days, "day")
    if due < today:
        return "Overdue", f"open for {age}, {_plural((today - due).days, 'day')} past its due date"
    return "Open", f"open for {age}, due in {_plural((due - today).days, 'day')}"


@dataclasses.dataclass(frozen=True)
class Judgement:
    """What a CAPA's two windows allow us to say (the same rules on its page and in the period's list)."""

    effect: RateChange | None  # None unless ``enough``, or when there is nothing to compare
    after_days: int  # days after closing inside the window, up to today
    worked: tuple[int, int]  # days with units inspected, before and after
    enough: bool  # closed, long enough ago, and enough production days on both sides

    @property
    def verdict(self) -> str:
        """fell, rose, no clear change; or why there is none: open, too soon, too little data, nothing to compare."""
        if self.after_days < 0:
            return "open"
        if self.after_days < MIN_AFTER_DAYS:
            return "too soon"
        if not self.enough:
            return "too little data"
        return "nothing to compare" if self.effect is None else self.effect.verdict


def judge(closed: dt.date | None, today: dt.date, counts: Mapping[str, float]) -> Judgement:
    """The judgement of a CAPA closed on ``closed`` (None: still open) from its windows' sums:
    ``before_defects``, ``before_units``, ``before_days``, ``before_sq`` (the sum over days of
    defects² / units, for the day-to-day spread) and the same ``after_*``."""
    return judge_many([(closed, counts)], today)[0]


def judge_many(cases: Sequence[tuple[dt.date | None, Mapping[str, float]]], today: dt.date) -> list[Judgement]:
    """:func:`judge` for many CAPAs, their tests in one vectorised pass."""
    ready = [_ready(closed, today, counts) for closed, counts in cases]
    chosen = [i for i, judged in enumerate(ready) if judged.enough]
    columns = ("before_defects", "before_units", "after_defects", "after_units")
    spreads = [_spread(cases[i][1]) for i in chosen]
    effects = rate_changes(*([cases[i][1][c] for i in chosen] for c in columns), spreads) if chosen else []
    for i, effect in zip(chosen, effects, strict=True):
        ready[i] = dataclasses.replace(ready[i], effect=effect)
    return ready


def _spread(counts: Mapping[str, float]) -> tuple[float, int]:
    """The day counts' dispersion and its degrees of freedom (1, 0: Poisson, when the sums of
    squares are missing, as in a copy cached before they were read)."""
    if counts.get("before_sq") is None or counts.get("after_sq") is None:
        return 1.0, 0
    return dispersion(
        (counts["before_sq"], counts["after_sq"]),
        (counts["before_defects"], counts["after_defects"]),
        (counts["before_units"], counts["after_units"]),
        (int(counts["before_days"]), int(counts["after_days"])),
    )


def _ready(closed: dt.date | None, today: dt.date, counts: Mapping[str, float]) -> Judgement:
    """Whether the windows allow a judgement (the effect is left out)."""
    worked = (int(counts["before_days"]), int(counts["after_days"]))
    if closed is None or closed > today:
        return Judgement(None, -1, worked, False)
    after_days = (min(today, closed + dt.timedelta(days=WINDOW_DAYS)) - closed).days
    return Judgement(None, after_days, worked, after_days >= MIN_AFTER_DAYS and min(worked) >= MIN_PRODUCTION_DAYS)


def recorded(effective: object) -> bool | None:
    """The effectiveness check a CAPA records: True, False or None (not checked yet)."""
    return None if effective is None or (isinstance(effective, float) and pd.isna(effective)) else bool(effective)


def _number(frame: pd.DataFrame, column: str) -> float:
    """The one row's ``column`` as a number (0 when there is no row or no value)."""
    if frame.empty:
        return 0.0
    value = pd.to_numeric(frame[column], errors="coerce").iloc[0]
    return 0.0 if pd.isna(value) else float(value)


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _per_thousand(value: float) -> str:
    return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"


def _effect_text(change: RateChange | None, after_days: int, scope: str, closed: dt.date | None, worked: tuple[int, int]) -> str:
    if closed is None:
        return f"Not closed yet: the rate of {scope} after the action is measured once it closes."
    if after_days < MIN_AFTER_DAYS:
        return f"Too soon to judge: {_plural(after_days, 'day')} since it closed; the comparison needs {MIN_AFTER_DAYS}."
    short = [
        f"{_plural(n, 'production day')} {when}"
        for n, when in zip(worked, ("before it was opened", "after it closed"), strict=True)
        if n < MIN_PRODUCTION_DAYS
    ]
    if short:
        return f"Too little data to judge: {' and '.join(short)} with units inspected; each side needs {MIN_PRODUCTION_DAYS}."
    if change is None:
        return f"No units were inspected, or no defects of {scope} were recorded, before or after: nothing to compare."
    direction = {"fell": "fell", "rose": "rose", "no clear change": "showed no clear change"}[change.verdict]
    pct = f"{change.change_pct:+.0f} %" if change.ratio != float("inf") else "up from none"
    p_value = change.p_value
    ratio = f"rate ratio {change.ratio:.2f}, 95 % interval {change.ratio_low:.2f} to " + (
        f"{change.ratio_high:.2f}" if change.ratio_high != float("inf") else "∞"
    )
    return (
        f"Defects per 1,000 units of {scope} {direction}: {_per_thousand(change.before_per_thousand)} in the "
        f"{WINDOW_DAYS // 7} weeks before it was opened ({_plural(change.before_defects, 'defect')} in "
        f"{change.before_units:,.0f} units over {_plural(worked[0], 'production day')}), "
        f"{_per_thousand(change.after_per_thousand)} in the {after_days} days after it closed "
        f"({change.after_defects:,} in {change.after_units:,.0f} over {worked[1]:,}); {pct}, {ratio}; "
        f"{TESTS[change.method]} {'p < 0.001' if p_value < 0.001 else f'p = {p_value:.2g}'}. {_spread_text(change)}"
    )


TESTS = {
    "exact": "two-sided exact test",
    "quasi-Poisson": "two-sided quasi-Poisson t-test",
    "exact, scaled counts": "two-sided exact test on the counts divided by the spread",
}


def _spread_text(change: RateChange) -> str:
    """What the day-to-day spread of the counts did to the test."""
    if change.method == "exact":
        return "The days vary no more than a Poisson count would, so the exact test stands."
    return (
        f"The days vary {change.dispersion:.1f} times as much as a Poisson count would (defects cluster), so the test "
        f"and the interval allow for it ({change.df:,} degrees of freedom)."
    )


def agreement(check: bool | None, effect: RateChange | None) -> str:
    """How the recorded check and the data compare: "second look" (recorded effective, no clear
    fall), "fell anyway" (recorded not effective, yet it fell), "agrees", "unchecked"; "" when the
    data cannot judge."""
    if effect is None:
        return ""
    fell = effect.verdict == "fell"
    if check is None:
        return "unchecked"
    if check and not fell:
        return "second look"
    if not check and fell:
        return "fell anyway"
    return "agrees"


def _check_text(effective: object, change: RateChange | None, closed: dt.date | None, enough: bool) -> str:
    check = recorded(effective)
    if closed is None:
        return "Effectiveness is checked after closure."
    said = {True: "Recorded as effective", False: "Recorded as not effective", None: "No effectiveness check recorded yet"}[check]
    fell = change is not None and change.verdict == "fell"
    return {
        "": f"{said}.",
        "second look": f"{said}, but the defect data shows no clear fall: worth a second look.",
        "fell anyway": f"{said}, yet the defect rate fell.",
        "unchecked": f"{said}; the defect data says the rate {'fell' if fell else 'did not clearly fall'}.",
        "agrees": f"{said}; the defect data agrees.",
    }[agreement(check, change if enough else None)]


def _findings(frame: pd.DataFrame) -> tuple[Finding, ...]:
    return tuple(
        Finding(
            finding_id=int(row["finding_id"]),
            audit_date=f"{day_of(row['audit_date']):%d %b %Y}",
            audit_type=str(row["audit_type"]).capitalize(),
            clause=str(row["iso_clause"]),
            severity=str(row["finding_severity"]).capitalize(),
            closed=f"{closed:%d %b %Y}" if (closed := day_of(row["closed_date"])) else "open",
        )
        for row in frame.to_dict("records")
    )


def _facts(row: dict, status_detail: str) -> tuple[tuple[str, str], ...]:
    code, description = text_of(row["defect_code"]), text_of(row["defect_description"])
    closed = day_of(row["closed_date"])
    return (
        ("Plant", f"{row['plant_id']} · {row['plant_name']}" if text_of(row["plant_name"]) else str(row["plant_id"])),
        ("Line", text_of(row["line_id"]) or "all lines"),
        ("Defect code", f"{code} · {description}" if code and description else code or "none named"),
        ("Source", str(row["capa_source"]).capitalize()),
        ("Owner", str(row["owner"])),
        ("Opened", f"{day_of(row['opened_date']):%d %b %Y}"),
        ("Due", f"{day_of(row['due_date']):%d %b %Y}"),
        ("Closed", f"{closed:%d %b %Y}" if closed else "not yet"),
        ("Where it stands", status_detail),
    )


def scope_text(plant: str, line: str | None, code: str | None, *, short: bool = False) -> str:
    """What a CAPA's effect is measured on: "code D04 at plant P01" ("D04 at plant P01" ``short``)."""
    what = (code if short else f"code {code}") if code else "all codes"
    return f"{what} on line {line}" if line else f"{what} at plant {plant}"


def build_capa_detail(capa_text: object, repo: Repository, today: dt.date) -> CapaDetailView:
    """The page of the CAPA whose number is ``capa_text`` (from the URL), as of ``today``."""
    capa_id = parse_capa_id(capa_text)
    first = [repo.fetch("capa_one", capa_id=capa_id)]
    found = first[0].frame
    if found.empty:
        raise InvalidFilter(f"There is no CAPA {capa_id}; open the CAPA list to find one.")
    row = found.iloc[0].to_dict()
    opened, due, closed = day_of(row["opened_date"]), day_of(row["due_date"]), day_of(row["closed_date"])
    if opened is None or due is None:
        raise InvalidFilter(f"CAPA {capa_id} has no opened or due date in the database, so it cannot be shown.")
    closed = closed if closed is not None and closed <= today else None
    status, detail = _status(opened, due, closed, today)
    plant, line, code = str(row["plant_id"]), text_of(row["line_id"]), text_of(row["defect_code"])
    start = opened - dt.timedelta(days=WINDOW_DAYS)
    after_start = (closed or today) + dt.timedelta(days=1)
    end = min(today, (closed or today) + dt.timedelta(days=WINDOW_DAYS))
    scope = EffectScope(plant, line, code, start, opened - dt.timedelta(days=1), after_start, end)
    requests = [DatasetRequest.of("capa_findings", capa_id=capa_id)]
    measured = line is not None or code is not None
    if measured:
        requests += [DatasetRequest.of(name, scope=scope) for name in ("capa_effect_totals", "capa_effect_weeks")]
    datasets = [*first, *(dataset(r) for r in repo.fetch_many(requests))]
    what = scope_text(plant, line, code)
    effect, after_days, href, enough = None, max(0, (end - after_start).days + 1), None, False
    if measured:
        totals, weeks = datasets[2].frame, datasets[3].frame
        judged = judge(closed, today, {k: _number(totals, k) for k in totals.columns})
        effect, worked, enough = judged.effect, judged.worked, judged.enough
        figure = effect_spec(weeks, opened=opened, due=due, closed=closed, scope=what, window_days=WINDOW_DAYS)
        filters = Filters("custom", start, end, plant)
        href = "/defects?" + urlencode({**filters.to_query(), **{k: v for k, v in (("line", line), ("code", code)) if v}})
        text = _effect_text(effect, after_days, what, closed, worked)
    else:
        text = "This CAPA names no line and no defect code, so its effect on defects is not measured here."
        figure = empty_spec(text, height=360)
    return CapaDetailView(
        capa_id=capa_id,
        title=str(row["title"]),
        status=status,
        facts=_facts(row, detail),
        scope=what,
        effect=effect,
        effect_text=text,
        check_text=_check_text(row["effective"], effect, closed, enough),
        figure=figure,
        defects_href=href,
        findings=_findings(datasets[1].frame),
        as_of=min(d.fetched_at for d in datasets),
        stale=next((d.problem for d in datasets if d.stale), None),
    )
