"""The defect drill path's slice: parsing, levels, messages."""

from __future__ import annotations

import pytest

from dashboard.drill import DefectSlice, Dimensions, drill_down, parse_slice

DIMS = Dimensions(
    lines={"P01-L01": "P01", "P02-L03": "P02"},
    products=frozenset({"PR-1001", "PR-1002"}),
    codes={"D01": "Method", "D04": "Machine"},
)


def test_a_full_valid_slice_is_kept() -> None:
    params = {"line": "P02-L03", "product": "PR-1001", "code": "D04", "category": "Machine", "severity": "major"}
    parsed = parse_slice(params, DIMS, "P02")
    assert parsed.problems == ()
    assert parsed.slice == DefectSlice("P02-L03", "PR-1001", "D04", "Machine", "major")
    assert parsed.slice.to_query() == params


@pytest.mark.parametrize(
    ("plant", "slice_", "level"),
    [
        (None, DefectSlice(), "plant"),
        ("P02", DefectSlice(), "line"),
        ("P02", DefectSlice(line_id="P02-L03"), "product"),
        ("P02", DefectSlice(line_id="P02-L03", product_id="PR-1001"), "defect_code"),
        ("P02", DefectSlice(line_id="P02-L03", product_id="PR-1001", defect_code="D04"), "records"),
        (None, DefectSlice(defect_code="D04"), "records"),
    ],
)
def test_levels_follow_the_path(plant: str | None, slice_: DefectSlice, level: str) -> None:
    assert slice_.level(plant) == level


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"line": "X"}, "Unknown line 'X'; showing all lines."),
        ({"line": "P01-L01"}, "Line 'P01-L01' is not in plant P02"),
        ({"product": "PR-9"}, "Unknown product 'PR-9'"),
        ({"code": "D99"}, "Unknown defect code 'D99'"),
        ({"category": "Money"}, "Unknown 6M category 'Money'"),
        ({"code": "D01", "category": "Machine"}, "Defect code D01 is in category Method, not Machine"),
        ({"severity": "fatal"}, "Unknown severity 'fatal'"),
        ({"line": "<script>" + "x" * 200}, "Unknown line '<script>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'"),
    ],
)
def test_bad_values_are_dropped_with_a_message(params: dict[str, str], message: str) -> None:
    parsed = parse_slice(params, DIMS, "P02")
    assert len(parsed.problems) == 1
    assert parsed.problems[0].startswith(message)
    assert all(value is None or value in ("D01",) for value in vars(parsed.slice).values())


def test_forged_types_are_rejected_not_raised() -> None:
    parsed = parse_slice({"line": 42, "product": ["PR-1002"], "code": None}, DIMS, None)
    assert parsed.slice == DefectSlice(product_id="PR-1002")
    assert parsed.problems == ("Unknown line '\x00'; showing all lines.".replace("\x00", "?"),)


def test_cache_token_distinguishes_every_field() -> None:
    tokens = {DefectSlice(**{name: "x"}).cache_token() for name in vars(DefectSlice())}
    assert len(tokens) == 5
    assert DefectSlice().cache_token() == "line_id=*|product_id=*|defect_code=*|category_6m=*|severity=*"


@pytest.mark.parametrize(
    ("chart", "key", "params", "changes"),
    [
        ("breakdown", "P02", {"period": "90d"}, {"plant": "P02", "line": None, "product": None, "code": None}),
        ("breakdown", "P02-L03", {"plant": "P02"}, {"line": "P02-L03", "product": None, "code": None}),
        ("breakdown", "PR-1001", {"plant": "P02", "line": "P02-L03"}, {"product": "PR-1001", "code": None}),
        ("pareto", "D08", {"plant": "P02", "line": "P02-L03"}, {"code": "D08"}),
        ("pareto", "Machine", {"pareto": "category_6m"}, {"category": "Machine"}),
        ("heatmap", "P03-L02", {"code": "D01"}, {"plant": "P03", "line": "P03-L02", "product": None, "code": None}),
    ],
)
def test_a_click_goes_one_level_down(chart: str, key: str, params: dict, changes: dict) -> None:
    assert drill_down(chart, key, params) == changes
