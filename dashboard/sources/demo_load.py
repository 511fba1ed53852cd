"""Fast bulk loading of generated columns into SQLite, PostgreSQL or any other SQLAlchemy database.

Tables are (re)created without secondary indexes, filled in chunks, then indexed and
analysed: SQLite through the DBAPI ``executemany`` in one transaction with journalling off,
PostgreSQL through binary ``COPY`` (foreign keys are added after the load, in the same
transaction), anything else through SQLAlchemy ``insert()`` executemany.

PostgreSQL and the generic path load in one transaction (a failed load leaves the old
tables). SQLite runs without a journal for speed, so an interrupted load leaves a broken
file: write the demo again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, Table
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateTable, DropTable

from dashboard.sources import schema
from dashboard.sources.demo_plan import Coded, Columns

CHUNK_ROWS = 50_000
PG_TYPES = ((Boolean, "bool"), (Integer, "int4"), (Float, "float8"), (DateTime, "timestamp"), (Date, "date"), (String, "text"))
Progress = Callable[[str, int], None]


def _sqlite_datetimes(values: np.ndarray) -> np.ndarray:
    """datetime64 -> SQLAlchemy's SQLite text format 'YYYY-MM-DD HH:MM:SS.ffffff' (None for NaT)."""
    if len(values) == 0:
        return np.empty(0, dtype=object)
    text = np.datetime_as_string(values.astype("datetime64[us]"), unit="us")
    chars = text.view(np.uint32).reshape(len(text), -1).copy()
    chars[:, 10] = ord(" ")  # replace the ISO 'T' separator
    result = chars.view(text.dtype).ravel().astype(object)
    result[np.isnat(values)] = None
    return result


def _python_values(values: np.ndarray, column_type: Any, backend: str) -> np.ndarray:
    """An object array of DBAPI-ready Python values for one whole (or label) column."""
    kind = values.dtype.kind
    if kind == "M":
        is_date = isinstance(column_type, Date) and not isinstance(column_type, DateTime)
        if backend == "sqlite":
            if is_date:
                result = np.datetime_as_string(values.astype("datetime64[D]"), unit="D").astype(object)
                result[np.isnat(values)] = None
                return result
            return _sqlite_datetimes(values)
        result = np.empty(len(values), dtype=object)
        result[:] = values.astype("datetime64[D]" if is_date else "datetime64[us]").tolist()
        return result
    if kind == "b" and backend == "sqlite":
        return values.astype(np.int64)
    if kind == "O":
        cleaned = [v.item() if isinstance(v, np.generic) else v for v in values.tolist()]
        if isinstance(column_type, Float):
            cleaned = [None if v is None else float(v) for v in cleaned]
        result = np.empty(len(cleaned), dtype=object)
        result[:] = cleaned
        return result
    return values


class _Column:
    """One column ready to be sliced into chunks of Python values."""

    def __init__(self, values: np.ndarray | Coded, column_type: Any, backend: str) -> None:
        self.length = len(values)
        if isinstance(values, Coded):
            self.codes, self.labels = values.codes, _python_values(values.labels, column_type, backend)
        else:
            self.codes, self.labels = None, _python_values(values, column_type, backend)

    def chunk(self, start: int, stop: int) -> list:
        if self.codes is None:
            return self.labels[start:stop].tolist()
        return self.labels[self.codes[start:stop]].tolist()


def _prepared(table: Table, columns: Columns, backend: str) -> tuple[list[_Column], int]:
    names = [c.name for c in table.columns]
    if sorted(names) != sorted(columns):
        raise ValueError(f"{table.name}: generated columns {sorted(columns)} do not match the schema {sorted(names)}")
    prepared = [_Column(columns[name], table.c[name].type, backend) for name in names]
    lengths = {c.length for c in prepared}
    if len(lengths) != 1:
        raise ValueError(f"{table.name}: columns have different lengths {sorted(lengths)}")
    return prepared, lengths.pop()


def _chunks(prepared: list[_Column], total: int) -> Iterator[tuple[int, list[tuple]]]:
    for start in range(0, total, CHUNK_ROWS):
        stop = min(total, start + CHUNK_ROWS)
        yield stop - start, list(zip(*(c.chunk(start, stop) for c in prepared), strict=True))


def _pg_type(column_type: Any) -> str:
    for sa_type, name in PG_TYPES:
        if isinstance(column_type, sa_type):
            return name
    raise TypeError(f"no COPY type for {column_type!r}")


def _load_sqlite(engine: Engine, tables: Mapping[str, Columns], progress: Progress) -> None:
    dialect = engine.dialect
    proxy = engine.raw_connection()
    try:
        connection = proxy.driver_connection
        connection.isolation_level = None  # explicit BEGIN / COMMIT below
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("BEGIN")
        for table in reversed(schema.metadata.sorted_tables):
            cursor.execute(str(DropTable(table, if_exists=True).compile(dialect=dialect)))
        for table in schema.metadata.sorted_tables:
            cursor.execute(str(CreateTable(table).compile(dialect=dialect)))
        for table in schema.metadata.sorted_tables:
            prepared, total = _prepared(table, tables[table.name], "sqlite")
            names = ", ".join(dialect.identifier_preparer.quote(c.name) for c in table.columns)
            sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(table.columns))})"
            for size, rows in _chunks(prepared, total):
                cursor.executemany(sql, rows)
                progress(table.name, size)
        for table in schema.metadata.sorted_tables:
            for index in sorted(table.indexes, key=lambda i: i.name):
                cursor.execute(str(CreateIndex(index).compile(dialect=dialect)))
        cursor.execute("COMMIT")
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA journal_mode=DELETE")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()
    finally:
        proxy.close()


def _create_without_extras(conn: Connection, foreign_keys: bool) -> None:
    schema.metadata.drop_all(conn)
    for table in schema.metadata.sorted_tables:
        conn.execute(CreateTable(table, include_foreign_key_constraints=None if foreign_keys else []))


def _create_extras(conn: Connection, foreign_keys: bool) -> None:
    for table in schema.metadata.sorted_tables:
        if foreign_keys:
            for constraint in sorted(table.foreign_key_constraints, key=lambda c: c.column_keys):
                conn.execute(AddConstraint(constraint))
        for index in sorted(table.indexes, key=lambda i: i.name):
            conn.execute(CreateIndex(index))


def _load_postgresql(engine: Engine, tables: Mapping[str, Columns], progress: Progress) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        _create_without_extras(conn, foreign_keys=False)
        quote = conn.dialect.identifier_preparer.quote
        with conn.connection.dbapi_connection.cursor() as cursor:
            for table in schema.metadata.sorted_tables:
                prepared, total = _prepared(table, tables[table.name], "postgresql")
                names = ", ".join(quote(c.name) for c in table.columns)
                with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types([_pg_type(c.type) for c in table.columns])
                    for size, rows in _chunks(prepared, total):
                        for row in rows:
                            copy.write_row(row)
                        progress(table.name, size)
        _create_extras(conn, foreign_keys=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")


def _load_generic(engine: Engine, tables: Mapping[str, Columns], progress: Progress) -> None:
    with engine.begin() as conn:
        _create_without_extras(conn, foreign_keys=True)
        for table in schema.metadata.sorted_tables:
            prepared, total = _prepared(table, tables[table.name], "generic")
            names = [c.name for c in table.columns]
            for size, rows in _chunks(prepared, total):
                conn.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])
                progress(table.name, size)
        _create_extras(conn, foreign_keys=False)


def load_tables(engine: Engine, tables: Mapping[str, Columns], progress: Progress) -> None:
    """Drop and recreate every canonical table on ``engine`` and fill it from ``tables``."""
    backend = engine.dialect.name
    if backend == "sqlite":
        _load_sqlite(engine, tables, progress)
    elif backend == "postgresql" and engine.dialect.driver == "psycopg":
        _load_postgresql(engine, tables, progress)
    else:
        _load_generic(engine, tables, progress)


def table_length(columns: Columns) -> int:
    """Number of rows of a generated table."""
    return len(next(iter(columns.values())))
