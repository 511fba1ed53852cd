"""What the records grids share: JSON cells and the checked sort model."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from dashboard.errors import InvalidFilter
from dashboard.views.records import grid_sort, json_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (dt.date(2026, 3, 1), "2026-03-01"),
        (dt.datetime(2026, 3, 1, 7, 5), "2026-03-01T07:05:00"),
        (math.nan, None),
        (np.float64("inf"), None),
        (275.0, 275),  # an integer column with a missing value elsewhere comes back as floats
        (np.float64(12.5), 12.5),
        (np.int64(7), 7),
        (np.bool_(True), True),
        ("text", "text"),
        (None, None),
    ],
)
def test_database_values_become_plain_json_cells(value: object, cell: object) -> None:
    result = json_cell(value)
    assert result == cell and type(result) is type(cell)


COLUMNS = ("opened_date", "owner")


def test_the_sort_model_is_one_allowed_column_and_direction() -> None:
    assert grid_sort(None, COLUMNS, "owner", "CAPAs") == ("owner", True)
    assert grid_sort([], COLUMNS, "owner", "CAPAs") == ("owner", True)
    assert grid_sort([{"colId": "opened_date", "sort": "asc"}], COLUMNS, "owner", "CAPAs") == ("opened_date", False)
    assert grid_sort([{"colId": "owner", "sort": "desc"}, {"colId": "x"}], COLUMNS, "owner", "CAPAs") == ("owner", True)


@pytest.mark.parametrize(
    "model",
    [[{"colId": "title; DROP TABLE capas", "sort": "asc"}], [{"colId": "owner", "sort": "sideways"}], [{"colId": ["owner"]}]],
)
def test_any_other_sort_is_refused_with_a_sentence(model: object) -> None:
    with pytest.raises(InvalidFilter, match=r"The CAPAs cannot be sorted that way\."):
        grid_sort(model, COLUMNS, "owner", "CAPAs")
