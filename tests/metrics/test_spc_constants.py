"""Control-chart constants against the published factor table and exact small-n values."""

from __future__ import annotations

import math

import pytest

from dashboard.metrics.spc import c4, d2, d3, factors

# Published "Factors for Constructing Variables Control Charts": Montgomery, *Introduction to
# Statistical Quality Control*, Appendix VI (rows n = 2..7 checked against the appendix page;
# n = 10, 15, 20 against the same table as reprinted with the identical values in other texts;
# n = 25 from the AIAG *SPC* manual, Table 8A, which gives no d3).
# Columns: n, d2, d3, c4, A2, A3, B3, B4, D3, D4.
TABLE = [
    (2, 1.128, 0.853, 0.7979, 1.880, 2.659, 0.000, 3.267, 0.000, 3.267),
    (3, 1.693, 0.888, 0.8862, 1.023, 1.954, 0.000, 2.568, 0.000, None),
    (4, 2.059, 0.880, 0.9213, 0.729, 1.628, 0.000, 2.266, 0.000, 2.282),
    (5, 2.326, 0.864, 0.9400, 0.577, 1.427, 0.000, 2.089, 0.000, 2.114),
    (6, 2.534, 0.848, 0.9515, 0.483, 1.287, 0.030, 1.970, 0.000, 2.004),
    (7, 2.704, 0.833, 0.9594, 0.419, 1.182, 0.118, 1.882, 0.076, 1.924),
    (10, 3.078, 0.797, 0.9727, 0.308, 0.975, 0.284, 1.716, 0.223, 1.777),
    (15, 3.472, 0.756, 0.9823, 0.223, 0.789, 0.428, 1.572, 0.347, 1.653),
    (20, 3.735, 0.729, 0.9869, 0.180, 0.680, 0.510, 1.490, 0.415, 1.585),
    (25, 3.931, None, 0.9896, 0.153, 0.606, 0.565, 1.435, 0.459, 1.541),
]
NAMES = ("d2", "d3", "c4", "A2", "A3", "B3", "B4", "D3", "D4")


@pytest.mark.parametrize("row", TABLE, ids=[f"n={row[0]}" for row in TABLE])
def test_factors_match_the_published_table_to_its_digits(row: tuple) -> None:
    n, *published = row
    computed = factors(n)
    for name, value in zip(NAMES, published, strict=True):
        if value is None:
            continue
        digits = 4 if name == "c4" else 3
        assert getattr(computed, name) == pytest.approx(value, abs=0.5 * 10**-digits), f"{name}({n})"


def test_d4_for_n_3_differs_from_the_table_only_by_its_rounding() -> None:
    # Appendix VI prints D4(3) = 2.574, computed there from the rounded d2 and d3; the exact
    # 1 + 3·d3/d2 is 2.5746, so the table is off by one unit in its last digit.
    three = factors(3)
    upper_factor = three.D4
    assert upper_factor == pytest.approx(2.574, abs=1e-3)
    assert upper_factor == pytest.approx(1 + 3 * three.d3 / three.d2)


def test_small_n_constants_equal_their_closed_forms() -> None:
    # Hand-derived for n = 2: E|X1 − X2| = 2/√π; Var|X1 − X2| = 2 − 4/π; E[s] = √(2/π).
    assert d2(2) == pytest.approx(2 / math.sqrt(math.pi), abs=1e-9)
    assert d3(2) == pytest.approx(math.sqrt(2 - 4 / math.pi), abs=1e-8)
    assert c4(2) == pytest.approx(math.sqrt(2 / math.pi), abs=1e-12)


def test_constants_are_computed_beyond_the_table() -> None:
    # n = 50 is not tabulated; for n > 25 Appendix VI gives c4 ≅ 4(n − 1)/(4n − 3), an
    # approximation good to about 1e-5 at n = 50.
    assert c4(50) == pytest.approx(4 * 49 / 197, abs=5e-5)
    assert d2(50) > d2(25)


@pytest.mark.parametrize("n", [1, 0, 2.5, -3])
def test_subgroup_sizes_below_two_or_fractional_are_rejected(n: float) -> None:
    with pytest.raises(ValueError, match="subgroup size"):
        factors(n)  # type: ignore[arg-type]
