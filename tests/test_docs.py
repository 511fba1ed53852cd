"""The docs tell the truth: every setting documented, the data dictionary current."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard.config import env_names
from dashboard.sources.dictionary import data_dictionary

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_table() -> None:
    documented = set(re.findall(r"^\| `(DASHBOARD_[A-Z_]+)` \|", README, flags=re.MULTILINE))
    assert documented == set(env_names())


def test_readme_shows_the_two_commands_first() -> None:
    commands = re.findall(r"^\s+(make \w+)$", README, flags=re.MULTILINE)
    assert commands[:2] == ["make run", "make test"]


def test_data_dictionary_matches_the_schema() -> None:
    current = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert current == data_dictionary(), "run: python -m dashboard data-dictionary"


def test_ci_script_calls_make_test() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
