"""What views may know of the data layer: a named dataset in, a :class:`Dataset` out.

No SQLAlchemy here, so views (and their tests) depend on this small contract only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Protocol

import pandas as pd

from dashboard.filters import Filters


@dataclasses.dataclass(frozen=True)
class Dataset:
    """A query result. ``stale`` means the database failed and this is the last good copy."""

    frame: pd.DataFrame
    fetched_at: dt.datetime
    stale: bool = False
    problem: str | None = None


class Repository(Protocol):
    """Runs registered datasets (see ``dashboard.datasets.registry``) with caching."""

    def fetch(self, name: str, filters: Filters | None = None, **params: Any) -> Dataset:
        """The dataset ``name`` for ``filters``; raises DataUnavailable when there is no copy at all."""
        ...
