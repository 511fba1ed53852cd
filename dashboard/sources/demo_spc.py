"""SPC measurements: a few subgroups per characteristic and production day, in control except story 1."""

from __future__ import annotations

import numpy as np

from dashboard.sources import demo_plan as plan_
from dashboard.sources.demo_dims import Dims
from dashboard.sources.demo_plan import Columns, Plan, round_to

SHIFT_START_S = 6 * 3600  # first subgroup of the day at 06:00 UTC
SHIFT_SPAN_S = 16 * 3600  # subgroups spread over two shifts
SECONDS_BETWEEN_PARTS = 90
STEP_SIGMAS = 1.5


def make_spc(rng: np.random.Generator, plan: Plan, dims: Dims, running: np.ndarray) -> Columns:
    """spc_measurements for every characteristic on the days its line ran."""
    per_day = plan.spec.spc_subgroups_per_day
    pair_char, pair_day = np.nonzero(running[dims.char_line])
    sub_char, sub_day = np.repeat(pair_char, per_day), np.repeat(pair_day, per_day)
    sub_slot = np.tile(np.arange(per_day), len(pair_char))
    first_of_char = np.searchsorted(sub_char, np.arange(len(dims.char_ids)))
    subgroup_id = np.arange(len(sub_char)) - first_of_char[sub_char] + 1
    jitter_s = rng.integers(0, 30 * 60, len(sub_char))
    sub_time = plan.days[sub_day].astype("datetime64[s]") + SHIFT_START_S + sub_slot * (SHIFT_SPAN_S // per_day) + jitter_s

    size = dims.char_size[sub_char]
    meas_sub = np.repeat(np.arange(len(sub_char)), size)
    part = np.arange(len(meas_sub)) - np.repeat(np.cumsum(size) - size, size)
    char = sub_char[meas_sub]
    mean = dims.char_mean[char].copy()
    stepped = (char == dims.index_of("characteristic", plan_.STEP_CHARACTERISTIC)) & (
        sub_day[meas_sub] >= plan.back(plan_.STEP_DAYS)
    )
    mean[stepped] += STEP_SIGMAS * dims.char_sigma[char[stepped]]
    values = round_to(mean + dims.char_sigma[char] * rng.standard_normal(len(char)), dims.char_resolution[char])
    return {
        "measurement_id": np.arange(1, len(char) + 1),
        "characteristic_id": plan_.Coded(char, dims.char_ids),
        "measured_at": sub_time[meas_sub] + part * SECONDS_BETWEEN_PARTS,
        "subgroup_id": subgroup_id[meas_sub],
        "value": values,
    }
