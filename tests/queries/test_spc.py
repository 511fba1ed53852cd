"""SPC queries on real databases: bounded series of the right subgroups."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.errors import InvalidFilter
from dashboard.filters import Filters

MARCH = Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def test_measurements_are_the_last_subgroups_of_the_period(repo) -> None:
    frame = repo.fetch("spc_measurements", MARCH, characteristic_id="P01-L01-C1", max_subgroups=10).frame
    assert sorted(set(frame["subgroup_id"])) == list(range(21, 31))
    assert len(frame) == 50


def test_period_bounds_apply(repo) -> None:
    first_week = Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 7))
    frame = repo.fetch("spc_measurements", first_week, characteristic_id="P01-L01-C1", max_subgroups=100).frame
    assert sorted(set(frame["subgroup_id"])) == list(range(1, 8))


def test_table_takes_the_first_and_last_subgroups_of_each_characteristic(repo) -> None:
    frame = repo.fetch("spc_table_measurements", MARCH, baseline=3, recent=2).frame
    assert sorted(set(frame["subgroup_id"])) == [1, 2, 3, 29, 30]
    assert set(frame["characteristic_id"]) == {"P01-L01-C1"}
    other_plant = Filters("custom", MARCH.start_date, MARCH.end_date, "P02")
    assert repo.fetch("spc_table_measurements", other_plant, baseline=3, recent=2).frame.empty


def test_events_and_characteristics(repo) -> None:
    assert list(repo.fetch("process_events", MARCH).frame["description"]) == ["New fixture"]
    chars = repo.fetch("spc_characteristics", MARCH).frame
    assert chars.loc[0, "plant_id"] == "P01" and chars.loc[0, "usl"] == pytest.approx(12.03)


@pytest.mark.parametrize("params", [{"max_subgroups": 0}, {"max_subgroups": 10_000}, {"max_subgroups": "5"}, {}])
def test_bad_parameters_are_refused(repo, params) -> None:
    if params:
        params = {"characteristic_id": "P01-L01-C1", **params}
    with pytest.raises(InvalidFilter):
        repo.fetch("spc_measurements", MARCH, **params)
