"""Laney's p′ and u′ charts (D. B. Laney, "Improved control charts for attributes", Quality
Engineering 14(4), 2002, 531-537): σz = MR̄(z)/d2(2) of the standardised values, limits
centre ± 3·σz·σᵢ. The expected values are computed here from those formulas, independently of
the engine's code path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.metrics.spc import d2, p_chart, u_chart

COUNTS = np.array([12.0, 30.0, 9.0, 25.0, 14.0, 40.0, 11.0, 22.0])
UNITS = np.array([1000.0, 1200.0, 900.0, 1100.0, 1000.0, 1300.0, 950.0, 1050.0])


def frame(counts: np.ndarray, sizes: np.ndarray, count: str, size: str) -> pd.DataFrame:
    return pd.DataFrame({"subgroup_id": range(1, len(counts) + 1), count: counts, size: sizes})


def test_u_prime_limits_follow_the_published_formulas() -> None:
    u_bar = COUNTS.sum() / UNITS.sum()
    sigma_i = np.sqrt(u_bar / UNITS)
    z = (COUNTS / UNITS - u_bar) / sigma_i
    sigma_z = np.mean(np.abs(np.diff(z))) / 1.1283791670955126
    chart = u_chart(frame(COUNTS, UNITS, "defects", "units"), laney=True)
    points = chart.points
    np.testing.assert_allclose(points["centre"], u_bar, rtol=1e-12)
    np.testing.assert_allclose(points["ucl"], u_bar + 3 * sigma_z * sigma_i, rtol=1e-12)
    np.testing.assert_allclose(points["lcl"], np.maximum(0, u_bar - 3 * sigma_z * sigma_i), rtol=1e-12)
    assert chart.sigma == pytest.approx(np.sqrt(u_bar) * sigma_z, rel=1e-12)
    assert "Laney u′" in chart.sigma_method
    assert sigma_z > 2  # these counts are far more variable than Poisson


def test_p_prime_limits_follow_the_published_formulas() -> None:
    nonconforming, n = COUNTS, UNITS
    p_bar = nonconforming.sum() / n.sum()
    sigma_i = np.sqrt(p_bar * (1 - p_bar) / n)
    z = (nonconforming / n - p_bar) / sigma_i
    sigma_z = np.mean(np.abs(np.diff(z))) / d2(2)
    chart = p_chart(frame(nonconforming, n, "nonconforming", "n"), laney=True)
    np.testing.assert_allclose(chart.points["ucl"], p_bar + 3 * sigma_z * sigma_i, rtol=1e-12)
    assert "Laney p′" in chart.sigma_method


def test_overdispersion_widens_the_limits_and_silences_false_alarms() -> None:
    rng = np.random.default_rng(7)
    units = rng.integers(4000, 6000, 60).astype(float)
    # A stable process whose daily rate wanders (gamma-Poisson): no assignable cause anywhere.
    rate = rng.gamma(shape=20, scale=0.01 / 20, size=60)
    counts = rng.poisson(rate * units).astype(float)
    subgroups = frame(counts, units, "defects", "units")
    plain, laney = u_chart(subgroups), u_chart(subgroups, laney=True)
    assert (laney.points["ucl"] > plain.points["ucl"]).all()
    assert len(laney.violations) < len(plain.violations)


def test_poisson_data_gives_sigma_z_near_one() -> None:
    rng = np.random.default_rng(11)
    units = rng.integers(800, 1200, 400).astype(float)
    counts = rng.poisson(0.02 * units).astype(float)
    chart = u_chart(frame(counts, units, "defects", "units"), laney=True)
    sigma_z = chart.sigma / np.sqrt(counts.sum() / units.sum())
    assert sigma_z == pytest.approx(1.0, abs=0.1)


def test_a_single_subgroup_cannot_estimate_sigma_z() -> None:
    from dashboard.metrics.spc import SpcDataError

    with pytest.raises(SpcDataError, match="at least 2"):
        u_chart(frame(COUNTS[:1], UNITS[:1], "defects", "units"), laney=True)
