"""KPI status and deltas, for both directions."""

from __future__ import annotations

import pytest

from dashboard.metrics.status import delta, kpi_status


@pytest.mark.parametrize(
    ("value", "direction", "target", "amber", "red", "expected"),
    [
        (98.0, "higher", 97.0, None, 95.0, "good"),
        (97.0, "higher", 97.0, None, 95.0, "good"),
        (96.0, "higher", 97.0, None, 95.0, "watch"),
        (94.9, "higher", 97.0, None, 95.0, "act"),
        (1200, "lower", 1500, 1500, 3000, "good"),
        (2000, "lower", 1500, 1500, 3000, "watch"),
        (3001, "lower", 1500, 1500, 3000, "act"),
        (5, "lower", None, None, None, "no_target"),
        (None, "lower", 1500, None, None, "no_data"),
        (96.0, "higher", 97.0, 96.0, 95.0, "good"),  # an amber threshold below target widens "good"
    ],
)
def test_status(value, direction, target, amber, red, expected) -> None:
    status = kpi_status(value, direction, target, amber, red)
    assert status.key == expected
    assert status.text and status.icon  # never by colour alone


def test_direction_is_checked() -> None:
    with pytest.raises(ValueError, match="direction"):
        kpi_status(1.0, "up", 2.0)


@pytest.mark.parametrize(
    ("current", "previous", "direction", "word"),
    [(98, 97, "higher", "better"), (98, 97, "lower", "worse"), (5, 5, "lower", "unchanged"), (None, 5, "lower", "no comparison")],
)
def test_delta(current, previous, direction, word) -> None:
    assert delta(current, previous, direction).word == word
