"""Where each canonical dataset lives: the default database, a user's table, or a SELECT.

A TOML file (``DASHBOARD_SOURCES_FILE``) maps datasets onto a company's own systems::

    [databases]
    mes = "postgresql+psycopg://reader@mes-db/mes"

    [datasets.defects]
    database = "mes"                 # a name from [databases]; default: DASHBOARD_DATABASE_URL
    table = "quality.nonconformance" # schema-qualified table or view ...
    [datasets.defects.columns]       # canonical column = your column
    defect_date = "nc_date"

    [datasets.supplier_lots]
    query = "SELECT lot_no AS lot_id, ... FROM erp.lots"   # ... or a SELECT with canonical names

:class:`Sources` turns that into one FROM clause per dataset whose columns carry the
canonical names, so query builders never know whether they read the demo tables or a
company's MES.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import tomllib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Table, column, select, table, text, type_coerce
from sqlalchemy.engine import Engine
from sqlalchemy.sql import FromClause, Select
from sqlalchemy.sql.visitors import iterate

from dashboard.errors import ConfigError, SourceMappingError
from dashboard.sources import schema

# Threads per process for concurrent cold queries, shared by every request (each request uses
# at most the repository's ``parallel_queries`` of them; the engines pool 10 connections).
QUERY_THREADS = 8


@dataclasses.dataclass(frozen=True)
class DatasetMapping:
    """How one canonical dataset is read: from ``table`` or ``query`` in ``database_url``."""

    dataset: str
    database_url: str | None = None
    table: str | None = None
    query: str | None = None
    columns: Mapping[str, str] = dataclasses.field(default_factory=dict)
    cadence: str | None = None


def load_mappings(path: Path | None) -> dict[str, DatasetMapping]:
    """Parse the sources file; an absent path means every dataset uses the default database."""
    if path is None:
        return {}
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"DASHBOARD_SOURCES_FILE {path} does not exist.") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None
    databases = document.get("databases", {})
    mappings = {}
    for name, entry in document.get("datasets", {}).items():
        where = f"{path}: [datasets.{name}]"
        if name not in schema.metadata.tables:
            known = ", ".join(sorted(schema.metadata.tables))
            raise ConfigError(f"{where}: unknown dataset; known datasets are {known}.")
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a table of settings.")
        if "table" in entry and "query" in entry:
            raise ConfigError(f"{where} needs exactly one of 'table' or 'query'.")
        if "table" not in entry and "query" not in entry and "cadence" not in entry:
            raise ConfigError(f"{where} needs 'table' or 'query' (or only a 'cadence' for the canonical table).")
        cadence = entry.get("cadence")
        if cadence is not None and (name not in schema.FEED_DATE_COLUMNS or cadence not in schema.FEED_CADENCES):
            feeds = ", ".join(schema.FEED_DATE_COLUMNS)
            raise ConfigError(f"{where}: cadence must be one of {', '.join(schema.FEED_CADENCES)}, for a fed table ({feeds}).")
        database = entry.get("database")
        if database is not None and database not in databases:
            raise ConfigError(f"{where}: database '{database}' is not defined under [databases].")
        columns = entry.get("columns", {})
        canonical = set(schema.metadata.tables[name].c.keys())
        unknown = sorted(set(columns) - canonical)
        if unknown:
            raise ConfigError(f"{where}.columns: {', '.join(unknown)} not in the canonical {name} table.")
        mappings[name] = DatasetMapping(
            dataset=name,
            database_url=databases.get(database) if database else None,
            table=entry.get("table"),
            query=entry.get("query"),
            columns=dict(columns),
            cadence=cadence,
        )
    return mappings


class Sources:
    """One FROM clause per canonical dataset, and the engine each one lives in."""

    def __init__(self, default_engine: Engine, mappings: Mapping[str, DatasetMapping], engine_factory: Any) -> None:
        self._default = default_engine
        self._mappings = dict(mappings)
        self._one_database = not any(mapping.database_url for mapping in self._mappings.values())
        self._engines: dict[str, Engine] = {}
        self._factory = engine_factory
        self._clauses: dict[str, FromClause] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0
        self._pool_guard = threading.Lock()

    @property
    def default_engine(self) -> Engine:
        """The engine of ``DASHBOARD_DATABASE_URL``."""
        return self._default

    def engine(self, dataset: str) -> Engine:
        """The engine that holds ``dataset``."""
        mapping = self._mappings.get(dataset)
        if mapping is None or mapping.database_url is None:
            return self._default
        if mapping.database_url not in self._engines:
            self._engines[mapping.database_url] = self._factory(mapping.database_url)
        return self._engines[mapping.database_url]

    def mapping(self, dataset: str) -> DatasetMapping | None:
        """The user mapping of ``dataset``, or None when it is the canonical table."""
        return self._mappings.get(dataset)

    def clause(self, dataset: str) -> FromClause:
        """A FROM clause for ``dataset`` whose columns have the canonical names."""
        if dataset not in self._clauses:
            self._clauses[dataset] = self._build(dataset)
        return self._clauses[dataset]

    def tables(self) -> Mapping[str, FromClause]:
        """A lazy mapping of every dataset name to its FROM clause (what query builders take)."""
        return _LazyTables(self)

    def cadence(self, dataset: str) -> str:
        """How often ``dataset`` is expected to receive new records (the sources file's
        ``cadence``, else daily)."""
        mapping = self._mappings.get(dataset)
        return mapping.cadence if mapping is not None and mapping.cadence else schema.DEFAULT_FEED_CADENCE

    def _build(self, dataset: str) -> FromClause:
        canonical: Table = schema.metadata.tables[dataset]
        mapping = self._mappings.get(dataset)
        if mapping is None or (mapping.table is None and mapping.query is None):
            return canonical
        if mapping.query is not None:
            columns = [Column(c.name, c.type) for c in canonical.columns]
            return text(mapping.query).columns(*columns).subquery(dataset)
        schema_name, _, table_name = mapping.table.rpartition(".")
        names = {col.name: mapping.columns.get(col.name, col.name) for col in canonical.columns}
        user_table = table(table_name, *(column(name) for name in dict.fromkeys(names.values())), schema=schema_name or None)
        selected = [type_coerce(user_table.c[names[col.name]], col.type).label(col.name) for col in canonical.columns]
        return select(*selected).select_from(user_table).subquery(dataset)

    def engine_for(self, statement: Select) -> Engine:
        """The one engine that holds every dataset ``statement`` reads."""
        if self._one_database:
            return self._default  # no need to walk the statement
        by_clause = {id(clause): name for name, clause in self._clauses.items()}
        used = {by_clause[id(node)] for node in iterate(statement) if id(node) in by_clause}
        engines = {id(self.engine(name)): self.engine(name) for name in used}
        if len(engines) > 1:
            raise SourceMappingError(
                f"The datasets {', '.join(sorted(used))} are mapped to different databases, "
                "but this view joins them; map them to one database (or a view that joins them)."
            )
        return next(iter(engines.values()), self._default)

    def query_threads(self) -> ThreadPoolExecutor:
        """The threads that run cold queries concurrently, made on first use and kept, so a page
        does not start (and wait for) new threads on every request."""
        with self._pool_guard:
            # A forked worker inherits the object but not its threads: it makes its own.
            if self._pool is None or self._pool_pid != os.getpid():
                self._pool = ThreadPoolExecutor(max_workers=QUERY_THREADS, thread_name_prefix="query")
                self._pool_pid = os.getpid()
            return self._pool

    def dispose(self) -> None:
        """Close every pooled connection and stop the query threads."""
        with self._pool_guard:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        self._default.dispose()
        for engine in self._engines.values():
            engine.dispose()


class _LazyTables(Mapping[str, FromClause]):
    def __init__(self, sources: Sources) -> None:
        self._sources = sources

    def cadence(self, dataset: str) -> str:
        """The declared cadence of a fed dataset (see :meth:`Sources.cadence`)."""
        return self._sources.cadence(dataset)

    def __getitem__(self, name: str) -> FromClause:
        if name not in schema.metadata.tables:
            raise KeyError(name)
        return self._sources.clause(name)

    def __iter__(self):
        return iter(schema.metadata.tables)

    def __len__(self) -> int:
        return len(schema.metadata.tables)
