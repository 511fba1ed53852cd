"""What views may know of the data layer: a named dataset in, a :class:`Dataset` out.

No SQLAlchemy here, so views (and their tests) depend on this small contract only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import pandas as pd

from dashboard.errors import DashboardError
from dashboard.filters import Filters


@dataclasses.dataclass(frozen=True)
class Dataset:
    """A query result. ``stale`` means the database failed and this is the last good copy."""

    frame: pd.DataFrame
    fetched_at: dt.datetime
    stale: bool = False
    problem: str | None = None


@dataclasses.dataclass(frozen=True)
class DatasetRequest:
    """One dataset to fetch: its name, filter and parameters."""

    name: str
    filters: Filters | None = None
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, name: str, filters: Filters | None = None, **params: Any) -> DatasetRequest:
        """A request with keyword parameters."""
        return cls(name, filters, tuple(sorted(params.items())))


@dataclasses.dataclass(frozen=True)
class RowStream:
    """Rows of a large dataset read in chunks (an export): column names, then lists of row tuples.

    Iterate ``chunks`` to the end, or call ``close()``, to give the connection back.
    """

    columns: tuple[str, ...]
    chunks: Iterator[list[tuple[Any, ...]]]
    release: Callable[[], None] = lambda: None

    def close(self) -> None:
        """Stop reading and release the connection (safe to call more than once)."""
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()
        self.release()


class Repository(Protocol):
    """Runs registered datasets (see ``dashboard.datasets.registry``) with caching."""

    def fetch(self, name: str, filters: Filters | None = None, **params: Any) -> Dataset:
        """The dataset ``name`` for ``filters``; raises DataUnavailable when there is no copy at all."""
        ...

    def fetch_many(self, requests: Sequence[DatasetRequest]) -> list[Dataset | DashboardError]:
        """Several datasets at once (cold ones concurrently); a failure is returned, not raised."""
        ...

    def stream(self, name: str, filters: Filters | None = None, **params: Any) -> RowStream:
        """The dataset ``name`` read in chunks, never cached or held in memory whole (exports);
        raises DataUnavailable when the database cannot run it."""
        ...

    def derived(
        self, name: str, sources: Sequence[Dataset], params: Mapping[str, Any], compute: Callable[[], pd.DataFrame]
    ) -> pd.DataFrame:
        """A frame computed from ``sources`` (e.g. a table of control-chart results), cached until
        any source is read again from the database."""
        ...
