"""The data dictionary (docs/data-dictionary.md), generated from the canonical schema."""

from __future__ import annotations

from sqlalchemy import Table

from dashboard.sources import schema

HEADER = """# Data dictionary

Generated from `dashboard/sources/schema.py` by `python -m dashboard data-dictionary`;
a test fails when this file and the schema disagree. Each table is a *dataset* that can be
mapped onto your own table or SELECT (see the README, "Point the dashboard at your database").
Columns carry their unit in the name (`*_eur`, `*_pct` 0-100, `*_rate` 0-1, `*_ppm`,
`*_date`, `*_at`).
"""


def _keys(table: Table) -> str:
    primary = ", ".join(c.name for c in table.primary_key.columns)
    foreign = sorted({f"{fk.parent.name} → {fk.column.table.name}.{fk.column.name}" for fk in table.foreign_keys})
    text = f"**Key:** {primary}"
    if foreign:
        text += "  \n**References:** " + "; ".join(foreign)
    return text


def data_dictionary() -> str:
    """Markdown describing every canonical table: grain, keys, columns with type and meaning."""
    parts = [HEADER]
    for table in schema.metadata.sorted_tables:
        parts.append(f"\n## `{table.name}`\n\n**Grain:** {table.comment}  \n{_keys(table)}\n")
        parts.append("| column | type | required | meaning |\n| --- | --- | --- | --- |")
        for column in table.columns:
            required = "yes" if not column.nullable else "no"
            parts.append(f"| `{column.name}` | {column.type} | {required} | {column.comment or ''} |")
    return "\n".join(parts) + "\n"
