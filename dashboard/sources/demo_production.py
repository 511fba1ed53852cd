"""Production volumes and defects, generated together so that they agree.

Each production row (line, product, day) gets an expected number of defect records per
defect code (units x rate); defects are Poisson draws of that, and the units that failed
first-pass inspection are the defects found in-process or at final inspection.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from dashboard.sources import demo_plan as plan_
from dashboard.sources.demo_dims import Dims
from dashboard.sources.demo_plan import Coded, Columns, Plan
from dashboard.sources.schema import SEVERITIES

RECORDS_PER_UNIT = 0.0225  # defect records per unit inspected: first-pass yield ~97 %
MULTI_DEFECT_SHARE = 0.12  # records with defect_count > 1
SEVERITY_COST = np.array([0.12, 0.5, 1.2])  # share of the unit cost lost per defect (rework ... scrap)
STAGES = ("in-process", "final", "customer")
STAGE_SHARE = (0.74, 0.23)  # customer = the rest
STAGE_COST = np.array([1.0, 1.6, 6.0])  # found later costs more (warranty for customer finds)
SCRAP_SHARE = 0.3  # failed units that are scrapped instead of reworked and shipped


@dataclasses.dataclass
class ProductionStats:
    """Daily sums the other generators and the KPI calibration need (plant x day arrays)."""

    running: np.ndarray  # (lines, days) bool: the line produced that day
    inspected: np.ndarray
    passed: np.ndarray
    shipped: np.ndarray
    opportunities: np.ndarray
    defect_count: np.ndarray  # (days,)


def _production_rows(rng: np.random.Generator, plan: Plan, dims: Dims) -> tuple[np.ndarray, ...]:
    """(day, line, product) of every production row, ordered by day, line, product, and its relative output."""
    n_lines, k = len(dims.line_ids), plan.spec.products_per_line_day
    capacity = plan.plant_calendar(list(dims.tables["plants"]["country"]), dims.plant_saturday)[dims.line_plant]
    running = (capacity > 0) & (rng.random((n_lines, plan.n_days)) >= 0.015)  # a line is down on ~1.5 % of days
    # Weighted choice of k products per line and day without replacement (Efraimidis-Spirakis keys).
    keys = rng.random((plan.n_days, n_lines, dims.line_products.shape[1])) ** (1.0 / dims.product_share[None, :, :])
    chosen = np.sort(np.argsort(keys, axis=2)[:, :, -k:], axis=2)
    day, line, slot = np.nonzero(np.broadcast_to(running.T[:, :, None], (plan.n_days, n_lines, k)))
    product = dims.line_products[line, chosen[day, line, slot]]
    chosen_share = dims.product_share[np.arange(n_lines)[None, :, None], chosen]  # (days, lines, k)
    share = chosen_share[day, line, slot] / chosen_share.sum(axis=2)[day, line]
    growth = 1.0 + 0.06 * plan.years_elapsed()
    output = dims.line_capacity[line] * share * capacity[line, day] * growth[day] * np.exp(rng.normal(0, 0.12, len(day)))
    return running, day, line, product, output


def _defect_rates(
    rng: np.random.Generator, plan: Plan, dims: Dims, day: np.ndarray, line: np.ndarray, product: np.ndarray
) -> np.ndarray:
    """Expected defect records per unit, per production row and defect code, with the planted stories."""
    n_months = plan.n_days // 30 + 1
    month_noise = np.exp(rng.normal(0, 0.08, (len(dims.line_ids), n_months)))
    month_noise[dims.index_of("line", plan_.STEP_LINE)] = 1.0  # story 1's line changes only at the step
    trend = 1.0 - 0.04 * plan.years_elapsed()  # slow continual improvement
    level = RECORDS_PER_UNIT * dims.line_quality[line] * dims.product_quality[product] * trend[day] * month_noise[line, day // 30]
    rates = level[:, None] * dims.code_mix[dims.line_type[line]]
    # Story 1: step change on one line and code.
    step = (line == dims.index_of("line", plan_.STEP_LINE)) & (day >= plan.back(plan_.STEP_DAYS))
    rates[step, dims.index_of("code", plan_.STEP_CODE)] *= 2.5
    # Story 4: internal rise of the surge code, three weeks before the complaints.
    rise_start = plan.back(plan_.SURGE_DAYS + plan_.SURGE_LEAD)
    rise = (day >= rise_start) & (day < rise_start + plan_.SURGE_LENGTH)
    rates[rise, dims.index_of("code", plan_.SURGE_CODE)] *= 2.6
    # Story 5: the CAPA cut its defect code at its plant by ~65 %.
    after_capa = (dims.line_plant[line] == dims.index_of("plant", plan_.CAPA_PLANT)) & (day > plan.back(plan_.CAPA_DAYS))
    rates[after_capa, dims.index_of("code", plan_.CAPA_CODE)] *= 0.35
    return rates


def make_production(rng: np.random.Generator, plan: Plan, dims: Dims) -> tuple[dict[str, Columns], ProductionStats]:
    """production_volumes and defects, plus daily sums for the generators that follow."""
    running, day, line, product, output = _production_rows(rng, plan, dims)
    rates = _defect_rates(rng, plan, dims, day, line, product)
    units_per_output = plan.spec.defects / float((output * rates.sum(axis=1)).sum())
    units = np.maximum(1, np.rint(output * units_per_output)).astype(np.int64)
    counts = rng.poisson(units[:, None] * rates).ravel()
    cell = np.repeat(np.arange(counts.size), counts)
    row, code = np.divmod(cell, rates.shape[1])
    n = len(row)
    defect_count = 1 + (rng.random(n) < MULTI_DEFECT_SHARE) * (1 + rng.poisson(0.8, n))
    u = rng.random(n)
    severity = (u >= dims.code_severity[code, 0]).astype(np.int8) + (u >= dims.code_severity[code, 1])
    u = rng.random(n)
    stage = (u >= STAGE_SHARE[0]).astype(np.int8) + (u >= STAGE_SHARE[0] + STAGE_SHARE[1])
    cost = defect_count * dims.product_cost[product[row]] * SEVERITY_COST[severity] * STAGE_COST[stage]
    cost = np.round(cost * np.exp(rng.normal(0, 0.35, n)), 2)

    failed = np.bincount(row, weights=defect_count * (stage < 2), minlength=len(units)).astype(np.int64)
    failed = np.minimum(failed, units)
    passed = units - failed
    shipped = passed + np.rint(failed * (1 - SCRAP_SHARE)).astype(np.int64)
    plant = dims.line_plant[line]
    days = plan.days
    volumes = {
        "production_id": np.arange(1, len(units) + 1),
        "production_date": Coded(day, days),
        "plant_id": Coded(plant, dims.plant_ids),
        "line_id": Coded(line, dims.line_ids),
        "product_id": Coded(product, dims.product_ids),
        "units_inspected": units,
        "units_passed_first_time": passed,
        "units_shipped": shipped,
    }
    defects = {
        "defect_id": np.arange(1, n + 1),
        "defect_date": Coded(day[row], days),
        "plant_id": Coded(plant[row], dims.plant_ids),
        "line_id": Coded(line[row], dims.line_ids),
        "product_id": Coded(product[row], dims.product_ids),
        "defect_code": Coded(code, dims.code_ids),
        "severity": Coded(severity, np.array(SEVERITIES, dtype=object)),
        "defect_count": defect_count,
        "cost_eur": cost,
        "detection_stage": Coded(stage, np.array(STAGES, dtype=object)),
    }
    opportunities = units * dims.tables["products"]["opportunities_per_unit"][product]
    shape = (len(dims.plant_ids), plan.n_days)
    flat = plant * plan.n_days + day

    def per_plant_day(values: np.ndarray) -> np.ndarray:
        return np.bincount(flat, weights=values, minlength=shape[0] * shape[1]).reshape(shape)

    stats = ProductionStats(
        running=running,
        inspected=per_plant_day(units),
        passed=per_plant_day(passed),
        shipped=per_plant_day(shipped),
        opportunities=per_plant_day(opportunities),
        defect_count=np.bincount(day[row], weights=defect_count, minlength=plan.n_days),
    )
    return {"production_volumes": volumes, "defects": defects}, stats
