"""The one-page supplier scorecard PDF: structure, text (via pdftotext when installed), empty
panels, hostile text and deterministic output."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from dashboard.figures.supplier_pdf import SupplierCard, scorecard_pdf

GENERATED = datetime(2026, 11, 30, 14, 7, tzinfo=UTC)
PERIOD = "1 Sep 2026 – 30 Nov 2026"
HOSTILE = "$\\alpha$ <script> & Co"
PDFTOTEXT = shutil.which("pdftotext")
# Reading the PDF's text needs poppler's pdftotext: skipped without it locally, a failure in CI.
needs_pdftotext = pytest.mark.skipif(
    PDFTOTEXT is None and os.environ.get("CI", "").lower() != "true", reason="pdftotext (poppler-utils) is not installed"
)


def trend() -> pd.DataFrame:
    weeks = pd.date_range("2026-09-07", periods=12, freq="7D", tz="UTC")
    ppm = np.array([1700, 1450, 3100, 1900, 1650, 1700, 1500, 1400, 1650, 4200, 1700, 2200], dtype=float)
    return pd.DataFrame(
        {
            "bucket_date": weeks,
            "ppm": ppm,
            "centre": 1800.0,
            "ucl": [3300.0, 3900.0, 3800.0, 3700.0] * 3,
            "lcl": [300.0, 0.0, 0.0, 0.0] * 3,
            "flagged": [i == 9 for i in range(12)],
        }
    )


def card(**changes: object) -> SupplierCard:
    base = SupplierCard(
        supplier_id="S-017",
        supplier_name="Hexagon Precision Castings",
        commodity="Castings",
        period_label=PERIOD,
        as_of=datetime(2026, 11, 30, 14, 5, tzinfo=UTC),
        grade="C",
        prev_grade="B",
        rank=12,
        of_suppliers=60,
        score=64.2,
        numbers=(
            ("Lots received", "142"),
            ("Units received", "84,210"),
            ("Units rejected", "266"),
            ("PPM (95 % interval)", "3,159 (2,790 – 3,562)"),
            ("Lot acceptance", "93.7 %"),
            ("On-time delivery", "88.2 %"),
            ("SCARs open / overdue", "5 / 2"),
            ("Mean days to close a SCAR", "34"),
            ("Last audit score", "78 / 100"),
            ("Charge-backs", "€ 12,480"),
        ),
        trend=trend(),
        parts=pd.DataFrame({"part_number": ["HX-1", "HX-2", "BRK-7", "HX-1", "CLP-1"], "units_rejected": [100, 64, 31, 20, 10]}),
        scars=[
            (datetime(2026, 11, 20), "open", 10, "Porosity on the machined face"),
            (datetime(2026, 10, 2), "overdue", 59, "Wrong drawing revision used"),
        ],
        notes=("Ranked on the volume-adjusted (empirical-Bayes) PPM.",),
    )
    return replace(base, **changes)


def render(scorecard: SupplierCard) -> bytes:
    return scorecard_pdf(scorecard, generated_at=GENERATED)


def pages(pdf: bytes) -> int:
    """Page objects in the file (``/Type /Page``, not ``/Pages``)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def title(pdf: bytes) -> str:
    """The Info dictionary's Title, decoded from its PDF literal string."""
    start = pdf.index(b"/Title") + len(b"/Title")
    start = pdf.index(b"(", start) + 1
    raw, depth, i = bytearray(), 1, start
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    while True:
        byte = pdf[i]
        if byte == ord("\\"):
            following = pdf[i + 1]
            raw += escapes.get(following, bytes([following]))
            i += 2
            continue
        if byte == ord("("):
            depth += 1
        elif byte == ord(")"):
            depth -= 1
            if depth == 0:
                break
        raw.append(byte)
        i += 1
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def text(pdf: bytes) -> str:
    """The page's text as pdftotext reads it."""
    assert PDFTOTEXT is not None
    return subprocess.run([PDFTOTEXT, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode("utf-8")


def test_the_pdf_is_one_page() -> None:
    pdf = render(card())
    assert pdf.startswith(b"%PDF")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert pages(pdf) == 1
    assert re.search(rb"/Type\s*/Pages\s*/Kids\s*\[[^\]]*\]\s*/Count 1\b", pdf)


def test_the_metadata_names_the_supplier_and_period_without_a_creation_date() -> None:
    pdf = render(card())
    assert title(pdf) == f"Supplier scorecard – Hexagon Precision Castings (S-017) – {PERIOD}"
    assert b"/Creator (Quality dashboard)" in pdf
    assert b"/CreationDate" not in pdf


def test_the_same_card_gives_the_same_bytes() -> None:
    assert render(card()) == render(card())
    later = scorecard_pdf(card(), generated_at=GENERATED + timedelta(minutes=1))
    assert later != render(card())


def test_the_page_shows_the_supplier_period_and_times() -> None:
    pdf = render(card())
    if PDFTOTEXT is None:  # text is drawn as glyphs: fall back on the metadata
        assert "Hexagon Precision Castings" in title(pdf) and PERIOD in title(pdf)
        return
    page = text(pdf)
    for expected in (
        "Hexagon Precision Castings",
        f"Period: {PERIOD}",
        "Data as of 14:05 UTC, 30 Nov 2026",
        "Rank 12 of 60",
        "Score 64 / 100",
        "GRADE",
        "was B",
        "Generated 14:07 UTC, 30 Nov 2026",
        "Mean days to close a SCAR",
        "3,159 (2,790 – 3,562)",
        "Porosity on the machined face",
        "Ranked on the volume-adjusted (empirical-Bayes) PPM.",
    ):
        assert expected in page, expected


@needs_pdftotext
def test_the_pareto_sums_repeated_parts_and_names_the_vital_few() -> None:
    page = text(render(card()))
    assert "120 (53 %)" in page  # HX-1: 100 + 20 of 225
    assert "2 of 4 parts make up 80 % of the 225 rejected units." in page.replace("\u00a0", " ")


@needs_pdftotext
def test_times_are_shown_in_utc() -> None:
    plus_one = timezone(timedelta(hours=1))
    page = text(scorecard_pdf(card(as_of=datetime(2026, 11, 30, 15, 5, tzinfo=plus_one)), generated_at=GENERATED))
    assert "Data as of 14:05 UTC, 30 Nov 2026" in page
    naive = text(scorecard_pdf(card(as_of=datetime(2026, 11, 30, 14, 5)), generated_at=GENERATED.replace(tzinfo=None)))
    assert "Data as of 14:05 UTC, 30 Nov 2026" in naive and "Generated 14:07 UTC" in naive


@needs_pdftotext
def test_empty_panels_say_so() -> None:
    empty = card(numbers=(), trend=pd.DataFrame(), parts=pd.DataFrame(), scars=[], notes=(), grade=None, prev_grade=None)
    pdf = render(replace(empty, rank=None, score=None))
    assert pages(pdf) == 1
    page = text(pdf)
    for sentence in (
        "No figures for this period.",
        "No rejected units in this period.",
        "No receipts inspected in this period, so there is no PPM trend.",
        "No SCARs for this supplier in this period.",
        "Not ranked",
        "not graded",
    ):
        assert sentence in page, sentence


@pytest.mark.parametrize(
    "trend_frame",
    [
        pd.DataFrame({"bucket_date": pd.to_datetime(["2026-09-07"]), "ppm": [1200.0]}),  # one point, no limits
        trend().assign(ppm=np.nan),  # no values at all
        trend().drop(columns=["flagged", "lcl"]),
        pd.DataFrame({"bucket_date": [], "ppm": []}),
    ],
)
def test_sparse_trends_render(trend_frame: pd.DataFrame) -> None:
    assert pages(render(card(trend=trend_frame))) == 1


def test_a_hostile_name_is_drawn_as_plain_text() -> None:
    hostile = card(
        supplier_name=HOSTILE,
        commodity="$x^2$ \\frac{1}{2}",
        parts=pd.DataFrame({"part_number": ["$P$-1", None], "units_rejected": [3, 1]}),
        scars=[("not a date", "$open$", None, "<b>bold</b> $\\sum$ & \\n new\nline\x00")],
        notes=("$5 and $6 charged back",),
    )
    pdf = render(hostile)
    assert pages(pdf) == 1
    assert HOSTILE in title(pdf)
    if PDFTOTEXT is not None:
        page = text(pdf)
        assert HOSTILE in page  # mathtext would have drawn a Greek alpha without the dollars
        assert "$P$-1" in page and "$open$" in page and "$5 and $6 charged back" in page
        assert "<b>bold</b> $\\sum$ & \\n new line" in page


@needs_pdftotext
def test_long_text_is_cut_to_fit() -> None:
    long_name = "Very Long Supplier Name " * 8
    description = "Start of a SCAR description " + "that goes on and on " * 12
    scars = [(datetime(2026, 11, i + 1), "open", i, description) for i in range(12)]
    page = text(render(card(supplier_name=long_name, scars=scars)))
    assert "Very Long Supplier Name Very Long" in page and long_name.strip() not in page
    assert "…" in page and description.strip() not in page
    assert "+ 4 more" in page  # 8 of the 12 SCARs shown
    assert page.count("Start of a SCAR description") == 8


def test_glyphs_the_font_lacks_do_not_warn() -> None:
    # Warnings are errors here: a missing glyph would fail the test.
    assert pages(render(card(supplier_name="供应商 Ltd", scars=[(None, "open", 1, "Ʃ ✓ 漢字")]))) == 1
