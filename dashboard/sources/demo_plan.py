"""The demo data set's frame: scales, the three-year calendar, and the planted stories' dates.

Everything here is a pure function of ``(scale, end_date)``; random draws happen in the
table generators (``demo_*``), each with its own stream spawned from the seed. All dates
are day positions relative to ``end_date``, so the stories keep their offsets for any end date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from dashboard.config import DEMO_SCALES
from dashboard.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class Coded:
    """A column stored as small integer codes into ``labels`` (ids, dates): cheap for millions of rows."""

    codes: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, key: object) -> np.ndarray:
        return self.labels[self.codes[key]]


Columns = dict[str, np.ndarray | Coded]


@dataclasses.dataclass(frozen=True)
class ScaleSpec:
    """How big each fact table gets at one scale (dimension tables never change)."""

    defects: int  # expected defect rows
    products_per_line_day: int  # production_volumes rows per line and production day
    spc_subgroups_per_day: int  # per characteristic and production day
    lot_factor: float  # multiplies every supplier's deliveries per week
    surveys_per_day: float


SCALES: dict[str, ScaleSpec] = {
    "small": ScaleSpec(defects=100_000, products_per_line_day=2, spc_subgroups_per_day=1, lot_factor=1.0, surveys_per_day=12),
    "medium": ScaleSpec(defects=1_000_000, products_per_line_day=3, spc_subgroups_per_day=3, lot_factor=2.0, surveys_per_day=40),
    "large": ScaleSpec(defects=10_000_000, products_per_line_day=5, spc_subgroups_per_day=8, lot_factor=4.0, surveys_per_day=120),
}
assert tuple(SCALES) == DEMO_SCALES

# Planted stories, as days before end_date (see data/README.md).
STEP_DAYS = 120  # story 1: step change on STEP_LINE
STEP_LINE, STEP_CODE, STEP_CHARACTERISTIC = "P02-L03", "D08", "P02-L03-C1"
RAMP_DAYS = 183  # story 2: S017 starts degrading
RAMP_SUPPLIER, TINY_SUPPLIER = "S017", "S060"
SCAR_DAYS = (45, 20)  # story 2: S017's late SCARs
TINY_LOT_DAYS = (40, 12)  # story 2: the tiny supplier's only two lots
SURGE_CODE = "D12"  # story 4
SURGE_DAYS, SURGE_LENGTH, SURGE_LEAD = 75, 28, 21
CAPA_DAYS = 300  # story 5: CAPA closed (effective)
CAPA_PLANT, CAPA_CODE = "P01", "D04"
KPI_WINDOW_DAYS = 90  # the overview's default period, used to calibrate KPI targets


def check_scale(scale: str) -> ScaleSpec:
    """The spec for ``scale``; raises ConfigError for an unknown one."""
    try:
        return SCALES[scale]
    except (KeyError, TypeError):
        raise ConfigError(f"Unknown demo scale {scale!r}; use one of {', '.join(SCALES)}.") from None


def quarter_of(day: dt.date) -> tuple[int, int]:
    """(year, quarter 1-4) of ``day``."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_label(year: int, quarter: int) -> str:
    """'2026-Q4'."""
    return f"{year}-Q{quarter}"


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter."""
    first = dt.date(year, 3 * quarter - 2, 1)
    after = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, after - dt.timedelta(days=1)


def last_quarters(end: dt.date, count: int = 4) -> list[tuple[int, int]]:
    """The ``count`` quarters up to and including the one containing ``end``, oldest first."""
    year, quarter = quarter_of(end)
    result = []
    for _ in range(count):
        result.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return result[::-1]


def story_dates(end: dt.date) -> dict[str, dt.date]:
    """Absolute dates of the planted stories for a given end date."""
    day = dt.timedelta(days=1)
    return {
        "step_change": end - STEP_DAYS * day,
        "supplier_ramp_start": end - RAMP_DAYS * day,
        "supplier_first_scar": end - SCAR_DAYS[0] * day,
        "okr_quarter_start": quarter_bounds(*quarter_of(end))[0],
        "internal_rise_start": end - (SURGE_DAYS + SURGE_LEAD) * day,
        "complaint_surge_start": end - SURGE_DAYS * day,
        "complaint_surge_end": end - (SURGE_DAYS - SURGE_LENGTH + 1) * day,
        "capa_closed": end - CAPA_DAYS * day,
    }


def _easter(year: int) -> dt.date:
    # Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def public_holidays(country: str, year: int) -> list[dt.date]:
    """A few public holidays per plant country (no production on them)."""
    easter = _easter(year)
    fixed = {
        "DE": [(5, 1), (10, 3)],
        "US": [(7, 4)],
        "CZ": [(5, 1), (5, 8), (7, 5), (9, 28), (10, 28), (11, 17)],
        "CN": [(5, 1), (10, 1), (10, 2), (10, 3), (10, 4), (10, 5)],
        "MX": [(2, 5), (5, 1), (9, 16)],
    }[country]
    days = [dt.date(year, month, day) for month, day in fixed]
    if country in ("DE", "CZ"):
        days += [easter - dt.timedelta(days=2), easter + dt.timedelta(days=1)]
    if country == "US":
        may_31 = dt.date(year, 5, 31)
        days += [may_31 - dt.timedelta(days=may_31.weekday()), _nth_weekday(year, 9, 0, 1), _nth_weekday(year, 11, 3, 4)]
    return days


@dataclasses.dataclass(frozen=True)
class Plan:
    """Dates of the data set: ``days`` are every calendar day from ``start`` to ``end``."""

    scale: str
    spec: ScaleSpec
    end: dt.date
    start: dt.date
    days: np.ndarray  # datetime64[D], one per calendar day

    @property
    def n_days(self) -> int:
        """Number of calendar days covered."""
        return len(self.days)

    def index(self, day: dt.date) -> int:
        """Position of ``day`` in ``days`` (may be outside 0..n_days-1)."""
        return (day - self.start).days

    def back(self, days_before_end: int) -> int:
        """Position of ``end - days_before_end``."""
        return self.n_days - 1 - days_before_end

    def weekday(self) -> np.ndarray:
        """Monday = 0 ... Sunday = 6, per day."""
        return (self.days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday

    def years_elapsed(self) -> np.ndarray:
        """Fraction of years since ``start``, per day (for slow trends)."""
        return np.arange(self.n_days) / 365.25

    def plant_calendar(self, countries: list[str], saturday_plants: np.ndarray) -> np.ndarray:
        """Capacity factor per (plant, day): 1 weekday, 0.5 Saturday where worked, 0 closed."""
        weekday = self.weekday()
        capacity = np.where(weekday < 5, 1.0, 0.0)[None, :].repeat(len(countries), axis=0)
        capacity[saturday_plants[:, None] & (weekday == 5)[None, :]] = 0.5
        month_day = np.array([(d.month, d.day) for d in self.days.tolist()])
        shutdown = ((month_day[:, 0] == 12) & (month_day[:, 1] >= 24)) | ((month_day[:, 0] == 1) & (month_day[:, 1] == 1))
        capacity[:, shutdown] = 0.0
        years = range(self.start.year, self.end.year + 1)
        for plant, country in enumerate(countries):
            holidays = [self.index(d) for y in years for d in public_holidays(country, y)]
            inside = [i for i in holidays if 0 <= i < self.n_days]
            capacity[plant, inside] = 0.0
        return capacity


def make_plan(scale: str, end: dt.date) -> Plan:
    """The plan for three years ending on ``end`` (inclusive)."""
    spec = check_scale(scale)
    try:
        start = end.replace(year=end.year - 3) + dt.timedelta(days=1)
    except ValueError:  # 29 February
        start = dt.date(end.year - 3, 3, 1)
    days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
    return Plan(scale, spec, end, start, days)


def nullable(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """An object array of Python values with None where ``missing`` is true."""
    result = values.astype(object)
    result[missing] = None
    return result


def pick(options: list | tuple, index: np.ndarray) -> np.ndarray:
    """``options[index]`` as an object array (vectorised lookup of labels)."""
    return np.array(options, dtype=object)[index]


def round_to(values: np.ndarray, decimals: np.ndarray | int) -> np.ndarray:
    """Round each value to its own number of decimals (k / 10**d is the double nearest the decimal)."""
    scale = 10.0 ** np.asarray(decimals)
    return np.rint(values * scale) / scale


def rows_to_columns(rows: list[tuple], names: tuple[str, ...]) -> Columns:
    """Rows -> object columns (None stays None; dates become datetime64 so loaders treat them as dates)."""
    columns = {}
    for position, name in enumerate(names):
        values = [row[position] for row in rows]
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, dt.date) for v in present):  # None becomes NaT
            columns[name] = np.array(values, dtype="datetime64[D]")
        else:
            column = np.empty(len(values), dtype=object)
            column[:] = values
            columns[name] = column
    return columns
