"""``python -m dashboard check-sources``: does every dataset's mapping fit the canonical schema?

For each dataset it reports OK, or exactly which table or column is missing or has a type
that cannot stand for the canonical one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric, String, Text, inspect, select
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError
from sqlalchemy.types import TypeEngine

from dashboard.sources import schema
from dashboard.sources.mapping import Sources

# Which reflected SQL types can stand for a canonical type.
_COMPATIBLE: dict[type, tuple[type, ...]] = {
    Integer: (Integer, Numeric),
    Float: (Float, Numeric, Integer),
    String: (String, Text),
    Text: (String, Text),
    Date: (Date, DateTime),
    DateTime: (DateTime, Date),
    Boolean: (Boolean, Integer),
}
_PYTHON: dict[type, tuple[type, ...]] = {
    Integer: (int, decimal.Decimal),
    Float: (float, int, decimal.Decimal),
    String: (str,),
    Text: (str,),
    Date: (dt.date, str),
    DateTime: (dt.datetime, str),
    Boolean: (bool, int),
}


@dataclasses.dataclass(frozen=True)
class DatasetReport:
    """The outcome for one dataset: ``problems`` is empty when it is OK."""

    dataset: str
    where: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def _canonical_kind(column_type: TypeEngine) -> type:
    for kind in (Boolean, DateTime, Date, Float, Integer, Text, String):
        if isinstance(column_type, kind):
            return kind
    return String


def _fits(reflected: TypeEngine, canonical: TypeEngine) -> bool:
    allowed = _COMPATIBLE[_canonical_kind(canonical)]
    return isinstance(reflected, allowed) or reflected.__class__.__name__.upper() in ("NULLTYPE",)


def _check_table(sources: Sources, dataset: str) -> DatasetReport:
    mapping = sources.mapping(dataset)
    canonical = schema.metadata.tables[dataset]
    table_name = mapping.table if mapping else dataset
    schema_name, _, name = table_name.rpartition(".")
    engine = sources.engine(dataset)
    where = f"table {table_name} in {engine.url.render_as_string(hide_password=True)}"
    try:
        columns = {c["name"]: c["type"] for c in inspect(engine).get_columns(name, schema=schema_name or None)}
    except NoSuchTableError:
        return DatasetReport(dataset, where, (f"table {table_name} does not exist",))
    problems = []
    for column in canonical.columns:
        source_name = mapping.columns.get(column.name, column.name) if mapping else column.name
        shown = column.name if source_name == column.name else f"{source_name} (for {column.name})"
        if source_name not in columns:
            problems.append(f"missing column {shown}")
        elif engine.dialect.name != "sqlite" and not _fits(columns[source_name], column.type):
            # SQLite's declared types are advisory; its values are checked on a sample row below.
            problems.append(f"column {shown} is {columns[source_name]}, expected {_canonical_kind(column.type).__name__.lower()}")
    if not problems:
        problems.extend(_sample_problems(sources, dataset))
    return DatasetReport(dataset, where, tuple(problems))


def _sample_problems(sources: Sources, dataset: str) -> list[str]:
    """Python types of one row read through the mapping, against the canonical types."""
    canonical = schema.metadata.tables[dataset]
    engine = sources.engine(dataset)
    with engine.connect() as connection:
        result = connection.execute(select(sources.clause(dataset)).limit(1))
        names = list(result.keys())
        row = result.fetchone()
    problems = [f"missing column {c.name}" for c in canonical.columns if c.name not in names]
    if row is not None:
        values = dict(zip(names, row, strict=True))
        for column in canonical.columns:
            value = values.get(column.name)
            kind = _canonical_kind(column.type)
            if value is not None and not isinstance(value, _PYTHON[kind]):
                problems.append(f"column {column.name} holds {type(value).__name__}, expected {kind.__name__.lower()}")
    return problems


def _check_query(sources: Sources, dataset: str) -> DatasetReport:
    engine = sources.engine(dataset)
    where = f"query in {engine.url.render_as_string(hide_password=True)}"
    try:
        return DatasetReport(dataset, where, tuple(_sample_problems(sources, dataset)))
    except SQLAlchemyError as error:
        return DatasetReport(dataset, where, (f"the query failed: {str(getattr(error, 'orig', error)).splitlines()[0]}",))


def check_sources(sources: Sources) -> list[DatasetReport]:
    """One report per canonical dataset."""
    reports = []
    for dataset in schema.metadata.tables:
        mapping = sources.mapping(dataset)
        try:
            if mapping is not None and mapping.query is not None:
                reports.append(_check_query(sources, dataset))
            else:
                reports.append(_check_table(sources, dataset))
        except SQLAlchemyError as error:
            reason = str(getattr(error, "orig", error)).splitlines()[0]
            reports.append(DatasetReport(dataset, "database", (f"cannot read: {reason}",)))
        except (ValueError, TypeError) as error:  # a value the canonical type cannot parse
            reports.append(DatasetReport(dataset, "sample row", (f"unreadable value: {error}",)))
    return reports


def format_reports(reports: list[DatasetReport]) -> str:
    """The text the CLI prints: one line per dataset, problems indented below."""
    lines = []
    for report in reports:
        lines.append(f"{'OK  ' if report.ok else 'FAIL'} {report.dataset:<22} {report.where}")
        lines.extend(f"       - {problem}" for problem in report.problems)
    bad = sum(not r.ok for r in reports)
    lines.append(f"{len(reports) - bad} of {len(reports)} datasets OK." if bad else f"All {len(reports)} datasets OK.")
    return "\n".join(lines)
