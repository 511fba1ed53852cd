"""Numbers as the tiles show them."""

from __future__ import annotations

import pytest

from dashboard.views.formatting import format_change, format_value


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (97.4, "pct", "97.4 %"),
        (1.4301, "pct", "1.43 %"),
        (1161.2, "dpmo", "1,161 DPMO"),
        (1155.0, "ppm", "1,155 ppm"),
        (612_199.0, "eur", "€612.2k"),
        (6_572_219.0, "eur", "€6.57M"),
        (29.0, "score", "+29"),
        (-12.0, "score", "-12"),
        (5.0, "count", "5"),
        (None, "pct", "–"),
    ],
)
def test_format_value(value, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


@pytest.mark.parametrize(
    ("change", "unit", "text"),
    [
        (3.0, "pct", "+3.0 pts"),
        (-0.004, "pct", "±0.00 pts"),
        (0.04, "pct", "+0.04 pts"),
        (-5.8, "pct", "−5.8 pts"),
        (24.4, "dpmo", "+24 DPMO"),
        (-100.0, "eur", "−€100"),
        (None, "pct", "–"),
    ],
)
def test_format_change(change, unit: str, text: str) -> None:
    assert format_change(change, unit) == text
