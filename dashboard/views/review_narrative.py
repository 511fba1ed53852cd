"""The review's narrative: sentences written from the data, each linking to the view and filter
that shows it. No language model: every sentence is a template filled from the numbers, so the
same data always gives the same words.

A *sentence source* is a function ``ReviewData -> list[Sentence]``; :data:`SOURCES` lists them
in the order the narrative reads. Adding a subject is one function and one line there. Each
sentence has a ``key`` that names what it is about (not its numbers), so the next meeting can
tell new sentences from dropped ones.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from urllib.parse import urlencode

import pandas as pd

from dashboard.filters import Filters
from dashboard.metrics.defects import ordinal, pareto, rank_change_text, rank_changes
from dashboard.metrics.surge import surges
from dashboard.views.review_data import ReviewData

TOP_RANKS = 5  # the head of the Pareto whose rank changes are told
MIN_RANK_MOVE = 2  # smaller moves inside the head are routine
MAX_PER_SOURCE = 5  # longer lists end in one "and N more" sentence
GRADE_ORDER = {"A": 0, "B": 1, "C": 2, "D": 3}


@dataclasses.dataclass(frozen=True)
class Sentence:
    """One sentence of the narrative and the link that shows it."""

    key: str
    source: str
    text: str
    href: str
    tone: str = "neutral"  # worse, better, neutral, problem


Source = Callable[[ReviewData], list[Sentence]]


def link(path: str, filters: Filters, **extra: str | None) -> str:
    """``path`` with the period and plant of ``filters`` and ``extra`` parameters (None: left out)."""
    query = {**filters.to_query(), **{k: v for k, v in extra.items() if v}}
    return f"{path}?{urlencode(query)}"


def _scope(filters: Filters) -> str:
    return f"plant {filters.plant_id}" if filters.plant_id else "all plants"


def _direction(message: str) -> str:
    if "below the centre line" in message:
        return "below"
    return "above" if "above the centre line" in message else ""


def _more(source: str, key: str, count: int, what: str, href: str) -> Sentence:
    return Sentence(f"{source}:{key}", source, f"…and {count} more {what}.", href)


# --- sources ---------------------------------------------------------------------------------------


def _run_length(message: str) -> int:
    """How strongly a signal speaks: a run's length, 'k of n' points, or 1 for a single point."""
    if match := re.search(r"(\d+) points in a row (above|below|increasing|decreasing)", message):
        return int(match.group(1))
    if match := re.search(r"(\d+) of (\d+) points", message):
        return int(match.group(1))
    return 1


def spc_sentences(data: ReviewData) -> list[Sentence]:
    """Signals of the defects page's u′ chart and of the characteristics in process control."""
    filters, result = data.filters, []
    if data.defects is not None and data.defects.signals:
        signals = [s.removeprefix("First: ") for s in data.defects.signals if s != "…"]
        latest = signals[-1]
        lower = _direction(latest) == "below"
        text = f"The u′ chart of defects per unit ({_scope(filters)}) signals: {latest}"
        if len(signals) > 1:
            text += f" (first: {signals[0]})"
        text += ": fewer defects than its baseline." if lower else "."
        tone = "better" if lower else "worse"
        result.append(Sentence("spc:defects-u-chart", "spc", text, link("/defects", filters), tone))
    if data.characteristics is not None:
        flagged = [r for r in data.characteristics if r.status_key == "signal"]
        flagged.sort(key=lambda r: (-_run_length(r.signal), r.characteristic_id))
        for row in flagged[:3]:
            text = f"{row.characteristic_id} {row.name} ({row.line}, {row.plant_id}): {row.signal}."
            href = link("/process-control", filters, plant=row.plant_id, characteristic=row.characteristic_id)
            result.append(Sentence(f"spc:{row.characteristic_id}", "spc", text, href, "worse"))
        if len(flagged) > 3:
            text = (
                f"{len(flagged)} of {len(data.characteristics)} measured characteristics signal in their latest "
                "subgroups; the three above hold the longest runs."
            )
            result.append(Sentence("spc:characteristics", "spc", text, link("/process-control", filters)))
    return result


def okr_sentences(data: ReviewData) -> list[Sentence]:
    """Key results whose status changed (on track, at risk, off track, done) during the period."""
    if not data.okr:
        return []
    order = {"off track": 0, "at risk": 1, "not done yet": 2, "no forecast": 3, "on track": 4, "done": 5}
    result = []
    changes = sorted(data.okr, key=lambda c: (order.get(c.after, 9) - order.get(c.before, 9), c.key_result_id))
    for change in changes[:MAX_PER_SOURCE]:
        worse = order.get(change.after, 9) < order.get(change.before, 9)
        text = (
            f"Key result {change.key_result_id} “{change.title}” ({change.team}) went from {change.before} "
            f"to {change.after} since {change.since:%d %b %Y}."
        )
        href = f"/okr?{urlencode({'quarter': change.quarter})}"
        result.append(Sentence(f"okr:{change.key_result_id}", "okr", text, href, "worse" if worse else "better"))
    if len(changes) > MAX_PER_SOURCE:
        href = f"/okr?{urlencode({'quarter': changes[0].quarter})}"
        result.append(_more("okr", "more", len(changes) - MAX_PER_SOURCE, "key results changed status", href))
    return result


def pareto_sentences(data: ReviewData) -> list[Sentence]:
    """Defect codes that entered or left the Pareto's head, or moved inside it by two places or more.

    ``data.pareto`` holds every code with defects in either period, so the previous ranks are
    the previous period's own; a code of the previous head without any defect now is told as
    gone from the Pareto."""
    if data.pareto is None or data.pareto.empty:
        return []
    table = pareto(data.pareto, key="key", value="defect_count")
    table["previous_rank"] = rank_changes(table, "prev_defect_count")
    result = []
    for row in table.itertuples(index=False):
        before = None if pd.isna(row.previous_rank) else int(row.previous_rank)
        inside_now = row.rank <= TOP_RANKS and row.defect_count > 0
        inside_before = before is not None and before <= TOP_RANKS
        if not (inside_now or inside_before) or (before is not None and abs(before - row.rank) < MIN_RANK_MOVE):
            continue
        rose = before is None or row.rank < before
        if row.defect_count > 0:
            text = (
                f"{row.key} {row.label} {rank_change_text(before, row.rank)} in the defect Pareto "
                f"({row.defect_count:,.0f} defects, {row.share_pct:.0f} % of all)."
            )
        else:
            text = f"{row.key} {row.label} left the defect Pareto: no defects in this period ({ordinal(before)} before)."
        result.append(
            Sentence(
                f"pareto:{row.key}",
                "pareto",
                text,
                link("/defects", data.filters, code=str(row.key)),
                "worse" if rose else "better",
            )
        )
    return result[:MAX_PER_SOURCE]


def supplier_sentences(data: ReviewData) -> list[Sentence]:
    """Suppliers whose grade changed against the previous period: falls first, then rises, the
    largest moves first in each; suppliers with too little data to judge are left out."""
    card = data.scorecard
    if card is None or card.empty:
        return []
    changed = card[(card["grade_change"].fillna("") != "") & card["enough_data"].astype(bool)].copy()
    changed["fall"] = [
        GRADE_ORDER.get(g, 9) - GRADE_ORDER.get(p, 9) for g, p in zip(changed["grade"], changed["prev_grade"], strict=True)
    ]
    changed["order"] = [(0 if fall > 0 else 1, -abs(fall)) for fall in changed["fall"]]  # falls first, big moves first
    changed = changed.sort_values(["order", "supplier_id"])
    result = []
    for row in changed.head(MAX_PER_SOURCE).itertuples(index=False):
        verb = "fell" if row.fall > 0 else "rose"
        text = (
            f"Supplier {row.supplier_id} {row.supplier_name} {verb} from grade {row.prev_grade} to {row.grade} "
            f"(score {row.score:.0f}, volume-adjusted {row.shrunk_ppm:,.0f} PPM)."
        )
        href = link(f"/suppliers/{row.supplier_id}", data.filters)
        result.append(Sentence(f"suppliers:{row.supplier_id}", "suppliers", text, href, "worse" if row.fall > 0 else "better"))
    if len(changed) > MAX_PER_SOURCE:
        result.append(
            _more("suppliers", "more", len(changed) - MAX_PER_SOURCE, "suppliers changed grade", link("/suppliers", data.filters))
        )
    return result


def capa_effect_sentences(data: ReviewData) -> list[Sentence]:
    """Whether the CAPAs closed in the period cut their defect rate, and those recorded as
    effective that the data does not back."""
    effects = data.capa_effects
    if effects is None or not effects.judged:
        return []
    if effects.judged == 1:
        did = "cut" if effects.fell else "did not clearly cut"
        text = f"One CAPA closed in the period can be judged on its defect data: it {did} the defect rate of what it addresses."
    else:
        text = (
            f"Of the {effects.judged} CAPAs closed in the period that the defect data can judge, {effects.fell} cut the "
            f"defect rate of what they address ({effects.share:.0f} %)."
        )
    if effects.second_look:
        named = ", ".join(f"#{i}" for i in effects.second_look[:3])
        more = f" and {len(effects.second_look) - 3} more" if len(effects.second_look) > 3 else ""
        text += f" Recorded as effective without a clear fall: {named}{more}."
    tone = "worse" if effects.second_look else "neutral"
    return [Sentence("capa:effects", "capa", text, link("/capa", data.filters), tone)]


def capa_sentences(data: ReviewData) -> list[Sentence]:
    """The CAPAs overdue on the period's last day and the most overdue one; then whether the
    CAPAs closed in the period worked (:func:`capa_effect_sentences`)."""
    return _overdue_sentences(data) + capa_effect_sentences(data)


def _overdue_sentences(data: ReviewData) -> list[Sentence]:
    if data.capas is None:
        return []
    href = link("/capa", data.filters, status="overdue")
    end = f"{data.filters.end_date:%d %b %Y}"
    if data.capas.empty:
        return [Sentence("capa:overdue", "capa", f"No CAPA is overdue on {end}.", href, "better")]
    first = data.capas.iloc[0]
    total, fell_due = int(first["overdue_total"]), int(first["fell_due_total"])
    due = pd.Timestamp(first["due_date"])
    text = (
        f"{total} CAPA{'s are' if total != 1 else ' is'} overdue on {end} ({fell_due} fell due in this period); "
        f"the most overdue is #{int(first['capa_id'])} “{first['title']}” ({first['plant_id']}, {first['owner']}), "
        f"due {due:%d %b %Y}, {int(first['days_overdue'])} days late."
    )
    return [Sentence("capa:overdue", "capa", text, href, "worse")]


def complaint_sentences(data: ReviewData) -> list[Sentence]:
    """Defect codes whose complaints rose beyond chance against the previous period."""
    frame = data.complaints
    if frame is None or frame.empty:
        return []
    coded = frame[frame["key"].notna()]
    found = surges(coded, "complaints", "prev_complaints")
    found = found[found["surge"]].sort_values(["p_value", "key"])
    result = []
    for row in found.head(MAX_PER_SOURCE).itertuples(index=False):
        chance = "p < 0.001" if row.p_value < 0.001 else f"p = {row.p_value:.3f}"
        text = (
            f"Complaints about {row.key} {row.label} rose from {row.prev_complaints:,.0f} to {row.complaints:,.0f} "
            f"against the previous period ({chance}: more than chance)."
        )
        href = link("/voc", data.filters, code=str(row.key))
        result.append(Sentence(f"complaints:{row.key}", "complaints", text, href, "worse"))
    return result


SOURCES: tuple[Source, ...] = (
    spc_sentences,
    okr_sentences,
    pareto_sentences,
    supplier_sentences,
    capa_sentences,
    complaint_sentences,
)


def narrative(data: ReviewData, sources: tuple[Source, ...] = SOURCES) -> tuple[Sentence, ...]:
    """Every source's sentences in order, then one per subject that could not be read."""
    sentences = [sentence for source in sources for sentence in source(data)]
    if not sentences and not data.problems:
        sentences.append(
            Sentence("none", "none", "Nothing changed beyond routine variation in this period.", link("/", data.filters))
        )
    for subject, message in data.problems:
        sentences.append(Sentence(f"problem:{subject}", "problem", f"{subject}: {message}", "", "problem"))
    return tuple(sentences)
