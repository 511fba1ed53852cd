"""Quality ratios against published conversions and hand-computed cases."""

from __future__ import annotations

import pytest

from dashboard.metrics import quality


# The standard Six Sigma conversion table (long-term DPMO -> short-term sigma with the 1.5
# sigma shift), e.g. Breyfogle, *Implementing Six Sigma*, 2nd ed., Table S: 3.4 -> 6, 233 -> 5,
# 6,210 -> 4, 66,807 -> 3, 308,538 -> 2, 691,462 -> 1.
@pytest.mark.parametrize(
    ("dpmo", "sigma"),
    [(3.4, 6.0), (233, 5.0), (6_210, 4.0), (66_807, 3.0), (308_538, 2.0), (691_462, 1.0)],
)
def test_sigma_level_matches_the_published_table(dpmo: float, sigma: float) -> None:
    assert quality.sigma_level(dpmo) == pytest.approx(sigma, abs=0.005)


def test_sigma_level_without_the_shift() -> None:
    assert quality.sigma_level(66_807, shift=0) == pytest.approx(1.5, abs=0.005)


@pytest.mark.parametrize("dpmo", [None, 0, 1e6, -5])
def test_sigma_level_is_undefined_at_the_edges(dpmo) -> None:
    assert quality.sigma_level(dpmo) is None


def test_dpmo_hand_computed() -> None:
    # 100 units x 5 opportunities, 25 defects: 25 / 500 x 10^6 = 50,000.
    assert quality.dpmo(25, 500) == pytest.approx(50_000)


def test_first_pass_yield() -> None:
    assert quality.first_pass_yield_pct(970, 1000) == pytest.approx(97.0)
    assert quality.first_pass_yield_pct(0, 0) is None


def test_nps_hand_computed() -> None:
    # 200 answers: 120 promoters (60 %), 50 passives, 30 detractors (15 %): NPS 45.
    assert quality.net_promoter_score(120, 30, 200) == pytest.approx(45.0)
    assert quality.net_promoter_score(0, 0, 0) is None


def test_ppm_and_percentage() -> None:
    assert quality.ppm(3, 1_000) == pytest.approx(3_000)
    assert quality.percentage(9, 12) == pytest.approx(75.0)
    assert quality.ppm(1, 0) is None
