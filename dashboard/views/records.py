"""What every records grid shares: a page of rows with the total behind it, database values as
JSON cells, and the grid's sort model checked against the columns a page allows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Collection
from typing import Any
from urllib.parse import urlencode

from dashboard.errors import InvalidFilter

MAX_PAGE = 1000  # rows in one block of a grid's infinite row model


@dataclasses.dataclass(frozen=True)
class RecordPage:
    """Rows ``offset`` .. ``offset + len(rows)`` of ``total``."""

    rows: list[dict[str, Any]]
    total: int


def json_cell(value: Any) -> Any:
    """A database value as JSON for a grid row: dates as ISO text, NaN and infinities as null,
    numpy numbers as Python ones, and whole floats as integers (an integer column with a missing
    value, such as a finding without a CAPA, comes back from pandas as floats)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float):
        return None if not math.isfinite(value) else int(value) if value.is_integer() else value
    return value


def grid_sort(model: object, columns: Collection[str], default: str, what: str) -> tuple[str, bool]:
    """The grid's sort model (``[{"colId": ..., "sort": "asc"|"desc"}]``) as one of ``columns``
    and a direction (True: descending); ``default``, descending, when none is set. Any other
    column or direction is refused with a sentence about ``what`` is listed."""
    if isinstance(model, list) and model and isinstance(model[0], dict):
        column, direction = model[0].get("colId"), model[0].get("sort")
        if column in columns and direction in ("asc", "desc"):
            return column, direction == "desc"
        raise InvalidFilter(f"The {what} cannot be sorted that way.")
    return default, True


def capa_link(capa_id: object, query: dict[str, str]) -> str:
    """A markdown link to the page of one CAPA, keeping the list's period and plant (``query``);
    "" when there is no CAPA."""
    if capa_id is None or isinstance(capa_id, bool) or not isinstance(capa_id, int | float) or capa_id != capa_id:
        return ""
    number = int(capa_id)
    return f"[{number}](/capa/{number}?{urlencode(query)})"
