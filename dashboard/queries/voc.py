"""Query builders for the voice-of-the-customer page: NPS, CSAT, complaints and comments.

Feedback is narrowed by the global filter's plant (the plant that made the product,
``customer_feedback.plant_id``) and, optionally, by a slice: ``channel``, ``region`` and
``product_id`` (``None`` means all). Internal defects, inspected and shipped units are
narrowed by the plant only (they have no channel or region).

Everything is aggregated in SQL except :func:`select_comments`: comment rows travel to
Python because sentiment is scored there (the repository refuses more than 50,000 rows).
Ratios (NPS, CSAT %, complaints per million) are computed from the counts in the metrics
layer, so a ratio is never averaged.

NPS buckets: promoters score 9-10, passives 7-8, detractors 0-6; feedback without an NPS
score is not a response. CSAT: 1-5, satisfied is 4-5.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import String, and_, case, func, literal, literal_column, select, union
from sqlalchemy.sql import CompoundSelect, FromClause, Select
from sqlalchemy.sql.elements import ColumnElement

from dashboard.filters import Filters
from dashboard.queries.dialect import date_bucket
from dashboard.queries.periods import in_both_periods, in_current_period, is_current, period_label

Tables = Mapping[str, FromClause]

SLICES = ("channel", "region", "product_id")  # the optional slice parameters, in builder order
TREND_BY = SLICES
BREAKDOWNS = ("channel", "region", "product_id", "plant_id")
INTERNAL_STAGES = ("in-process", "final")
LEAD_DAYS = 120
NOT_MAPPED = "not mapped"
COMMENT_COLUMNS = (
    "feedback_id",
    "received_date",
    "channel",
    "region",
    "plant_id",
    "product_id",
    "nps_score",
    "csat_score",
    "is_complaint",
    "defect_code",
    "comment_text",
)


# --- shared pieces ------------------------------------------------------------------------------


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _sum_if(condition: ColumnElement[bool], value: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _feedback_where(
    feedback: FromClause, filters: Filters, channel: str | None, region: str | None, product_id: str | None
) -> list[ColumnElement[bool]]:
    """Conditions for the plant and the slice (each when given)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.plant_id is not None:
        conditions.append(feedback.c.plant_id == filters.plant_id)
    if channel is not None:
        conditions.append(feedback.c.channel == channel)
    if region is not None:
        conditions.append(feedback.c.region == region)
    if product_id is not None:
        conditions.append(feedback.c.product_id == product_id)
    return conditions


def _feedback_measures(feedback: FromClause) -> list[ColumnElement[Any]]:
    """NPS responses and their buckets, CSAT responses, sum and satisfied, complaints, feedback."""
    nps, csat = feedback.c.nps_score, feedback.c.csat_score
    return [
        func.count(nps).label("responses"),
        _count_if(nps >= 9).label("promoters"),
        _count_if(and_(nps >= 7, nps <= 8)).label("passives"),
        _count_if(nps <= 6).label("detractors"),
        func.count(csat).label("csat_responses"),
        func.coalesce(func.sum(csat), 0).label("csat_sum"),
        _count_if(csat >= 4).label("csat_satisfied"),
        _count_if(feedback.c.is_complaint).label("complaints"),
        func.count().label("feedback"),
    ]


def _check(value: str | None, allowed: tuple[str, ...], what: str, *, optional: bool) -> None:
    if (value is None and not optional) or (value is not None and value not in allowed):
        raise ValueError(f"unknown {what} {value!r}; expected one of {allowed}")


def lead_window_start(filters: Filters, grain: str) -> dt.date:
    """The first day of the lead/lag window: the start of the ``grain`` bucket that holds the
    day ``LEAD_DAYS`` (120) days before the period's start, so the first bucket is whole."""
    day = filters.start_date - dt.timedelta(days=LEAD_DAYS)
    if grain == "day":
        return day
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"unknown grain {grain!r}")


def _in_lead_window(column: ColumnElement[Any], filters: Filters, grain: str) -> ColumnElement[bool]:
    return and_(column >= lead_window_start(filters, grain), column < filters.end_exclusive)


# --- NPS and CSAT -------------------------------------------------------------------------------


def select_feedback_trend(
    tables: Tables,
    filters: Filters,
    grain: str,
    by: str | None = None,
    channel: str | None = None,
    region: str | None = None,
    product_id: str | None = None,
) -> Select:
    """The feedback measures per (period 'current'/'previous', bucket_date), and per ``key``
    (the value of ``by``: channel, region or product_id) when ``by`` is given."""
    _check(by, TREND_BY, "trend breakdown", optional=True)
    feedback = tables["customer_feedback"]
    date = feedback.c.received_date
    period = period_label(date, filters).label("period")
    bucket = date_bucket(date, grain).label("bucket_date")
    keys = [feedback.c[by].label("key")] if by is not None else []
    order = [period, bucket, *(key.nulls_last() for key in keys)]
    return (
        select(period, bucket, *keys, *_feedback_measures(feedback))
        .where(in_both_periods(date, filters), *_feedback_where(feedback, filters, channel, region, product_id))
        .group_by(period, bucket, *keys)
        .order_by(*order)
    )


def _breakdown_key(tables: Tables, by: str) -> tuple[FromClause, ColumnElement[Any], ColumnElement[Any]]:
    """The FROM clause (feedback with the dimension that names the key), the key and its label."""
    feedback = tables["customer_feedback"]
    key = feedback.c[by]
    if by in ("channel", "region"):
        return feedback, key, key
    table, name = {"product_id": (tables["products"], "product_name"), "plant_id": (tables["plants"], "plant_name")}[by]
    return feedback.outerjoin(table, key == table.c[by]), key, func.coalesce(table.c[name], key)


def select_feedback_breakdown(
    tables: Tables,
    filters: Filters,
    by: str,
    channel: str | None = None,
    region: str | None = None,
    product_id: str | None = None,
) -> Select:
    """The feedback measures of the current period per ``key`` (the value of ``by``: channel,
    region, product_id or plant_id) with its ``label`` (product or plant name), most feedback
    first. Feedback of no known product or plant is the key None (last among equals)."""
    _check(by, BREAKDOWNS, "breakdown", optional=False)
    feedback = tables["customer_feedback"]
    source, key, label = _breakdown_key(tables, by)
    key, label = key.label("key"), label.label("label")
    measures = _feedback_measures(feedback)
    total = measures[-1]
    return (
        select(key, label, *measures)
        .select_from(source)
        .where(
            in_current_period(feedback.c.received_date, filters),
            *_feedback_where(feedback, filters, channel, region, product_id),
        )
        .group_by(key, label)
        .order_by(total.desc(), key.nulls_last())
    )


# --- complaints ---------------------------------------------------------------------------------


def select_complaints_by_code(
    tables: Tables,
    filters: Filters,
    channel: str | None = None,
    region: str | None = None,
    product_id: str | None = None,
) -> Select:
    """Complaints of the current period per defect code (``key``) with its description
    (``label``), most first, and ``prev_complaints``: the same code's complaints in the
    previous period. Complaints mapped to no code are the key None, labelled 'not mapped'.

    Codes with no complaint in the current period are left out."""
    feedback, codes = tables["customer_feedback"], tables["defect_codes"]
    code = feedback.c.defect_code
    current = is_current(feedback.c.received_date, filters)
    key = code.label("key")
    label = case((code.is_(None), literal(NOT_MAPPED)), else_=func.coalesce(codes.c.defect_description, code)).label("label")
    complaints = _count_if(current).label("complaints")
    return (
        select(key, label, complaints, _count_if(~current).label("prev_complaints"))
        .select_from(feedback.outerjoin(codes, code == codes.c.defect_code))
        .where(
            feedback.c.is_complaint,
            in_both_periods(feedback.c.received_date, filters),
            *_feedback_where(feedback, filters, channel, region, product_id),
        )
        .group_by(key, label)
        .having(complaints > 0)
        .order_by(complaints.desc(), key.nulls_last())
    )


def select_complaint_trend(tables: Tables, filters: Filters, grain: str, defect_code: str | None = None) -> Select:
    """Complaints per bucket_date of the current period and the lead window before it (from
    :func:`lead_window_start`: the bucket holding the day 120 days before the start), so a
    complaint peak can be set against internal defects months earlier. Only ``defect_code``
    when given (None: every complaint, mapped or not)."""
    feedback = tables["customer_feedback"]
    date = feedback.c.received_date
    bucket = date_bucket(date, grain).label("bucket_date")
    conditions = _feedback_where(feedback, filters, None, None, None)
    if defect_code is not None:
        conditions.append(feedback.c.defect_code == defect_code)
    return (
        select(bucket, func.count().label("complaints"))
        .where(feedback.c.is_complaint, _in_lead_window(date, filters, grain), *conditions)
        .group_by(bucket)
        .order_by(bucket)
    )


def select_internal_defect_trend(tables: Tables, filters: Filters, grain: str, defect_code: str | None = None) -> Select:
    """Defects found in-process or at final inspection (not by the customer) per bucket_date,
    over the same window as :func:`select_complaint_trend`; only ``defect_code`` when given."""
    defects = tables["defects"]
    date = defects.c.defect_date
    bucket = date_bucket(date, grain).label("bucket_date")
    conditions = [defects.c.detection_stage.in_(INTERNAL_STAGES)]
    if filters.plant_id is not None:
        conditions.append(defects.c.plant_id == filters.plant_id)
    if defect_code is not None:
        conditions.append(defects.c.defect_code == defect_code)
    return (
        select(bucket, func.sum(defects.c.defect_count).label("defect_count"))
        .where(_in_lead_window(date, filters, grain), *conditions)
        .group_by(bucket)
        .order_by(bucket)
    )


def select_inspected_trend(tables: Tables, filters: Filters, grain: str) -> Select:
    """Units inspected per bucket_date over the window of :func:`select_complaint_trend`
    (the denominator of the internal defect rate)."""
    volumes = tables["production_volumes"]
    date = volumes.c.production_date
    bucket = date_bucket(date, grain).label("bucket_date")
    conditions = [volumes.c.plant_id == filters.plant_id] if filters.plant_id is not None else []
    return (
        select(bucket, func.sum(volumes.c.units_inspected).label("units_inspected"))
        .where(_in_lead_window(date, filters, grain), *conditions)
        .group_by(bucket)
        .order_by(bucket)
    )


def select_shipped(tables: Tables, filters: Filters, product_id: str | None = None) -> Select:
    """One row: units shipped in the current period (``units_shipped``) and the previous one
    (``prev_units_shipped``), 0 when none; of ``product_id`` only when given."""
    volumes = tables["production_volumes"]
    date = volumes.c.production_date
    current = is_current(date, filters)
    conditions = [in_both_periods(date, filters)]
    if filters.plant_id is not None:
        conditions.append(volumes.c.plant_id == filters.plant_id)
    if product_id is not None:
        conditions.append(volumes.c.product_id == product_id)
    return select(
        _sum_if(current, volumes.c.units_shipped).label("units_shipped"),
        _sum_if(~current, volumes.c.units_shipped).label("prev_units_shipped"),
    ).where(*conditions)


# --- comments and allow-lists -------------------------------------------------------------------


def select_comments(
    tables: Tables,
    filters: Filters,
    channel: str | None = None,
    region: str | None = None,
    product_id: str | None = None,
    complaint_only: bool = False,
) -> Select:
    """The current period's feedback with a comment (COMMENT_COLUMNS), newest first (then the
    highest feedback id); complaints only when ``complaint_only``. The text is untrusted."""
    feedback = tables["customer_feedback"]
    conditions = _feedback_where(feedback, filters, channel, region, product_id)
    if complaint_only:
        conditions.append(feedback.c.is_complaint)
    return (
        select(*(feedback.c[name] for name in COMMENT_COLUMNS))
        .where(in_current_period(feedback.c.received_date, filters), feedback.c.comment_text.is_not(None), *conditions)
        .order_by(feedback.c.received_date.desc(), feedback.c.feedback_id.desc())
    )


def select_feedback_dimensions(tables: Tables) -> CompoundSelect:
    """Rows of (``dimension``, ``value``): every channel and every region that has feedback
    (the allow-lists of the page's slice). Ignores the filters."""
    feedback = tables["customer_feedback"]
    # The dimension names are constants of this module, written into the SQL as text (a bound
    # parameter's type could not be inferred by PostgreSQL in a UNION).
    by_dimension = [
        select(literal_column(f"'{name}'", String).label("dimension"), feedback.c[name].label("value")).distinct()
        for name in ("channel", "region")
    ]
    return union(*by_dimension).order_by("dimension", "value")
