"""NPS intervals, CSAT, complaints per million and lead/lag: published and hand-made cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.errors import DashboardError
from dashboard.metrics import quality, voc

# --- NPS and its interval -----------------------------------------------------------------------


def test_nps_cross_validated_worked_example() -> None:
    # W. Huber, answer to "How can I calculate margin of error in a NPS (Net Promoter Score)
    # result?", Cross Validated (stats.stackexchange.com/q/18603): with 1/2 promoters, 1/3 passives
    # and 1/6 detractors the NPS is 1/3, the variance of a +1/0/-1 ticket is 5/9 (SD "about 0.75"),
    # and a sample of 324 gives an NPS "around 33%" with a standard error "about 4.1%".
    result = voc.nps(162, 108, 54)
    assert result.responses == 324
    assert result.nps == pytest.approx(100 / 3)
    assert result.standard_error == pytest.approx(100 * math.sqrt(5 / 9 / 324))
    assert result.standard_error == pytest.approx(4.1, abs=0.05)
    assert math.sqrt(5 / 9) == pytest.approx(0.75, abs=0.005)
    # 95 % normal interval: 33.33 ± 1.959964 x 4.1409 = [25.22, 41.45].
    assert result.low == pytest.approx(100 / 3 - 1.959964 * result.standard_error, abs=1e-5)
    assert result.high == pytest.approx(100 / 3 + 1.959964 * result.standard_error, abs=1e-5)
    assert (round(result.low, 2), round(result.high, 2)) == (25.22, 41.45)


@pytest.mark.parametrize("n", [3, 300, 1023, 30_000])
def test_nps_interval_width_matches_engelhardts_rule_of_thumb(n: int) -> None:
    # A. Engelhardt, "Net Promoter Score confidence intervals 2: maths and stats", CYBAEA (2016):
    # Var(NPS) = 100² [p(1-p) + d(1-d) + 2pd]/n; with p = d = 1/3 the 95 % interval is about
    # 320/sqrt(n) wide, so n ~ 1,024 responses give a width of 10 points.
    third = n // 3
    result = voc.nps(third, third, third)
    assert result.nps == pytest.approx(0.0, abs=1e-12)
    assert result.high - result.low == pytest.approx(320 / math.sqrt(n), rel=1e-3)
    if n == 1023:
        assert result.high - result.low == pytest.approx(10.0, abs=0.01)


def test_variance_formula_equals_the_variance_of_the_tickets() -> None:
    # The closed form p_P + p_D - (p_P - p_D)² is the population variance of n values +1/0/-1.
    promoters, passives, detractors = 57, 21, 22
    tickets = np.array([1] * promoters + [0] * passives + [-1] * detractors, dtype=float)
    result = voc.nps(promoters, passives, detractors)
    assert result.nps == pytest.approx(100 * tickets.mean())
    assert result.standard_error == pytest.approx(100 * tickets.std() / math.sqrt(tickets.size))


def test_nps_agrees_with_the_quality_module() -> None:
    assert voc.nps(120, 50, 30).nps == pytest.approx(quality.net_promoter_score(120, 30, 200))


def test_nps_interval_covers_about_95_percent_of_simulated_samples() -> None:
    # 20,000 surveys of n = 400 from a population with NPS 30 (50 % / 30 % / 20 %), scored at once.
    rng = np.random.default_rng(20240601)
    draws = rng.multinomial(400, [0.5, 0.3, 0.2], size=20_000)
    frame = voc.nps_frame(pd.DataFrame(draws, columns=["promoters", "passives", "detractors"]))
    covered = ((frame["nps_low"] <= 30.0) & (frame["nps_high"] >= 30.0)).mean()
    assert 0.94 <= covered <= 0.96


def test_no_responses_is_nan_never_zero() -> None:
    result = voc.nps(0, 0, 0)
    assert result.responses == 0
    assert not result.has_responses
    assert all(math.isnan(v) for v in (result.nps, result.low, result.high, result.standard_error))


def test_interval_is_clipped_to_the_scale() -> None:
    # 99 promoters, 1 detractor: NPS 98, SE = 100·sqrt((0.99 + 0.01 - 0.98²)/100) = 1.99; the upper
    # limit 98 + 3.9 would exceed 100 and is clipped.
    result = voc.nps(99, 0, 1)
    assert result.standard_error == pytest.approx(100 * math.sqrt((1.0 - 0.98**2) / 100))
    assert result.high == 100.0
    assert result.low == pytest.approx(98 - 1.959964 * result.standard_error, abs=1e-5)
    low_end = voc.nps(1, 0, 99)
    assert low_end.low == -100.0


def test_unanimous_answers_give_a_zero_width_interval() -> None:
    # The documented weakness of the Wald interval: the estimated variance is 0.
    result = voc.nps(100, 0, 0)
    assert (result.nps, result.low, result.high, result.standard_error) == (100.0, 100.0, 100.0, 0.0)


def test_level_changes_the_width() -> None:
    wide = voc.nps(162, 108, 54)
    narrow = voc.nps(162, 108, 54, level=0.90)
    assert narrow.high - narrow.low == pytest.approx((wide.high - wide.low) * 1.644854 / 1.959964, rel=1e-6)
    with pytest.raises(ValueError, match="level"):
        voc.nps(1, 1, 1, level=95)


def test_missing_counts_are_none_recorded_and_negative_counts_raise() -> None:
    assert voc.nps(10, float("nan"), None).nps == pytest.approx(100.0)
    with pytest.raises(voc.VocDataError, match="Detractors cannot be negative") as raised:
        voc.nps(10, 5, -1)
    assert isinstance(raised.value, DashboardError)
    with pytest.raises(TypeError, match="nps_frame"):
        voc.nps([1, 2], [1, 2], [1, 2])


def test_nps_frame_adds_the_columns_row_by_row() -> None:
    frame = pd.DataFrame(
        {
            "bucket_date": pd.date_range("2024-01-01", periods=3, freq="W-MON"),
            "promoters": [162, 0, 99],
            "passives": [108, 0, 0],
            "detractors": [54, 0, 1],
        },
        index=[10, 11, 12],
    )
    result = voc.nps_frame(frame)
    assert list(result.columns) == ["bucket_date", "promoters", "passives", "detractors", *voc.NPS_COLUMNS]
    assert list(frame.columns) == ["bucket_date", "promoters", "passives", "detractors"]  # input untouched
    assert result.index.tolist() == [10, 11, 12]
    assert result["responses"].dtype == "int64"
    assert result["responses"].tolist() == [324, 0, 100]
    for position, row in enumerate(result.itertuples()):
        single = voc.nps(row.promoters, row.passives, row.detractors)
        for got, expected in ((row.nps, single.nps), (row.nps_low, single.low), (row.nps_high, single.high)):
            assert got == pytest.approx(expected, nan_ok=True), position
    assert math.isnan(result["nps"].iloc[1])


def test_nps_frame_checks_a_given_responses_column() -> None:
    good = pd.DataFrame({"promoters": [5], "passives": [3], "detractors": [2], "responses": [10]})
    assert voc.nps_frame(good)["nps"].iloc[0] == pytest.approx(30.0)
    bad = good.assign(responses=[11])
    with pytest.raises(voc.VocDataError, match="11 responses but 10"):
        voc.nps_frame(bad)
    with pytest.raises(ValueError, match="missing"):
        voc.nps_frame(pd.DataFrame({"promoters": [1]}))


def test_nps_frame_of_an_empty_frame() -> None:
    empty = pd.DataFrame({"promoters": [], "passives": [], "detractors": []})
    result = voc.nps_frame(empty)
    assert result.empty
    assert set(voc.NPS_COLUMNS) <= set(result.columns)


# --- CSAT and complaints per million ------------------------------------------------------------


def test_csat_pct() -> None:
    # 45 of 60 answers are 4 or 5: 75 %.
    assert voc.csat_pct(45, 60) == pytest.approx(75.0)
    assert isinstance(voc.csat_pct(45, 60), float)
    assert math.isnan(voc.csat_pct(0, 0))
    series = voc.csat_pct(pd.Series([1, 0, 3], index=list("abc")), pd.Series([2, 0, 3], index=list("abc")))
    assert series.index.tolist() == ["a", "b", "c"]
    assert series.tolist()[0] == 50.0 and math.isnan(series["b"]) and series["c"] == 100.0
    with pytest.raises(voc.VocDataError, match="5 satisfied answers but only 4"):
        voc.csat_pct(5, 4)
    with pytest.raises(voc.VocDataError, match="negative"):
        voc.csat_pct(-1, 4)


def test_complaints_per_million() -> None:
    # 3 complaints on 1.5 million units shipped: 2 per million.
    assert voc.complaints_per_million(3, 1_500_000) == pytest.approx(2.0)
    assert math.isnan(voc.complaints_per_million(3, 0))
    values = voc.complaints_per_million(np.array([1, 2, 0]), np.array([1_000, 0, 500]))
    assert values[0] == 1_000.0 and math.isnan(values[1]) and values[2] == 0.0
    # More complaints than units is possible (several complaints about one unit).
    assert voc.complaints_per_million(5, 2) == pytest.approx(2.5e6)


# --- Lead / lag ---------------------------------------------------------------------------------


def _weeks(n: int, start: str = "2024-01-01") -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="W-MON")


def test_following_series_three_weeks_behind_gives_lag_3() -> None:
    rng = np.random.default_rng(7)
    weeks = _weeks(104)
    # A drifting internal defect rate and complaints that echo it three weeks later, plus noise.
    leading = pd.Series(50 + 0.2 * np.arange(104) + np.cumsum(rng.normal(0, 1.0, 104)), index=weeks)
    following = 0.5 * leading.shift(3) + rng.normal(0, 0.3, 104)
    result = voc.lead_lag(leading, following)
    assert result.best_lag == 3
    # Expected r of the differences: 0.5·sd(Δlead) / sqrt(0.25·var(Δlead) + 2·0.3²) = 0.5/0.656 = 0.76.
    assert result.best_r == pytest.approx(0.76, abs=0.08)
    assert result.beyond_band
    assert result.differenced
    assert result.table["lag"].tolist() == list(range(9))
    assert list(result.table.columns) == list(voc.LAG_COLUMNS)
    # 103 differences; the shift leaves 100 at lag 0 and one fewer per lag from lag 4 on.
    assert result.table["pairs"].tolist() == [100, 100, 100, 100, 99, 98, 97, 96, 95]
    assert result.table["band"].iloc[0] == pytest.approx(1.959964 / 10, rel=1e-6)


def test_shared_trend_alone_is_not_a_correlation_after_differencing() -> None:
    # Two unrelated series that both rise: their levels correlate almost perfectly at every lag
    # (Yule's nonsense correlation); their week-to-week changes do not.
    rng = np.random.default_rng(11)
    weeks = _weeks(80)
    trend = np.arange(80, dtype=float)
    leading = pd.Series(trend + rng.normal(0, 2, 80), index=weeks)
    following = pd.Series(0.5 * trend + rng.normal(0, 1, 80), index=weeks)
    assert np.corrcoef(leading.shift(3).iloc[3:], following.iloc[3:])[0, 1] > 0.95
    result = voc.lead_lag(leading, following)
    assert result.table["r"].abs().max() < 0.35
    assert result.table.loc[3, "r"] < result.table.loc[3, "band"]


def test_series_are_aligned_on_one_grid() -> None:
    rng = np.random.default_rng(3)
    leading = pd.Series(np.cumsum(rng.normal(size=60)), index=_weeks(60))
    # The following series starts ten weeks later, is in reverse order and misses a week.
    following = (leading.shift(2) + rng.normal(0, 0.1, 60)).iloc[10:].drop(index=_weeks(60)[30]).iloc[::-1]
    result = voc.lead_lag(leading, following, max_lag=4)
    assert result.best_lag == 2
    # 49 weeks present -> 48 differences, minus the two that touch the missing week.
    assert result.table.loc[2, "pairs"] == 47


def test_integer_buckets_and_freq() -> None:
    rng = np.random.default_rng(5)
    values = np.cumsum(rng.normal(size=40))
    leading = pd.Series(values, index=range(100, 140))
    following = pd.Series(np.r_[np.zeros(1), values[:-1]] + rng.normal(0, 0.05, 40), index=range(100, 140))
    assert voc.lead_lag(leading, following, max_lag=3).best_lag == 1
    months = pd.date_range("2022-01-01", periods=40, freq="MS")
    monthly = voc.lead_lag(leading.set_axis(months), following.set_axis(months), max_lag=3)
    assert monthly.best_lag == 1
    assert voc.lead_lag(leading.set_axis(months), following.set_axis(months), max_lag=3, freq="month").best_lag == 1


def test_fewer_than_eight_pairs_give_nan() -> None:
    # 9 weeks -> 8 differences: lag 0 has exactly 8 pairs, lag 1 only 7.
    rng = np.random.default_rng(1)
    leading = pd.Series(rng.normal(size=9), index=_weeks(9))
    following = pd.Series(rng.normal(size=9), index=_weeks(9))
    table = voc.lead_lag(leading, following, max_lag=2).table
    assert table["pairs"].tolist() == [8, 7, 6]
    assert np.isfinite(table["r"].iloc[0])
    assert table["r"].iloc[1:].isna().all()


def test_nothing_to_correlate() -> None:
    flat = pd.Series(5.0, index=_weeks(30))
    result = voc.lead_lag(flat, flat * 2)
    assert result.best_lag is None and math.isnan(result.best_r)
    assert not result.beyond_band
    assert result.table["r"].isna().all()
    empty = voc.lead_lag(pd.Series(dtype=float), pd.Series(dtype=float))
    assert empty.best_lag is None
    assert empty.table["pairs"].eq(0).all()


def test_lead_lag_refuses_bad_input() -> None:
    weeks = _weeks(20)
    series = pd.Series(np.arange(20.0), index=weeks)
    with pytest.raises(ValueError, match="duplicate"):
        voc.lead_lag(pd.concat([series, series]), series)
    uneven = pd.DatetimeIndex(["2024-01-01 00:00", "2024-01-01 12:00", "2024-01-03", "2024-01-10"])
    with pytest.raises(ValueError, match="evenly spaced"):
        voc.lead_lag(pd.Series([1.0, 2, 3, 4], index=uneven), pd.Series([1.0, 2, 3, 4], index=uneven))
    tuesdays = pd.date_range("2024-01-02", periods=20, freq="W-TUE")
    with pytest.raises(ValueError, match="W-MON grid"):
        voc.lead_lag(series.set_axis(tuesdays), series.set_axis(tuesdays), freq="week")
    with pytest.raises(ValueError, match="max_lag"):
        voc.lead_lag(series, series, max_lag=-1)
    with pytest.raises(ValueError, match="max_lag"):
        voc.lead_lag(series, series, max_lag=2.5)  # type: ignore[arg-type]


def test_lags_longer_than_the_series_leave_no_pairs() -> None:
    import pandas as pd

    from dashboard.metrics.voc import lead_lag

    weeks = pd.date_range("2026-03-02", periods=4, freq="W-MON")
    result = lead_lag(pd.Series([1.0, 2.0, 1.0, 3.0], index=weeks), pd.Series([0.0, 1.0, 0.0, 2.0], index=weeks), 8)
    assert result.best_lag is None
    assert result.table["pairs"].tolist()[-1] == 0


def test_suggested_codes_match_description_keywords() -> None:
    import pandas as pd

    from dashboard.metrics.voc import suggest_codes

    codes = pd.DataFrame(
        {
            "defect_code": ["D01", "D08", "D12", "D27"],
            "defect_description": ["Surface scratch", "Bore diameter out of tolerance", "Seal leak", "Packaging damage"],
        }
    )
    texts = pd.Series(
        [
            "Field return: seal leak in the last delivery.",
            "Deep scratch on the surface of two housings",
            "The bore is out of tolerance",  # 2 of its 3 keywords (bore, diameter, tolerance)
            "Box arrived with packaging torn",
            "Great service, thanks!",
            None,
        ]
    )
    result = suggest_codes(texts, codes)
    assert result["suggested_code"].tolist() == ["D12", "D01", "D08", "D27", None, None]
    assert result["matched"].tolist()[:2] == ["leak, seal", "scratch, surface"]
