"""Did the CAPAs closed in a period work? Each one that names a line or a defect code is judged
on its defect data by the rules of its own page (:func:`dashboard.views.capa_detail.judge`):
defects per 1,000 units inspected of what it addresses, in the twelve weeks before it was opened
against the twelve weeks after it closed. The sums come from one set-wise query
(:mod:`dashboard.queries.capa_effects`); here each CAPA gets its test, and the period gets its
count of CAPAs whose rate fell, and the list of those recorded as effective that the data does not
back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pandas as pd

from dashboard.metrics.effect import ALPHA, RateChange
from dashboard.views.capa_detail import (
    MIN_AFTER_DAYS,
    MIN_PRODUCTION_DAYS,
    WINDOW_DAYS,
    Judgement,
    agreement,
    day_of,
    judge_many,
    recorded,
    scope_text,
    text_of,
)

VERDICTS = ("fell", "no clear change", "rose", "nothing to compare", "too little data", "too soon")
JUDGED = ("fell", "no clear change", "rose")  # the verdicts the data can give
NOTES = {
    "second look": "Worth a second look: recorded effective, no clear fall",
    "fell anyway": "Fell, though recorded not effective",
    "unchecked": "No check recorded yet",
    "agrees": "",
}
RECORDED = {True: "Effective", False: "Not effective", None: "Not checked"}
MAX_NAMED = 5  # CAPAs named in the sentence


@dataclasses.dataclass(frozen=True)
class EffectRow:
    """One CAPA closed in the period: what it addresses and what its defect data says."""

    capa_id: int
    title: str
    closed: str  # ISO date
    addresses: str  # "D03 on line P01-L08"
    before: float | None  # defects per 1,000 units inspected, before it was opened
    after: float | None  # and after it closed
    change: str  # "−35 % (−52 to −12 %)", "" without a judgement
    verdict: str  # one of VERDICTS
    recorded: str  # Effective, Not effective, Not checked
    note: str  # NOTES, or ""


@dataclasses.dataclass(frozen=True)
class CapaEffects:
    """The period's CAPAs against their data: counts per verdict, the rows (disagreements first)
    and a sentence for the page and the review."""

    counts: dict[str, int]
    second_look: tuple[int, ...]  # recorded effective, no clear fall in the data
    rows: tuple[EffectRow, ...]
    sentence: str

    @property
    def judged(self) -> int:
        return sum(self.counts[v] for v in JUDGED)

    @property
    def fell(self) -> int:
        return self.counts["fell"]

    @property
    def share(self) -> float | None:
        """% of the judged CAPAs whose rate fell (None when none could be judged)."""
        return 100.0 * self.fell / self.judged if self.judged else None


def _change(effect: RateChange | None) -> str:
    if effect is None:
        return ""
    if math.isinf(effect.ratio):
        return "up from none"
    high = "∞" if math.isinf(effect.ratio_high) else f"{100 * (effect.ratio_high - 1):+.0f}"
    return f"{effect.change_pct:+.0f} % ({100 * (effect.ratio_low - 1):+.0f} to {high} %)"


def _row(record: dict, judged: Judgement) -> tuple[EffectRow, str]:
    effect = judged.effect
    agreed = agreement(recorded(record["effective"]), effect)
    row = EffectRow(
        capa_id=int(record["capa_id"]),
        title=str(record["title"]),
        closed=f"{day_of(record['closed_date']):%Y-%m-%d}",
        addresses=scope_text(str(record["plant_id"]), text_of(record["line_id"]), text_of(record["defect_code"]), short=True),
        before=round(effect.before_per_thousand, 2) if effect else None,
        after=round(effect.after_per_thousand, 2) if effect else None,
        change=_change(effect),
        verdict=judged.verdict,
        recorded=RECORDED[recorded(record["effective"])],
        note=NOTES.get(agreed, ""),
    )
    return row, agreed


def _numbered(ids: list[int]) -> str:
    named = ", ".join(f"#{i}" for i in ids[:MAX_NAMED])
    return named + (f" and {len(ids) - MAX_NAMED} more" if len(ids) > MAX_NAMED else "")


def _sentence(counts: dict[str, int], second_look: list[int], total: int) -> str:
    if not total:
        return "No CAPA that names a line or a defect code was closed in the period, so there is no effect to measure."
    judged = sum(counts[v] for v in JUDGED)
    text = (
        f"{total:,} CAPA{'s' if total != 1 else ''} closed in the period name{'s' if total == 1 else ''} a line or a defect "
        f"code. "
    )
    if judged:
        text += (
            f"{judged:,} could be judged on defects per 1,000 units, {WINDOW_DAYS // 7} weeks before opening against up to "
            f"{WINDOW_DAYS // 7} weeks after closing: the rate fell after {counts['fell']:,}, showed no clear change after "
            f"{counts['no clear change']:,} and rose after {counts['rose']:,}. "
        )
    waiting = [
        f"{counts['too soon']:,} closed less than {MIN_AFTER_DAYS} days ago" if counts["too soon"] else "",
        f"{counts['too little data']:,} had fewer than {MIN_PRODUCTION_DAYS} production days on a side"
        if counts["too little data"]
        else "",
        f"{counts['nothing to compare']:,} had no defects or units to compare" if counts["nothing to compare"] else "",
    ]
    waiting = [w for w in waiting if w]
    if waiting:
        text += "Not judged: " + "; ".join(waiting) + ". "
    if second_look:
        text += f"Recorded as effective but no clear fall in the data: {_numbered(second_look)}, worth a second look. "
    if judged >= 2:
        chance = ALPHA / 2 * judged  # expected "fell" verdicts (one tail of the two-sided test) if none had changed anything
        text += (
            f"Each CAPA is tested on its own at the {100 * ALPHA:g} % level: even if none had changed anything, "
            f"up to about {chance:.1f} of these {judged:,} would show a fall by chance."
        )
    return text.strip()


def capa_effects(frame: pd.DataFrame, today: dt.date) -> CapaEffects:
    """The verdicts of the CAPAs in ``frame`` (the ``capa_effects`` dataset) as of ``today``."""
    records = frame.to_dict("records")
    cases = [
        (day_of(r["closed_date"]), {k: float(v) for k, v in r.items() if k.startswith(("before_", "after_"))}) for r in records
    ]
    rows, agreed = [], []
    for record, judged in zip(records, judge_many(cases, today), strict=True):
        row, how = _row(record, judged)
        rows.append(row)
        agreed.append(how)
    counts = {v: sum(r.verdict == v for r in rows) for v in VERDICTS}
    second_look = [r.capa_id for r, how in zip(rows, agreed, strict=True) if how == "second look"]
    order = {"second look": 0, "fell anyway": 1}
    ranked = sorted(zip(rows, agreed, strict=True), key=lambda pair: order.get(pair[1], 2))
    return CapaEffects(
        counts=counts,
        second_look=tuple(second_look),
        rows=tuple(r for r, _ in ranked),
        sentence=_sentence(counts, second_look, len(rows)),
    )
