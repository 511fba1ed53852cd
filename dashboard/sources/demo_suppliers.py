"""Supplier quality: incoming lots, SCARs and supplier audits (story 2 lives here)."""

from __future__ import annotations

import numpy as np

from dashboard.sources import demo_plan as plan_
from dashboard.sources.demo_dims import COMMODITIES, N_SUPPLIERS, Dims
from dashboard.sources.demo_plan import Coded, Columns, Plan, nullable, pick

LOT_REJECT_RATE = 0.01  # a lot is rejected when more than 1 % of its units fail incoming inspection
LOT_REJECT_FEE_EUR = 250.0
BAD_LOT_SHARE, BAD_LOT_FACTOR = 0.015, 10.0
RAMP_PPM = (800.0, 6000.0)
COMMODITY_CODE = {
    "Castings": "D11",
    "Fasteners": "D25",
    "Resins": "D14",
    "Electronic components": "D26",
    "Sheet steel": "D18",
    "Seals and gaskets": "D12",
    "Packaging": "D27",
    "Paint and coatings": "D02",
    "Cable harnesses": "D21",
    "Bearings": "D10",
    "Machined parts": "D05",
    "Printed circuit boards": "D16",
}
TINY_LOTS = ((50, 0), (50, 6))  # units received, units rejected
STORY_SCAR_TEXT = "Casting porosity above the agreed PPM; 100 % sorting, containment and 8D report requested"


def _supplier_profile(rng: np.random.Generator, plan: Plan, n_plants: int) -> dict[str, np.ndarray]:
    ramp, tiny = int(plan_.RAMP_SUPPLIER[1:]) - 1, int(plan_.TINY_SUPPLIER[1:]) - 1
    per_week = np.clip(np.exp(rng.normal(0.0, 0.5, N_SUPPLIERS)), 0.3, 4.0) * plan.spec.lot_factor
    per_week[ramp], per_week[tiny] = 3.0 * plan.spec.lot_factor, 0.0
    ppm = np.clip(np.exp(rng.normal(np.log(900.0), 0.45, N_SUPPLIERS)), 250.0, 2500.0)
    ppm[ramp] = RAMP_PPM[0]
    serves = rng.random((N_SUPPLIERS, n_plants)) < 0.35
    serves[np.arange(N_SUPPLIERS), rng.integers(0, n_plants, N_SUPPLIERS)] = True
    lot_size = np.round(np.exp(rng.normal(np.log(3000), 0.6, N_SUPPLIERS)), -1)
    lot_size[ramp] = 4000.0
    return {
        "per_week": per_week,
        "ppm": ppm,
        "serves": serves,
        "lot_size": lot_size,
        "part_cost": np.round(np.exp(rng.normal(np.log(8.0), 1.0, N_SUPPLIERS)), 2),
        "parts": rng.integers(2, 7, N_SUPPLIERS),
    }


def _lots(rng: np.random.Generator, plan: Plan, dims: Dims, profile: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    weekday = plan.weekday()
    capacity = plan.plant_calendar(["DE"], np.array([False]))[0]  # receiving follows a plain working calendar
    receiving = (weekday < 5) & (capacity > 0)
    p_day = np.minimum(profile["per_week"] / 5.0, 0.95)
    day, supplier = np.nonzero(receiving[:, None] & (rng.random((plan.n_days, N_SUPPLIERS)) < p_day[None, :]))
    n = len(day)
    serves = profile["serves"][supplier]
    choice = np.floor(rng.random(n) * serves.sum(axis=1)).astype(int)
    plant = np.argmax(np.cumsum(serves, axis=1) > choice[:, None], axis=1)
    part = np.floor(rng.random(n) * profile["parts"][supplier]).astype(int)
    units = np.maximum(10, np.rint(profile["lot_size"][supplier] * np.exp(rng.normal(0, 0.3, n)))).astype(np.int64)
    ppm = profile["ppm"][supplier].copy()
    ramp_start = plan.back(plan_.RAMP_DAYS)
    ramp_supplier = supplier == int(plan_.RAMP_SUPPLIER[1:]) - 1
    ramping = ramp_supplier & (day >= ramp_start)
    ppm[ramping] += (RAMP_PPM[1] - RAMP_PPM[0]) * (day[ramping] - ramp_start) / plan_.RAMP_DAYS
    spread = np.where(ramp_supplier, 0.4, 0.8)  # lot-to-lot spread; the ramp supplier drifts steadily
    lot_ppm = ppm * np.exp(rng.normal(0, 1, n) * spread - spread**2 / 2)  # -sigma^2/2 keeps the mean
    bad_lot = (rng.random(n) < BAD_LOT_SHARE) & ~ramp_supplier
    lot_ppm[bad_lot] *= BAD_LOT_FACTOR  # occasional bad lots (the ramp supplier's story stays clean of them)
    rejected = rng.binomial(units, np.minimum(lot_ppm / 1e6, 0.5))
    lateness = np.where(rng.random(n) < 0.72, 0, rng.integers(-3, 13, n))
    tiny = int(plan_.TINY_SUPPLIER[1:]) - 1
    extra_day = np.array([plan.back(d) for d in plan_.TINY_LOT_DAYS])
    day = np.concatenate([day, extra_day])
    supplier = np.concatenate([supplier, [tiny, tiny]])
    plant = np.concatenate([plant, [0, 0]])
    part = np.concatenate([part, [0, 0]])
    units = np.concatenate([units, [u for u, _ in TINY_LOTS]])
    rejected = np.concatenate([rejected, [r for _, r in TINY_LOTS]])
    lateness = np.concatenate([lateness, [0, 0]])
    order = np.lexsort((supplier, day))
    return {
        k: v[order]
        for k, v in {
            "day": day,
            "supplier": supplier,
            "plant": plant,
            "part": part,
            "units": units,
            "rejected": rejected,
            "lateness": lateness,
        }.items()
    }


def _scars(rng: np.random.Generator, plan: Plan, dims: Dims, lots: dict[str, np.ndarray]) -> Columns:
    ramp, tiny = int(plan_.RAMP_SUPPLIER[1:]) - 1, int(plan_.TINY_SUPPLIER[1:]) - 1
    bad = lots["rejected"] > LOT_REJECT_RATE * lots["units"]
    routine = np.flatnonzero(bad & ~np.isin(lots["supplier"], [ramp, tiny]) & (rng.random(len(bad)) < 0.6))
    story_days = [plan.back(d) for d in plan_.SCAR_DAYS]  # story 2: S017's SCARs come late
    share = lots["rejected"] / lots["units"]
    story_lots = []
    for day in story_days:  # each points at S017's worst lot of the 30 days before it
        recent = np.flatnonzero((lots["supplier"] == ramp) & (lots["day"] < day) & (lots["day"] >= day - 30))
        story_lots.append(int(recent[np.argmax(share[recent])]) if len(recent) else -1)
    opened = np.concatenate([lots["day"][routine] + rng.integers(2, 7, len(routine)), story_days])
    lot = np.concatenate([routine, story_lots]).astype(np.int64)
    supplier = np.concatenate([lots["supplier"][routine], [ramp, ramp]])
    story = np.arange(len(opened)) >= len(routine)
    order = np.argsort(opened, kind="stable")
    order = order[opened[order] < plan.n_days]
    opened, lot, supplier, story = opened[order], lot[order], supplier[order], story[order]
    code = np.array([COMMODITY_CODE[c] for c in dims.tables["suppliers"]["commodity"][supplier]], dtype=object)
    descriptions = dict(zip(dims.code_ids, dims.tables["defect_codes"]["defect_description"], strict=True))
    text = [
        STORY_SCAR_TEXT
        if is_story
        else f"{lots['rejected'][i]} of {lots['units'][i]} units rejected at incoming inspection: {descriptions[c].lower()}"
        for i, c, is_story in zip(lot, code, story, strict=True)
    ]
    closed = opened + np.rint(np.exp(rng.normal(np.log(25), 0.5, len(opened)))).astype(np.int64)
    is_open = story | (closed >= plan.n_days)
    return {
        "scar_id": np.arange(1, len(opened) + 1),
        "supplier_id": dims.supplier_ids[supplier],
        "lot_id": nullable(lot + 1, lot < 0),
        "defect_code": code,
        "opened_date": plan.days[opened],
        "due_date": plan.days[0] + (opened + 30),
        "closed_date": np.where(is_open, np.datetime64("NaT"), plan.days[0] + closed).astype("datetime64[D]"),
        "scar_status": pick(("closed", "open"), is_open.astype(int)),
        "description": np.array(text, dtype=object),
    }


def _audits(rng: np.random.Generator, plan: Plan, dims: Dims, profile: dict[str, np.ndarray]) -> Columns:
    ramp, tiny = int(plan_.RAMP_SUPPLIER[1:]) - 1, int(plan_.TINY_SUPPLIER[1:]) - 1
    first = rng.integers(0, 365, N_SUPPLIERS)
    gaps = rng.integers(330, 400, (N_SUPPLIERS, 4))
    when = first[:, None] + np.concatenate([np.zeros((N_SUPPLIERS, 1), int), np.cumsum(gaps, axis=1)], axis=1)
    supplier, visit = np.nonzero((when < plan.n_days) & (np.arange(N_SUPPLIERS) != tiny)[:, None])
    day = when[supplier, visit]
    supplier, day = np.append(supplier, ramp), np.append(day, plan.back(30))
    quality = 95.0 - 8.0 * np.log(profile["ppm"][supplier] / 900.0) + rng.normal(0, 3, len(supplier))
    score = np.clip(np.round(quality, 1), 55.0, 99.5)
    score[-1] = 61.5  # story 2: S017's recent audit
    findings = rng.poisson((100.0 - score) / 6.0)
    findings[-1] = 11
    order = np.lexsort((supplier, day))
    return {
        "audit_id": np.arange(1, len(day) + 1),
        "supplier_id": dims.supplier_ids[supplier[order]],
        "audit_date": plan.days[day[order]],
        "score_pct": score[order],
        "finding_count": findings[order],
    }


def make_suppliers(rng: np.random.Generator, plan: Plan, dims: Dims) -> dict[str, Columns]:
    """supplier_lots, scars and supplier_audits."""
    profile = _supplier_profile(rng, plan, len(dims.plant_ids))
    lots = _lots(rng, plan, dims, profile)
    commodity = np.array([COMMODITIES.index(c) for c in dims.tables["suppliers"]["commodity"]])
    part_number = (
        pick([c[:3].upper() for c in COMMODITIES], commodity[lots["supplier"]])
        + "-"
        + dims.supplier_ids[lots["supplier"]]
        + "-"
        + pick([f"{k:02d}" for k in range(1, 10)], lots["part"])
    )
    rejected_lot = lots["rejected"] > LOT_REJECT_RATE * lots["units"]
    chargeback = np.round(lots["rejected"] * profile["part_cost"][lots["supplier"]] + LOT_REJECT_FEE_EUR * rejected_lot, 2)
    supplier_lots = {
        "lot_id": np.arange(1, len(lots["day"]) + 1),
        "supplier_id": Coded(lots["supplier"], dims.supplier_ids),
        "plant_id": Coded(lots["plant"], dims.plant_ids),
        "part_number": part_number,
        "received_date": Coded(lots["day"], plan.days),
        "due_date": plan.days[0] + (lots["day"] - lots["lateness"]),
        "units_received": lots["units"],
        "units_rejected": lots["rejected"],
        "lot_rejected": rejected_lot,
        "chargeback_eur": chargeback,
    }
    return {
        "supplier_lots": supplier_lots,
        "scars": _scars(rng, plan, dims, lots),
        "supplier_audits": _audits(rng, plan, dims, profile),
    }
