"""Key-result progress for each kind, and the weighted roll-up."""

from __future__ import annotations

import pytest

from dashboard.metrics.okr import key_result_progress_pct, weighted_progress_pct


@pytest.mark.parametrize(
    ("kind", "value", "start", "target", "low", "high", "expected"),
    [
        ("increase", 75, 50, 100, None, None, 50.0),
        ("increase", 130, 50, 100, None, None, 160.0),  # over-achieved, not capped
        ("decrease", 80, 100, 60, None, None, 50.0),  # 100 -> 60 bugs: 80 is 50 %
        ("decrease", 110, 100, 60, None, None, -25.0),  # moved away from target
        ("band", 5, None, None, 4, 6, 100.0),
        ("band", 7, None, None, 4, 6, 0.0),
        ("milestone", 1, None, None, None, None, 100.0),
        ("milestone", 0, None, None, None, None, 0.0),
        ("increase", None, 50, 100, None, None, None),
        ("increase", 60, 50, 50, None, None, None),
    ],
)
def test_progress(kind, value, start, target, low, high, expected) -> None:
    assert key_result_progress_pct(kind, value, start, target, low, high) == (
        expected if expected is None else pytest.approx(expected)
    )


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown key-result kind"):
        key_result_progress_pct("double", 1)


def test_weighted_rollup_skips_missing_progress() -> None:
    assert weighted_progress_pct([(50.0, 1), (100.0, 3), (None, 5)]) == pytest.approx(87.5)
    assert weighted_progress_pct([(None, 1)]) is None
