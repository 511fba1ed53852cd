"""Pareto, rank changes, yields and defect rates against hand-made cases and published examples."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from dashboard.errors import DashboardError
from dashboard.metrics import defects, quality

LABELS = {
    "D01": "Burr",
    "D02": "Dent",
    "D03": "Surface scratch",
    "D04": "Porosity",
    "D05": "Misprint",
    "D06": "Crack",
}


def codes(counts: dict[str, float | None], **extra: dict[str, float | None]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"key": list(counts), "label": [LABELS[k] for k in counts], "defect_count": list(counts.values())},
    )
    for column, values in extra.items():
        frame[column] = [values.get(k) for k in counts]
    return frame


# --- Pareto -------------------------------------------------------------------------------

# Hand-made: 100 defects. D03 50 (cum 50), D01 20 (70), then a three-way tie at 10 broken by key:
# D02 lands exactly on 80 % and is the last vital code; D04 (90) and D05 (100) are not; D06 has none.
BOUNDARY = {"D04": 10, "D01": 20, "D06": 0, "D03": 50, "D05": 10, "D02": 10}


def test_pareto_orders_by_count_then_key_and_includes_the_key_landing_on_80_pct() -> None:
    table = defects.pareto(codes(BOUNDARY))
    assert list(table.columns) == ["key", "label", "defect_count", "share_pct", "cumulative_pct", "vital_few", "rank"]
    assert table["key"].tolist() == ["D03", "D01", "D02", "D04", "D05", "D06"]
    assert table["label"].tolist() == ["Surface scratch", "Burr", "Dent", "Porosity", "Misprint", "Crack"]
    assert table["defect_count"].tolist() == [50, 20, 10, 10, 10, 0]
    assert table["share_pct"].tolist() == pytest.approx([50, 20, 10, 10, 10, 0])
    assert table["cumulative_pct"].tolist() == pytest.approx([50, 70, 80, 90, 100, 100])
    assert table["vital_few"].tolist() == [True, True, True, False, False, False]
    assert table["rank"].tolist() == [1, 2, 3, 4, 5, 6]


def test_the_key_that_crosses_the_threshold_is_vital_and_none_after_it() -> None:
    table = defects.pareto(codes({"D01": 60, "D02": 30, "D03": 10}))
    assert table["vital_few"].tolist() == [True, True, False]  # 60 -> 90 crosses 80
    alone = defects.pareto(codes({"D01": 85, "D02": 10, "D03": 5}))
    assert alone["vital_few"].tolist() == [True, False, False]  # one code already makes 85 %


def test_threshold_is_a_parameter() -> None:
    table = defects.pareto(codes(BOUNDARY), threshold_pct=50.0)
    assert table["vital_few"].tolist() == [True, False, False, False, False, False]
    with pytest.raises(ValueError, match="threshold_pct"):
        defects.pareto(codes(BOUNDARY), threshold_pct=0)


def test_boundary_survives_float_rounding() -> None:
    # 4.88 of 6.10 is exactly 80 % on paper, but the share before D02 computes as 79.99999999999999:
    # without the slack D02 would wrongly join the vital few.
    table = defects.pareto(codes({"D01": 4.88, "D02": 0.61, "D03": 0.61}))
    assert table["cumulative_pct"].iloc[0] == pytest.approx(80.0)
    assert table["vital_few"].tolist() == [True, False, False]


def test_zero_and_missing_counts_go_last_and_are_never_vital() -> None:
    table = defects.pareto(codes({"D01": None, "D02": 0, "D03": 5}))
    assert table["key"].tolist() == ["D03", "D01", "D02"]
    assert table["defect_count"].tolist() == [5, 0, 0]
    assert table["vital_few"].tolist() == [True, False, False]


def test_all_zero_counts_have_no_shares_and_no_vital_few() -> None:
    table = defects.pareto(codes({"D01": 0, "D02": 0}))
    assert table["share_pct"].isna().all() and table["cumulative_pct"].isna().all()
    assert not table["vital_few"].any()
    assert defects.vital_few_sentence(table) == "No defects recorded."


def test_negative_count_is_refused_with_the_key() -> None:
    with pytest.raises(defects.DefectDataError, match="D02 has -3") as caught:
        defects.pareto(codes({"D01": 5, "D02": -3}))
    assert isinstance(caught.value, DashboardError)


def test_duplicate_keys_are_refused() -> None:
    frame = pd.DataFrame({"key": ["D01", "D01"], "defect_count": [1, 2]})
    with pytest.raises(ValueError, match="one row per"):
        defects.pareto(frame)


def test_empty_frame_gives_empty_table_with_the_columns() -> None:
    table = defects.pareto(codes({}))
    assert table.empty
    assert list(table.columns) == ["key", "label", "defect_count", "share_pct", "cumulative_pct", "vital_few", "rank"]
    assert defects.vital_few_sentence(table) == "No defects recorded."


def test_decimal_counts_from_postgres_are_accepted() -> None:
    frame = pd.DataFrame({"key": ["D01", "D02"], "defect_count": [Decimal("3"), Decimal("1")]})
    assert defects.pareto(frame)["share_pct"].tolist() == pytest.approx([75, 25])


def test_other_key_and_value_columns() -> None:
    frame = pd.DataFrame({"supplier": ["S2", "S1"], "units_rejected": [4, 12]})
    table = defects.pareto(frame, key="supplier", value="units_rejected")
    assert table["supplier"].tolist() == ["S1", "S2"]
    assert table["cumulative_pct"].tolist() == pytest.approx([75, 100])


# --- Sentence -----------------------------------------------------------------------------


def test_vital_few_sentence() -> None:
    table = defects.pareto(codes(BOUNDARY))
    assert defects.vital_few_sentence(table) == ("3 of 5 codes (D03 Surface scratch, D01 Burr, D02 Dent) make 80 % of defects")


def test_vital_few_sentence_rounds_and_uses_the_singular() -> None:
    table = defects.pareto(codes({"D01": 171, "D02": 20, "D03": 10}))
    assert defects.vital_few_sentence(table) == "1 of 3 codes (D01 Burr) makes 85 % of defects"


def test_vital_few_sentence_with_another_noun_and_no_labels() -> None:
    frame = pd.DataFrame({"supplier": ["S1", "S2", "S3"], "units_rejected": [12, 4, 4]})
    table = defects.pareto(frame, key="supplier", value="units_rejected")
    sentence = defects.vital_few_sentence(
        table, key="supplier", value="units_rejected", noun="supplier", of_what="rejected units"
    )
    assert sentence == "2 of 3 suppliers (S1, S2) make 80 % of rejected units"


def test_vital_few_sentence_shortens_a_long_list() -> None:
    frame = pd.DataFrame({"key": [f"K{i}" for i in range(10)], "defect_count": [1] * 10})
    sentence = defects.vital_few_sentence(defects.pareto(frame), max_listed=3, noun_plural="categories")
    assert sentence == "8 of 10 categories (K0, K1, K2 and 5 more) make 80 % of defects"


# --- Rank changes -------------------------------------------------------------------------


def test_rank_changes_gives_previous_ranks_and_none_for_new_keys() -> None:
    # Previous period: D01 40, D03 30, D02 20, D05 10, D04 5 -> ranks 1, 2, 3, 4, 5; D06 is new.
    previous = {"D01": 40, "D02": 20, "D03": 30, "D04": 5, "D05": 10, "D06": None}
    current = codes(
        {"D01": 10, "D02": 30, "D03": 25, "D04": 28, "D05": 2, "D06": 1},
        prev_defect_count=previous,
    )
    table = defects.pareto(current)
    table["previous_rank"] = defects.rank_changes(table)
    by_key = table.set_index("key")
    assert by_key["rank"].to_dict() == {"D02": 1, "D04": 2, "D03": 3, "D01": 4, "D05": 5, "D06": 6}
    assert by_key["previous_rank"].to_dict() == {"D02": 3, "D04": 5, "D03": 2, "D01": 1, "D05": 4, "D06": None}
    d04 = by_key.loc["D04"]
    assert f"D04 {defects.rank_change_text(d04['previous_rank'], d04['rank'])}" == "D04 rose from 5th to 2nd"
    assert defects.rank_change_text(by_key.loc["D01", "previous_rank"], 4) == "fell from 1st to 4th"
    assert defects.rank_change_text(None, 6) == "new at 6th"
    assert defects.rank_change_text(3, 3) == "stayed 3rd"


def test_rank_changes_keeps_the_input_index_and_ignores_zero_previous_counts() -> None:
    frame = pd.DataFrame(
        {"key": ["B", "A", "C"], "defect_count": [1, 2, 3], "prev": [7.0, 7.0, 0.0]},
        index=[10, 20, 30],
    )
    ranks = defects.rank_changes(frame, "prev")
    assert ranks.index.tolist() == [10, 20, 30]
    assert ranks.tolist() == [2, 1, None]  # tie at 7 broken by key; 0 before = new
    assert all(type(r) is int for r in ranks if r is not None)


@pytest.mark.parametrize(
    ("number", "text"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"), (21, "21st"), (112, "112th")],
)
def test_ordinal(number: int, text: str) -> None:
    assert defects.ordinal(number) == text


# --- Yields -------------------------------------------------------------------------------


def test_rolled_throughput_yield_matches_minitab_label_example() -> None:
    # Minitab Support, "What are throughput yield (YTP) and rolled throughput yield (YRT)?",
    # https://support.minitab.com/en-us/minitab/help-and-how-to/quality-and-process-improvement/
    # six-sigma/supporting-concepts/what-are-throughput-yield-ytp-and-rolled-throughput-yield-yrt/
    # 1000 labels: printing 950 good (95 %), laminating 800 of 950 (84 %), cutting 700 of 800
    # (88 %); "YRT = 0.95 * 0.84 * 0.88 = 0.70", i.e. 700 of the 1000 labels are acceptable.
    assert defects.rolled_throughput_yield([0.95, 0.84, 0.88]) == pytest.approx(0.70, abs=0.005)
    # Unrounded step yields telescope to exactly 700 / 1000.
    assert defects.rolled_throughput_yield([950 / 1000, 800 / 950, 700 / 800]) == pytest.approx(0.70, rel=1e-12)


def test_rolled_throughput_yield_edges() -> None:
    assert defects.rolled_throughput_yield([]) is None
    assert defects.rolled_throughput_yield(iter([0.9])) == pytest.approx(0.9)
    assert defects.rolled_throughput_yield([1.0, 0.0]) == 0.0
    for bad in ([0.9, 97.0], [-0.1], [math.nan]):
        with pytest.raises(ValueError, match="fraction"):
            defects.rolled_throughput_yield(bad)


def test_yield_from_dpu_matches_harry_poisson_example() -> None:
    # M. J. Harry, "Ask Dr. Mikel Harry: Minitab Poisson plot ...", iSixSigma,
    # https://www.isixsigma.com/ask-dr-mikel-harry/ask-tools-techniques/minitab-poisson-plot-it-plots-
    # expected-defects-versus-observed-defects-where-do-expected-defects-come/
    # "u = 500 and dpu = 1.0 ... Y = 0.367879, or about 36.8 percent ... n = 184 of the u = 500".
    assert defects.yield_from_dpu(1.0) == pytest.approx(0.367879, abs=5e-7)
    assert round(500 * defects.yield_from_dpu(1.0)) == 184
    assert defects.yield_from_dpu(0.0) == 1.0
    with pytest.raises(ValueError):
        defects.yield_from_dpu(-0.1)


def test_per_unit_rates() -> None:
    # 37 defects on 12,500 units: 2.96 per thousand, DPU 0.00296.
    assert defects.per_thousand(37, 12_500) == pytest.approx(2.96)
    assert defects.defects_per_unit(37, 12_500) == pytest.approx(0.00296)
    assert defects.per_thousand(5, 0) is None
    assert defects.defects_per_unit(5, None) is None


# --- Rates per bucket ---------------------------------------------------------------------

W1, W2, W3 = dt.date(2024, 1, 1), dt.date(2024, 1, 8), dt.date(2024, 1, 15)


def defect_frame(rows: list[tuple[str, dt.date, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["period", "bucket_date", "defect_count", "cost_eur"])


def production_frame(rows: list[tuple[str, dt.date, float, float, float, float]]) -> pd.DataFrame:
    columns = ["period", "bucket_date", "units_inspected", "units_passed_first_time", "units_shipped", "opportunities"]
    return pd.DataFrame(rows, columns=columns)


def test_defect_rates_matches_the_published_dpmo_example() -> None:
    # DMAIC Tools, "DPMO Calculation - Product Example", https://www.dmaictools.com/dpmo-calculation-product-example
    # 40,000 shifter assemblies, 6 defect opportunities each (240,000), 40 defects:
    # "40 divided by 240,000, times one million, or 167 DPMO. The corresponding sigma level is 5.1."
    rates = defects.defect_rates(
        defect_frame([("current", W1, 40, 1_200.0)]),
        production_frame([("current", W1, 40_000, 39_962, 39_950, 240_000)]),
    )
    row = rates.iloc[0]
    assert row["dpmo"] == pytest.approx(166.67, abs=0.01)
    assert round(row["dpmo"]) == 167
    assert quality.sigma_level(row["dpmo"]) == pytest.approx(5.1, abs=0.05)
    assert row["per_thousand"] == pytest.approx(1.0)
    assert row["dpu"] == pytest.approx(0.001)
    assert row["fpy_pct"] == pytest.approx(99.905)
    assert row["cost_eur"] == 1_200.0


# P. Keller, "Converting DPMO to sigma level", Quality America Lean Six Sigma Knowledge Center,
# http://qualityamerica.com/LSS-Knowledge-Center/leansixsigma/converting_dpmo_sigma_level.php
# (table with the 1.5 sigma shift): 6 -> 3.4, 5 -> 233, 4 -> 6,210, 3 -> 66,811 DPMO (two tails at
# 3 sigma; the upper tail alone is the 66,807 of Breyfogle's table, 0.0001 sigma apart).
@pytest.mark.parametrize(
    ("defect_count", "opportunities", "sigma"),
    [(34, 10_000_000, 6.0), (233, 1_000_000, 5.0), (6_210, 1_000_000, 4.0), (66_811, 1_000_000, 3.0)],
)
def test_bucket_dpmo_converts_to_the_published_sigma_levels(defect_count: int, opportunities: int, sigma: float) -> None:
    rates = defects.defect_rates(
        defect_frame([("current", W1, defect_count, 0.0)]),
        production_frame([("current", W1, opportunities, opportunities, opportunities, opportunities)]),
    )
    assert quality.sigma_level(rates["dpmo"].iloc[0]) == pytest.approx(sigma, abs=0.005)


def test_defect_rates_outer_join_with_missing_buckets_on_either_side() -> None:
    defect_rows = defect_frame(
        [
            ("current", W1, 12, 300.0),  # no production row: rates undefined
            ("current", W2, 5, 100.0),
            ("previous", W1, 3, 50.0),
        ]
    )
    production_rows = production_frame(
        [
            ("current", W2, 1_000, 980, 990, 4_000),
            ("current", W3, 2_000, 2_000, 1_950, 8_000),  # no defect row: zero defects
            ("previous", W1, 500, 490, 500, 2_000),
            ("previous", W2, 0, 0, 0, 0),  # nothing inspected: rates undefined, not zero
        ]
    )
    rates = defects.defect_rates(defect_rows, production_rows)
    assert list(zip(rates["period"], rates["bucket_date"], strict=True)) == [
        ("current", W1),
        ("current", W2),
        ("current", W3),
        ("previous", W1),
        ("previous", W2),
    ]
    assert rates["defect_count"].tolist() == [12, 5, 0, 3, 0]
    assert rates["cost_eur"].tolist() == [300, 100, 0, 50, 0]
    assert np.isnan(rates["units_inspected"].iloc[0])
    assert rates["units_shipped"].tolist()[1:] == [990, 1_950, 500, 0]
    expected = {
        "dpmo": [np.nan, 1_250, 0, 1_500, np.nan],
        "per_thousand": [np.nan, 5, 0, 6, np.nan],
        "fpy_pct": [np.nan, 98, 100, 98, np.nan],
        "dpu": [np.nan, 0.005, 0, 0.006, np.nan],
    }
    for column, values in expected.items():
        np.testing.assert_allclose(rates[column].to_numpy(), values, err_msg=column)


def test_defect_rates_with_one_side_empty() -> None:
    production_rows = production_frame([("current", W1, 100, 90, 95, 500)])
    no_defects = defects.defect_rates(pd.DataFrame(), production_rows)
    assert no_defects["defect_count"].tolist() == [0]
    assert no_defects["dpmo"].tolist() == [0]
    assert no_defects["fpy_pct"].tolist() == pytest.approx([90])
    no_production = defects.defect_rates(defect_frame([("current", W1, 4, 8.0)]), production_frame([]))
    assert no_production["defect_count"].tolist() == [4]
    assert no_production["dpmo"].isna().all()
    both_empty = defects.defect_rates(defect_frame([]), production_frame([]))
    assert both_empty.empty
    assert {"dpmo", "per_thousand", "fpy_pct", "dpu", "cost_eur", "units_shipped"} <= set(both_empty.columns)


def test_defect_rates_requires_its_columns() -> None:
    with pytest.raises(ValueError, match="opportunities"):
        defects.defect_rates(
            defect_frame([("current", W1, 1, 1.0)]),
            pd.DataFrame({"period": ["current"], "bucket_date": [W1], "units_inspected": [1]}),
        )
