"""One supplier's scorecard as a one-page A4 PDF (matplotlib, no pyplot): the header with the
grade, the key figures, the PPM p chart, the Pareto of rejected parts, the SCAR list and notes.

Text from outside (supplier names, part numbers, SCAR descriptions) is drawn as plain text
(``parse_math=False``: "$x$" stays "$x$"), stripped of control characters and truncated with
"…" to the width it has, measured with the font's metrics. Characters the bundled DejaVu font
has no glyph for are drawn as "?".
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextToPath
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

from dashboard.figures.suppliers import GRADE_COLOURS
from dashboard.figures.theme import PALETTE, STATUS_COLOURS

ScarRow = tuple[object, str, "float | int | None", str]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FAMILY = "DejaVu Sans"  # bundled with matplotlib, so every machine draws the same page
PAGE_W, PAGE_H = 595.0, 842.0  # A4 portrait, in points
MARGIN = 36.0
INK, MUTED, RULE, SHADE = "#1f2328", "#57606a", "#d0d7de", "#f6f8fa"
SERIES_COLOUR, CENTRE_COLOUR, LIMIT_COLOUR = PALETTE[0], PALETTE[2], PALETTE[3]
FLAGGED_COLOUR, BAR_COLOUR, OVERDUE_COLOUR = STATUS_COLOURS["act"], PALETTE[0], STATUS_COLOURS["act"]
MAX_NUMBERS, MAX_PARTS, MAX_SCARS = 12, 8, 8
FOOTER_TOP = PAGE_H - MARGIN - 12  # the footer's rule; nothing above may reach it
PARETO_SHARE = 80.0


@dataclass(frozen=True)
class SupplierCard:
    """Everything on one supplier's page, already computed and formatted where it is text.

    ``numbers``: (label, value text) pairs for the key-figures table (up to 12 shown).
    ``trend``: ``bucket_date``, ``ppm``, ``centre``, ``ucl``, ``lcl``, ``flagged`` (bool) per
    bucket, in PPM. ``parts``: ``part_number``, ``units_rejected`` (repeats are summed).
    ``scars``: (opened, status, age_days, description) rows, newest first (8 shown).
    """

    supplier_id: str
    supplier_name: str
    commodity: str
    period_label: str
    as_of: datetime
    grade: str | None
    prev_grade: str | None
    rank: int | None
    of_suppliers: int
    score: float | None
    numbers: tuple[tuple[str, str], ...] = ()
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    parts: pd.DataFrame = field(default_factory=pd.DataFrame)
    scars: Sequence[ScarRow] = ()
    notes: tuple[str, ...] = ()


# --- text ------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@functools.cache
def _glyphs() -> frozenset[int]:
    return frozenset(get_font(findfont(FontProperties(family=FAMILY))).get_charmap())


@functools.cache
def _measurer() -> TextToPath:
    return TextToPath()


def _clean(value: object) -> str:
    """Untrusted text on one line, with characters the font cannot draw as "?"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = _CONTROL.sub(" ", str(value)).strip()
    glyphs = _glyphs()
    return "".join(c if ord(c) in glyphs else "?" for c in text)


def _font(size: float, bold: bool = False, italic: bool = False) -> FontProperties:
    return FontProperties(family=FAMILY, size=size, weight="bold" if bold else "normal", style="italic" if italic else "normal")


@functools.lru_cache(maxsize=4096)
def _width(text: str, font: FontProperties) -> float:
    """The drawn width of ``text`` in points."""
    return _measurer().get_text_width_height_descent(text, font, ismath=False)[0] if text else 0.0


def _fit(text: str, width: float, font: FontProperties) -> str:
    """``text`` cut to ``width`` points with a trailing "…" (the longest prefix that fits)."""
    if _width(text, font) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if _width(text[:middle].rstrip() + "…", font) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…" if low else "…"


def _wrap(text: str, width: float, font: FontProperties) -> list[str]:
    """Words of ``text`` in lines of at most ``width`` points (an over-long word is cut)."""
    lines: list[str] = []
    for word in re.split(r"[ \t]+", text.replace(" %", "\u00a0%")):  # never "20" at a line's end and "%" below
        if not word:
            continue
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and _width(candidate, font) <= width:
            lines[-1] = candidate
        else:
            lines.append(_fit(word, width, font))
    return lines


def _day(moment: datetime | date) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _stamp(moment: datetime) -> str:
    """ "14:05 UTC, 30 Nov 2026"."""
    moment = _utc(moment)
    return f"{moment:%H:%M} UTC, {_day(moment)}"


def _opened(value: object) -> str:
    if isinstance(value, datetime | date | pd.Timestamp) and not pd.isna(value):
        return _day(value)
    return _clean(value)


def _number(value: object, decimals: int = 0) -> str:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    return f"{number:,.{decimals}f}" if math.isfinite(number) else "–"


def _grade(value: object) -> str:
    return _clean(value).upper()[:2] if isinstance(value, str) else ""


# --- the page --------------------------------------------------------------------------------


class _Page:
    """A figure addressed in points from the page's top left."""

    def __init__(self) -> None:
        self.figure = Figure(figsize=(PAGE_W / 72, PAGE_H / 72), dpi=72)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 9,
        bold: bool = False,
        italic: bool = False,
        colour: str = INK,
        ha: str = "left",
        va: str = "baseline",
        width: float | None = None,
    ) -> None:
        """Plain text (never mathtext) at (``x``, ``y``), cut to ``width`` points when given."""
        font = _font(size, bold, italic)
        if width is not None:
            text = _fit(text, width, font)
        self.figure.text(
            x / PAGE_W, 1 - y / PAGE_H, text, fontproperties=font, color=colour, ha=ha, va=va, parse_math=False, usetex=False
        )

    def box(self, x: float, y: float, w: float, h: float, *, fill: str = "none", edge: str = "none", width: float = 0) -> None:
        rect = Rectangle(
            (x / PAGE_W, 1 - (y + h) / PAGE_H), w / PAGE_W, h / PAGE_H, facecolor=fill, edgecolor=edge, linewidth=width
        )
        self.figure.add_artist(rect)

    def rule(self, y: float, x0: float = MARGIN, x1: float = PAGE_W - MARGIN, colour: str = RULE) -> None:
        self.box(x0, y, x1 - x0, 0.75, fill=colour)

    def axes(self, x: float, y: float, w: float, h: float) -> Axes:
        return self.figure.add_axes((x / PAGE_W, 1 - (y + h) / PAGE_H, w / PAGE_W, h / PAGE_H))

    def heading(self, x: float, y: float, text: str) -> None:
        self.text(x, y, text, size=11, bold=True)

    def empty(self, x: float, y: float, w: float, h: float, sentence: str) -> None:
        """A panel with nothing to draw: a light frame with ``sentence`` in the middle."""
        self.box(x, y, w, h, fill=SHADE, edge=RULE, width=0.75)
        self.text(x + w / 2, y + h / 2, sentence, size=9.5, italic=True, colour=MUTED, ha="center", va="center", width=w - 16)

    def pdf(self, title: str) -> bytes:
        buffer = io.BytesIO()
        metadata = {"Title": title, "Creator": "Quality dashboard", "CreationDate": None}
        self.figure.savefig(buffer, format="pdf", metadata=metadata)
        return buffer.getvalue()


def _header(page: _Page, card: SupplierCard) -> None:
    box_w, box_h = 78.0, 84.0
    box_x, box_y = PAGE_W - MARGIN - box_w, MARGIN
    name_w = box_x - 14 - MARGIN  # the name runs up to the grade box
    side_w = 120.0  # rank and score, right-aligned below the name's end
    text_w = name_w - side_w - 12
    page.text(MARGIN, MARGIN + 8, "SUPPLIER SCORECARD", size=8, bold=True, colour=MUTED)
    name = _clean(card.supplier_name) or _clean(card.supplier_id)
    for size in (18, 15.5, 13):  # shrink a long name before cutting it
        if _width(name, _font(size, bold=True)) <= name_w:
            break
    page.text(MARGIN, MARGIN + 30, name, size=size, bold=True, width=name_w)
    commodity = _clean(card.commodity)
    identity = f"Supplier {_clean(card.supplier_id)}" + (f" · Commodity: {commodity}" if commodity else "")
    page.text(MARGIN, MARGIN + 52, identity, size=10, width=text_w)
    page.text(MARGIN, MARGIN + 67, f"Period: {_clean(card.period_label)}", size=10, width=text_w)
    page.text(MARGIN, MARGIN + 82, f"Data as of {_stamp(card.as_of)}", size=10, colour=MUTED, width=text_w)

    right = MARGIN + name_w
    ranked = card.rank is not None
    rank = f"Rank {card.rank:,} of {card.of_suppliers:,}" if ranked else "Not ranked"
    page.text(right, MARGIN + 52, rank, size=11, bold=True, ha="right", width=side_w)
    scored = card.score is not None and math.isfinite(card.score)
    page.text(right, MARGIN + 67, f"Score {card.score:.0f} / 100" if scored else "No score", size=10, ha="right", width=side_w)
    if ranked:
        page.text(right, MARGIN + 82, "rank 1 is the best", size=8, colour=MUTED, ha="right", width=side_w)

    grade, previous = _grade(card.grade), _grade(card.prev_grade)
    colour = GRADE_COLOURS.get(grade, MUTED)
    page.box(box_x, box_y, box_w, box_h, fill=colour + "22", edge=colour, width=2.5)
    centre = box_x + box_w / 2
    page.text(centre, box_y + 14, "GRADE", size=8.5, bold=True, ha="center", colour=INK)
    page.text(centre, box_y + 50, grade or "–", size=34, bold=True, ha="center")
    if not grade:
        change = "not graded"
    elif not previous:
        change = "first grade"
    else:
        change = "unchanged" if previous == grade else f"was {previous}"
    page.text(centre, box_y + 72, change, size=8.5, ha="center", width=box_w - 8)
    page.rule(MARGIN + 96, colour=INK)


def _numbers(page: _Page, card: SupplierCard, x: float, y: float, w: float, h: float) -> None:
    page.heading(x, y, "Key figures")
    rows = [(_clean(label), _clean(value)) for label, value in card.numbers]
    if not rows:
        page.empty(x, y + 10, w, h - 10, "No figures for this period.")
        return
    shown = rows if len(rows) <= MAX_NUMBERS else rows[: MAX_NUMBERS - 1]
    pitch, size, gap = 14.0, 8.5, 12.0
    labels = max(_width(label, _font(size)) for label, _ in shown)
    values = max(_width(value, _font(size, bold=True)) for _, value in shown)
    room = w - 8 - gap
    # Each column gets what it needs when both fit; else the values keep theirs up to 60 %.
    value_w = values if labels + values <= room else min(values, max(room * 0.6, room - labels))
    label_w = room - value_w
    top = y + 10
    for i, (label, value) in enumerate(shown):
        row_y = top + i * pitch
        if i % 2 == 0:
            page.box(x, row_y, w, pitch, fill=SHADE)
        baseline = row_y + pitch - 4
        page.text(x + 4, baseline, label, size=size, colour=MUTED, width=label_w)
        page.text(x + w - 4, baseline, value, size=size, bold=True, ha="right", width=value_w)
    if len(shown) < len(rows):
        more = f"+ {len(rows) - len(shown)} more"
        page.text(x + 4, top + len(shown) * pitch + 10.5, more, size=8, italic=True, colour=MUTED)


def _parts_rows(parts: pd.DataFrame) -> pd.Series:
    if parts is None or parts.empty or not {"part_number", "units_rejected"} <= set(parts.columns):
        return pd.Series(dtype=float)
    values = pd.to_numeric(parts["units_rejected"], errors="coerce")
    totals = values.groupby(parts["part_number"].map(_clean)).sum(min_count=1).dropna()
    totals = totals[totals > 0]
    order = sorted(totals.index, key=lambda part: (-totals[part], part))  # ties in part-number order
    return totals.reindex(order)


def _pareto(page: _Page, card: SupplierCard, x: float, y: float, w: float, h: float) -> None:
    page.heading(x, y, "Rejected units by part")
    totals = _parts_rows(card.parts)
    if totals.empty:
        page.empty(x, y + 10, w, h - 10, "No rejected units in this period.")
        return
    total = float(totals.sum())
    shown = totals.head(MAX_PARTS)
    label_w = 78.0
    ax = page.axes(x + label_w + 4, y + 14, w - label_w - 4, h - 44)
    positions = np.arange(len(shown))
    ax.barh(positions, shown.to_numpy(dtype=float), height=0.66, color=BAR_COLOUR)
    ax.set_ylim(len(shown) - 0.5 if len(shown) >= 4 else 3.5, -0.5)  # the biggest at the top; thin bars when few
    ax.set_xlim(0, float(shown.max()) * 1.55)
    ax.set_yticks([])
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(MUTED)
    labels = blended_transform_factory(ax.transAxes, ax.transData)
    label_font, value_font = _font(8), _font(7.5)
    for position, (part, units) in zip(positions, shown.items(), strict=True):
        ax.text(
            -0.02,
            position,
            _fit(part, label_w, label_font),
            transform=labels,
            ha="right",
            va="center",
            fontproperties=label_font,
            color=INK,
            parse_math=False,
            usetex=False,
        )
        ax.text(
            units,
            position,
            f"  {units:,.0f} ({units / total * 100:.0f} %)",
            ha="left",
            va="center",
            fontproperties=value_font,
            color=INK,
            parse_math=False,
            usetex=False,
        )
    cumulative = totals.cumsum() / total * 100
    vital = int(np.searchsorted(cumulative.to_numpy(), PARETO_SHARE - 1e-9) + 1)
    parts = f"{vital} of {len(totals)} part{'s' if len(totals) != 1 else ''}"
    captions = [f"{parts} make{'s' if vital == 1 else ''} up {PARETO_SHARE:.0f}\u00a0% of the {total:,.0f} rejected units."]
    if len(totals) > len(shown):
        rest = len(totals) - len(shown)
        captions.append(f"+ {rest} more part{'s' if rest != 1 else ''} ({totals.iloc[len(shown) :].sum():,.0f} units) not shown.")
    for i, caption in enumerate(captions):
        page.text(x, y + h - 14 + i * 10, caption, size=7.5, colour=MUTED, width=w)


def _trend_frame(trend: pd.DataFrame) -> pd.DataFrame:
    if trend is None or trend.empty or not {"bucket_date", "ppm"} <= set(trend.columns):
        return pd.DataFrame()
    when = pd.DatetimeIndex(pd.to_datetime(pd.Series(trend["bucket_date"], dtype=object).reset_index(drop=True)))
    when = when.tz_localize(None) if when.tz is not None else when
    frame = pd.DataFrame({"when": when})
    for column in ("ppm", "centre", "ucl", "lcl"):
        values = trend[column] if column in trend else pd.Series(np.nan, index=trend.index)
        frame[column] = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    flags = trend["flagged"] if "flagged" in trend else pd.Series(False, index=trend.index)
    frame["flagged"] = [False if pd.isna(v) else bool(v) for v in flags]
    frame = frame.dropna(subset=["when"]).sort_values("when", kind="stable").reset_index(drop=True)
    return frame if frame["ppm"].notna().any() else pd.DataFrame()


def _trend(page: _Page, card: SupplierCard, x: float, y: float, w: float, h: float) -> None:
    page.heading(x, y, "PPM trend (p chart, in parts per million)")
    frame = _trend_frame(card.trend)
    if frame.empty:
        page.empty(x, y + 10, w, h - 10, "No receipts inspected in this period, so there is no PPM trend.")
        return
    ax = page.axes(x + 44, y + 34, w - 52, h - 58)
    when = frame["when"].to_numpy(dtype="datetime64[ns]")
    ax.plot(when, frame["ppm"], color=SERIES_COLOUR, linewidth=1.4, marker="o", markersize=3.5, label="PPM", zorder=3)
    ax.step(when, frame["centre"], where="mid", color=CENTRE_COLOUR, linewidth=1.2, label="Centre line", zorder=2)
    ax.step(when, frame["ucl"], where="mid", color=LIMIT_COLOUR, linewidth=1.1, linestyle="--", label="Control limits", zorder=2)
    ax.step(when, frame["lcl"], where="mid", color=LIMIT_COLOUR, linewidth=1.1, linestyle="--", zorder=2)
    flagged = frame[frame["flagged"]]
    if not flagged.empty:
        ax.plot(
            flagged["when"].to_numpy(dtype="datetime64[ns]"),
            flagged["ppm"],
            linestyle="none",
            marker="D",
            markersize=6.5,
            color=FLAGGED_COLOUR,
            markeredgecolor="white",
            markeredgewidth=0.6,
            label="Flagged (signal)",
            zorder=4,
        )
    values = frame[["ppm", "ucl", "centre"]].to_numpy(dtype=float)
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    ax.set_ylim(0, max(top, 1.0) * 1.1)
    if len(frame) == 1:
        ax.set_xlim(when[0] - np.timedelta64(7, "D"), when[0] + np.timedelta64(7, "D"))
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    # Months and days on the ticks; the corner names the year alone (never "2026-Nov").
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, offset_formats=["", "%Y", "%Y", "%Y", "%Y", "%Y"]))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.tick_params(labelsize=7.5, colors=MUTED, length=3)
    ax.xaxis.get_offset_text().set_fontsize(7.5)
    ax.xaxis.get_offset_text().set_color(MUTED)
    ax.grid(axis="y", color=RULE, linewidth=0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
    legend = ax.legend(
        loc="lower left",
        bbox_to_anchor=(0, 1.01),
        ncols=4,
        fontsize=7.5,
        frameon=False,
        handlelength=2.2,
        borderaxespad=0,
        columnspacing=1.4,
    )
    for text in legend.get_texts():
        text.set_parse_math(False)


def _scars(page: _Page, card: SupplierCard, x: float, y: float, w: float) -> float:
    """The SCAR table; returns where the next section may start."""
    rows = list(card.scars)
    page.heading(x, y, "Supplier corrective actions (SCARs)")
    if not rows:
        page.empty(x, y + 10, w, 36, "No SCARs for this supplier in this period.")
        return y + 58
    columns = ((x + 4, 66, "Opened", "left"), (x + 76, 62, "Status", "left"), (x + 186, 60, "Age (days)", "right"))
    description_x = x + 200
    header = y + 22
    for left, width, label, align in columns:
        page.text(left if align == "left" else left - 4, header, label, size=8, bold=True, colour=MUTED, ha=align, width=width)
    page.text(description_x, header, "Description", size=8, bold=True, colour=MUTED)
    page.rule(header + 4)
    pitch, top = 13.5, header + 5
    for i, (opened, status, age, description) in enumerate(rows[:MAX_SCARS]):
        row_y = top + i * pitch
        if i % 2 == 1:
            page.box(x, row_y, w, pitch, fill=SHADE)
        baseline = row_y + pitch - 4
        state = _clean(status)
        overdue = "overdue" in state.lower()
        page.text(columns[0][0], baseline, _opened(opened), size=8.5, width=columns[0][1])
        page.text(
            columns[1][0], baseline, state, size=8.5, bold=overdue, colour=OVERDUE_COLOUR if overdue else INK, width=columns[1][1]
        )
        page.text(columns[2][0] - 4, baseline, _number(age), size=8.5, ha="right", width=columns[2][1])
        page.text(description_x, baseline, _clean(description), size=8.5, width=x + w - description_x - 4)
    end = top + min(len(rows), MAX_SCARS) * pitch
    if len(rows) > MAX_SCARS:
        page.text(x + 4, end + 11, f"+ {len(rows) - MAX_SCARS} more", size=8, italic=True, colour=MUTED)
        end += 14
    return end + 8


def _notes(page: _Page, card: SupplierCard, x: float, y: float, w: float) -> None:
    notes = [_clean(note) for note in card.notes if _clean(note)]
    if not notes:
        return
    page.heading(x, y, "Notes")
    font = _font(8.5)
    lines: list[tuple[bool, str]] = []
    for note in notes:
        lines += [(i == 0, line) for i, line in enumerate(_wrap(note, w - 14, font))]
    pitch = 12.0
    room = max(1, int((FOOTER_TOP - 6 - (y + 16)) // pitch) + 1)  # lines that end above the footer
    if len(lines) > room:
        first, last = lines[room - 1]
        lines = [*lines[: room - 1], (first, _fit(last + " …", w - 14, font))]
    for i, (first, line) in enumerate(lines):
        baseline = y + 16 + i * pitch
        if first:
            page.text(x + 2, baseline, "•", size=8.5, colour=MUTED)
        page.text(x + 12, baseline, line, size=8.5)


def _footer(page: _Page, card: SupplierCard, generated_at: datetime) -> None:
    y = FOOTER_TOP + 14
    page.rule(FOOTER_TOP)
    page.text(MARGIN, y, f"Generated {_stamp(generated_at)} by the Quality dashboard", size=7.5, colour=MUTED)
    page.text(
        PAGE_W - MARGIN, y, f"Supplier {_clean(card.supplier_id)} · page 1 of 1", size=7.5, colour=MUTED, ha="right", width=200
    )


def scorecard_pdf(card: SupplierCard, *, generated_at: datetime | None = None) -> bytes:
    """``card`` as the bytes of a one-page A4 portrait PDF.

    The footer states ``generated_at`` (default: now, UTC); with it fixed the bytes are the same
    on every call (the PDF carries no creation date). Metadata: Title "Supplier scorecard –
    {name} ({id}) – {period}", Creator "Quality dashboard".
    """
    page = _Page()
    width = PAGE_W - 2 * MARGIN
    _header(page, card)
    column = (width - 20) / 2
    _numbers(page, card, MARGIN, 152, column, 182)
    _pareto(page, card, MARGIN + column + 20, 152, column, 182)
    _trend(page, card, MARGIN, 352, width, 192)
    end = _scars(page, card, MARGIN, 564, width)
    _notes(page, card, MARGIN, end + 10, width)
    _footer(page, card, generated_at or datetime.now(UTC))
    name = _clean(card.supplier_name) or _clean(card.supplier_id)
    return page.pdf(f"Supplier scorecard – {name} ({_clean(card.supplier_id)}) – {_clean(card.period_label)}")
