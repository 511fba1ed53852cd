"""Ad-hoc analysis of an uploaded CSV: bad files get a message that says what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.views.adhoc import MAX_BYTES, build_adhoc

PISTONRINGS = Path(__file__).resolve().parents[3] / "shared" / "reference-data" / "montgomery" / "pistonrings.csv"


def test_piston_rings_give_the_textbook_xbar_chart() -> None:
    view = build_adhoc(PISTONRINGS.read_bytes(), value_column="diameter", subgroup_column="sample", lsl=73.95, usl=74.05)
    assert view.problems == ()
    assert "200 values in 40 subgroups" in view.summary and "X̄–R" in view.summary
    centre = view.location.to_dict()["data"][-3]["y"]  # the CL trace follows the per-point centre line
    # Montgomery / qcc: x-double-bar of the first 25 samples is 74.00118 (qcc vignette "A quick tour of qcc")
    assert centre[0] == pytest.approx(74.00118, abs=1e-5)
    assert view.capability is not None  # drawn (samples 26-40 drift, so it shows why it is not assessed)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The file is empty"),
        ("diameter\n74,0\n".encode("utf-16"), "not UTF-8"),
        ("Durchmesser;Probe\n74,0;é\n".encode("latin-1"), "not UTF-8"),
        (b"a,b\nx,y\n", "No column holds numbers"),
        (b"v\n1\n2\n3\n", "control limits need at least 20"),
        (b"x" * (MAX_BYTES + 1), "the limit is 5 MB"),
        (b"v\n" + b"1.0\n" * 25 + b"abc\n" + b"2.0\n" * 5, "not numbers (file rows 27)"),
    ],
)
def test_bad_files_say_what_to_fix(raw: bytes, message: str) -> None:
    view = build_adhoc(raw)
    assert any(message in p for p in view.problems), view.problems
    assert view.location is None


def test_semicolons_and_individuals() -> None:
    raw = "batch;viscosity\n" + "\n".join(f"{i};{33.5 + (i % 7) * 0.3:.2f}" for i in range(40))
    view = build_adhoc(raw.encode())
    assert view.value_column == "viscosity" and "I-MR" in view.summary
    assert view.capability is None  # no spec limits typed: no capability


def test_nothing_uploaded_yet() -> None:
    assert "Upload or paste" in build_adhoc(None).summary
