"""The wall-panel registry: names, order, validation, and discovery of every view's panel."""

from __future__ import annotations

from typing import Any

import pytest

from dashboard.filters import Filters
from dashboard.views.wall_panels import PanelContent, PanelStyle, WallPanels, load_wall_panels, register_wall_panel


def _builder(filters: Filters, repo: Any, style: PanelStyle) -> PanelContent:
    return PanelContent()


def test_panels_are_listed_by_order_then_name() -> None:
    registry = WallPanels()
    registry.register("zeta", "Zeta", _builder, order=1)
    registry.register("alpha", "Alpha", _builder, order=1)
    registry.register("first", "First", _builder, order=0)
    assert registry.names() == ("first", "alpha", "zeta")
    assert len(registry) == 3 and "alpha" in registry and "beta" not in registry
    assert registry.get("alpha").title == "Alpha" and registry.get("beta") is None


def test_registering_again_replaces_the_panel() -> None:
    registry = WallPanels()
    registry.register("okr", "OKR", _builder, view_path="/okr", cadence="weekly")
    assert registry.register("okr", "OKRs", _builder, view_path="/okr", cadence="monthly") is _builder
    spec = registry.get("okr")
    assert (spec.title, spec.cadence, spec.view_path, len(registry)) == ("OKRs", "monthly", "/okr", 1)


@pytest.mark.parametrize("name", ["", "Defects", "a b", "a|b", "a,b", "x" * 33, "1st"])
def test_names_must_be_safe_in_a_url(name: str) -> None:
    with pytest.raises(ValueError, match="lower-case letters"):
        WallPanels().register(name, "Title", _builder)


def test_the_cadence_must_be_known() -> None:
    with pytest.raises(ValueError, match="Unknown cadence 'sometimes'"):
        WallPanels().register("okr", "OKR", _builder, cadence="sometimes")


def test_every_view_module_registers_its_panel() -> None:
    registry = load_wall_panels()
    assert registry.names()[:4] == ("overview", "defects", "suppliers", "voc")
    assert {registry.get(n).view_path for n in ("defects", "suppliers", "voc")} == {"/defects", "/suppliers", "/voc"}


def test_a_registration_anywhere_is_picked_up_without_touching_the_wall() -> None:
    registry = load_wall_panels()
    try:
        register_wall_panel("test-only", "Test only", _builder, order=999)
        assert registry.names()[-1] == "test-only"
    finally:
        registry._specs.pop("test-only", None)
    assert "test-only" not in load_wall_panels()
