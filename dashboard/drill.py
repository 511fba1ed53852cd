"""The defect drill path: plant → line → product → defect code → records.

A :class:`DefectSlice` is what the defects page narrows to beyond the global filter (which
carries the plant). It is parsed from URL or callback parameters against allow-lists read
from the dimension tables; an unknown or inconsistent value is dropped with a message, so
the page shows the nearest valid level instead of an error.

An :class:`EffectScope` is the slice of defects one CAPA addresses, with the windows before and
after it that its page compares.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from dashboard.filters import MAX_PARAM_LENGTH

SIX_M = ("Man", "Machine", "Method", "Material", "Measurement", "Environment")
SEVERITIES = ("minor", "major", "critical")
SLICE_KEYS = ("line", "product", "code", "category", "severity")
LEVELS = ("plant", "line", "product", "defect_code", "records")


@dataclasses.dataclass(frozen=True)
class DefectSlice:
    """Filters of the defects page below the plant. ``None`` means all."""

    line_id: str | None = None
    product_id: str | None = None
    defect_code: str | None = None
    category_6m: str | None = None
    severity: str | None = None

    def level(self, plant_id: str | None) -> str:
        """The drill level shown: what the breakdown chart splits by next, or 'records'."""
        if self.defect_code is not None:
            return "records"
        if self.product_id is not None:
            return "defect_code"
        if self.line_id is not None:
            return "product"
        if plant_id is not None:
            return "line"
        return "plant"

    def cache_token(self) -> str:
        """A stable text form for cache keys."""
        return "|".join(f"{name}={getattr(self, name) or '*'}" for name in _FIELDS)

    def to_query(self) -> dict[str, str]:
        """URL parameters that reproduce this slice."""
        return {key: value for key, name in zip(SLICE_KEYS, _FIELDS, strict=True) if (value := getattr(self, name))}


_FIELDS = tuple(field.name for field in dataclasses.fields(DefectSlice))


@dataclasses.dataclass(frozen=True)
class Dimensions:
    """Allow-lists for the slice: line → plant, product ids, defect code → 6M category."""

    lines: Mapping[str, str]
    products: frozenset[str]
    codes: Mapping[str, str]


@dataclasses.dataclass(frozen=True)
class ParsedSlice:
    """The slice that will be used and what was wrong with the input."""

    slice: DefectSlice
    problems: tuple[str, ...] = ()


def _text(params: Mapping[str, object], name: str) -> str | None:
    value = params.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if not isinstance(value, str):
        return None if value is None else "\x00"
    value = value.strip()[: MAX_PARAM_LENGTH + 1]
    return value or None


def _shown(value: str) -> str:
    printable = "".join(ch if ch.isprintable() else "?" for ch in value)
    return printable[:40] + ("…" if len(printable) > 40 else "")


def parse_slice(params: Mapping[str, object], dimensions: Dimensions, plant_id: str | None) -> ParsedSlice:
    """Validate ``line``, ``product``, ``code``, ``category`` and ``severity``.

    A line outside the chosen plant, an unknown code or a product with no line chosen above
    it is dropped with a sentence saying so; deeper levels below a dropped one are dropped too
    (the nearest valid view is the parent level).
    """
    problems: list[str] = []
    line = _text(params, "line")
    if line is not None and line not in dimensions.lines:
        problems.append(f"Unknown line '{_shown(line)}'; showing all lines.")
        line = None
    elif line is not None and plant_id is not None and dimensions.lines[line] != plant_id:
        problems.append(f"Line '{line}' is not in plant {plant_id}; showing all its lines.")
        line = None

    product = _text(params, "product")
    if product is not None and product not in dimensions.products:
        problems.append(f"Unknown product '{_shown(product)}'; showing all products.")
        product = None

    code = _text(params, "code")
    if code is not None and code not in dimensions.codes:
        problems.append(f"Unknown defect code '{_shown(code)}'; showing all codes.")
        code = None

    category = _text(params, "category")
    if category is not None and category not in SIX_M:
        problems.append(f"Unknown 6M category '{_shown(category)}'; use one of {', '.join(SIX_M)}.")
        category = None
    if category is not None and code is not None and dimensions.codes[code] != category:
        problems.append(f"Defect code {code} is in category {dimensions.codes[code]}, not {category}; showing the code.")
        category = None

    severity = _text(params, "severity")
    if severity is not None and severity not in SEVERITIES:
        problems.append(f"Unknown severity '{_shown(severity)}'; use minor, major or critical.")
        severity = None
    return ParsedSlice(DefectSlice(line, product, code, category, severity), tuple(problems))


def drill_down(chart: str, key: str, params: Mapping[str, str]) -> dict[str, str | None]:
    """The URL parameters to change after a click on ``key`` in ``chart`` ('breakdown', 'pareto'
    or 'heatmap'), given the current parameters. None removes a parameter.

    The breakdown chart splits by the next level down (plant, then line, then product); a
    Pareto bar is a defect code (or a 6M category when the Pareto groups by category); a
    heatmap row is a line, which also chooses its plant. The page validates the result on load.
    """
    if chart == "heatmap":
        return {"plant": key.split("-")[0], "line": key, "product": None, "code": None}
    if chart == "pareto":
        return {"category": key} if params.get("pareto") == "category_6m" else {"code": key}
    if not params.get("plant"):
        return {"plant": key, "line": None, "product": None, "code": None}
    if not params.get("line"):
        return {"line": key, "product": None, "code": None}
    return {"product": key, "code": None}


@dataclasses.dataclass(frozen=True)
class EffectScope:
    """What one CAPA's effect is measured on: its plant, its line (None: every line of the plant)
    and its defect code (None: every code), and the days compared, all inclusive: ``start`` to
    ``before_end`` before it opened, ``after_start`` to ``end`` after it closed (an empty range
    while it is open)."""

    plant_id: str
    line_id: str | None
    defect_code: str | None
    start: dt.date
    before_end: dt.date
    after_start: dt.date
    end: dt.date


EFFECT_WINDOW_DAYS = 84  # a CAPA's effect: twelve weeks before it was opened against twelve weeks after it closed
