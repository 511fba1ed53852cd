"""Voice of the customer: surveys (NPS, CSAT), reviews and complaints, with free-text comments.

Complaints follow the units shipped (story 4 adds a surge of one defect code). A few
comments are deliberately awkward (other scripts, emoji, empty, very long, HTML/script)
so that the views' escaping and layout can be tested on the demo.
"""

from __future__ import annotations

import numpy as np

from dashboard.sources import demo_plan as plan_
from dashboard.sources.demo_dims import PLANTS, Dims
from dashboard.sources.demo_plan import Columns, Plan, nullable, pick
from dashboard.sources.demo_production import ProductionStats

COMPLAINTS_PER_MILLION = 120.0
SURGE_PER_MILLION = 450.0
NPS_BASE = np.array([1, 0.5, 1, 1.5, 2, 3, 5, 14, 18, 24, 30]) / 100  # P(score = 0..10): NPS ~ +40
NPS_UNHAPPY = np.array([8, 5, 6, 8, 9, 11, 12, 14, 11, 9, 7]) / 100
REGIONS = ("EMEA", "Americas", "APAC")
CHANNELS = ("email", "phone", "web", "social")
SUBJECTS = ("quality", "delivery", "support from your team", "packaging", "documentation", "lead time", "communication")
POSITIVE = (
    ("Great", "Excellent", "Very good", "Really happy with the", "Consistently good"),
    (" - thanks!", ".", ", will order again.", ", keep it up.", "!"),
)
NEUTRAL = (
    ("Okay", "Average", "Acceptable", "Nothing special about the", "Fine"),
    (".", ", as expected.", ", could be faster.", ", no complaints.", "."),
)
NEGATIVE = (
    ("Disappointed with the", "Poor", "Unacceptable", "Not happy with the", "Problems again with the"),
    (". Please fix this.", ", third time this year.", ".", " - we expect better.", "!"),
)
COMPLAINT = (
    (
        "Received units with",
        "Our incoming inspection found",
        "Field return:",
        "Line stop at our plant due to",
        "Customer reports",
    ),
    (" in the last delivery.", " - please send an 8D report.", " again.", " on several parts of order ", "."),
)
SPECIAL_COMMENTS = (
    "Die Lieferung kam pünktlich, aber die Verpackung war beschädigt.",
    "Excelente calidad, muy satisfechos con el servicio.",
    "产品质量很好，但是交货时间太长。",
    "品質は良いですが、梱包に改善の余地があります。",
    "Díly měly škrábance na povrchu, prosíme o nápravu.",
    "الجودة ممتازة والتسليم في الوقت المحدد",
    "👍👍👍",
    "😡😡",
    "⭐⭐⭐⭐⭐",
    "",
    "   ",
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)"> Great product! <b>bold</b> &amp; &lt;escaped&gt;',
    "Robert'); DROP TABLE customer_feedback;-- said the seal leaked",
    "First line\nsecond line\twith a tab and a backslash \\ in C:\\temp\\new",
    "Very long feedback. "
    + " ".join(
        [
            "The housings arrived with scratches and two seals were leaking, which stopped our "
            "assembly line for most of the shift while we sorted every box by hand."
        ]
        * 30
    ),
)


def _sentences(rng: np.random.Generator, parts: tuple[tuple[str, ...], tuple[str, ...]], n: int) -> np.ndarray:
    opener, closer = parts
    text = pick(opener, rng.integers(0, len(opener), n)) + " " + pick(SUBJECTS, rng.integers(0, len(SUBJECTS), n))
    return text + pick(closer, rng.integers(0, len(closer), n))


def _rolling_shipped(stats: ProductionStats, window: int = 28) -> np.ndarray:
    """Units shipped per plant and calendar day, averaged over the preceding ``window`` days."""
    cumulative = np.concatenate([np.zeros((stats.shipped.shape[0], 1)), np.cumsum(stats.shipped, axis=1)], axis=1)
    end = np.arange(1, stats.shipped.shape[1] + 1)
    start = np.maximum(0, end - window)
    return (cumulative[:, end] - cumulative[:, start]) / (end - start)


def _complaints(rng: np.random.Generator, plan: Plan, dims: Dims, shipped: np.ndarray) -> dict[str, np.ndarray]:
    weekday_factor = np.where(plan.weekday() < 5, 1.2, 0.5)
    plant_rate = COMPLAINTS_PER_MILLION * np.exp(rng.normal(0, 0.25, len(dims.plant_ids)))
    counts = rng.poisson(shipped * plant_rate[:, None] / 1e6 * weekday_factor[None, :])
    surge_start = plan.back(plan_.SURGE_DAYS)
    in_surge = (np.arange(plan.n_days) >= surge_start) & (np.arange(plan.n_days) < surge_start + plan_.SURGE_LENGTH)
    surge = rng.poisson(shipped * SURGE_PER_MILLION / 1e6 * (in_surge * weekday_factor)[None, :])
    plant, day = np.nonzero(counts)
    plant, day = np.repeat(plant, counts[plant, day]), np.repeat(day, counts[plant, day])
    surge_plant, surge_day = np.nonzero(surge)
    repeats = surge[surge_plant, surge_day]
    plant, day = np.concatenate([plant, np.repeat(surge_plant, repeats)]), np.concatenate([day, np.repeat(surge_day, repeats)])
    is_surge = np.arange(len(day)) >= len(day) - repeats.sum()
    code_share = dims.code_mix.mean(axis=0)
    code = np.minimum(np.searchsorted(np.cumsum(code_share), rng.random(len(day)) * code_share.sum()), len(code_share) - 1)
    code[is_surge] = dims.index_of("code", plan_.SURGE_CODE)
    mapped = is_surge | (rng.random(len(day)) < 0.85)
    return {"day": day, "plant": plant, "code": code, "mapped": mapped}


def make_feedback(rng: np.random.Generator, plan: Plan, dims: Dims, stats: ProductionStats) -> Columns:
    """customer_feedback: surveys, reviews and complaints, ordered by date."""
    shipped = _rolling_shipped(stats)
    n_plants = len(dims.plant_ids)
    plant_share = stats.shipped.sum(axis=1) / stats.shipped.sum()
    weekday_factor = np.where(plan.weekday() < 5, 1.2, 0.5)
    surveys_per_day = rng.poisson(plan.spec.surveys_per_day * 1.15 * weekday_factor)
    s_day = np.repeat(np.arange(plan.n_days), surveys_per_day)
    s_plant = np.minimum(np.searchsorted(np.cumsum(plant_share), rng.random(len(s_day))), n_plants - 1)
    unhappy = rng.uniform(0.0, 0.15, n_plants)[s_plant]
    surge_start = plan.back(plan_.SURGE_DAYS)
    unhappy[(s_day >= surge_start) & (s_day < surge_start + plan_.SURGE_LENGTH + 14)] += 0.15
    review = rng.random(len(s_day)) < 0.13  # web reviews: CSAT only
    probabilities = NPS_BASE[None, :] * (1 - unhappy[:, None]) + NPS_UNHAPPY[None, :] * unhappy[:, None]
    score = (rng.random(len(s_day))[:, None] > np.cumsum(probabilities, axis=1)).sum(axis=1).clip(0, 10)
    csat = np.clip(np.rint(1 + score * 0.4 + rng.normal(0, 0.6, len(score))), 1, 5).astype(np.int64)
    complaints = _complaints(rng, plan, dims, shipped)
    c_n = len(complaints["day"])

    day = np.concatenate([s_day, complaints["day"]])
    plant = np.concatenate([s_plant, complaints["plant"]])
    n = len(day)
    is_complaint = np.arange(n) >= len(s_day)
    nps = np.concatenate([score, np.zeros(c_n, np.int64)])
    nps_missing = np.concatenate([review, np.ones(c_n, bool)])
    csat_all = np.concatenate([csat, rng.integers(1, 3, c_n)])
    csat_missing = np.concatenate([rng.random(len(s_day)) < 0.08, rng.random(c_n) < 0.45])
    code = np.concatenate([np.zeros(len(s_day), np.int64), complaints["code"]])
    code_missing = np.concatenate([np.ones(len(s_day), bool), ~complaints["mapped"]])
    channel = np.concatenate(
        [np.where(review, "web", "survey").astype(object), pick(CHANNELS, np.searchsorted([0.4, 0.7, 0.95], rng.random(c_n)))]
    )
    plant_region = np.array([REGIONS.index(p[3]) for p in PLANTS])[plant]
    region = np.where(rng.random(n) < 0.75, plant_region, rng.integers(0, len(REGIONS), n))
    line_of_plant = np.flatnonzero(dims.line_plant == 0)  # lines are numbered plant by plant
    product = (plant * len(line_of_plant) + rng.integers(0, len(line_of_plant), n)) * dims.line_products.shape[1] + rng.integers(
        0, dims.line_products.shape[1], n
    )

    sentiment = np.where(is_complaint, 3, np.where(nps_missing, np.digitize(csat_all, [3, 4]), np.digitize(nps, [7, 9])))
    text = np.empty(n, dtype=object)
    for kind, parts in enumerate((NEGATIVE, NEUTRAL, POSITIVE)):
        rows = np.flatnonzero(sentiment == kind)
        text[rows] = _sentences(rng, parts, len(rows))
    rows = np.flatnonzero(is_complaint)
    descriptions = dims.tables["defect_codes"]["defect_description"][code[rows]]
    opener, closer = COMPLAINT
    order_numbers = pick([str(k) for k in range(4500100, 4500200)], rng.integers(0, 100, len(rows)))
    closing = pick(closer, rng.integers(0, len(closer), len(rows)))
    closing = np.where(closing == closer[3], closing + order_numbers + ".", closing)
    text[rows] = (
        pick(opener, rng.integers(0, len(opener), len(rows)))
        + " "
        + np.char.lower(descriptions.astype(str)).astype(object)
        + closing
    )
    comment_rate = np.array([0.7, 0.45, 0.6, 0.95])[sentiment]
    text[rng.random(n) >= comment_rate] = None
    recent = np.flatnonzero(day >= plan.n_days - plan_.KPI_WINDOW_DAYS)
    text[rng.choice(recent, len(SPECIAL_COMMENTS), replace=False)] = np.array(SPECIAL_COMMENTS, dtype=object)

    order = np.lexsort((np.arange(n), day))
    columns = {
        "received_date": plan.days[day],
        "channel": channel,
        "region": pick(REGIONS, region),
        "plant_id": nullable(dims.plant_ids[plant], rng.random(n) < 0.03),
        "product_id": nullable(dims.product_ids[product], rng.random(n) < 0.1),
        "nps_score": nullable(nps, nps_missing),
        "csat_score": nullable(csat_all, csat_missing),
        "is_complaint": is_complaint,
        "defect_code": nullable(dims.code_ids[code], code_missing),
        "comment_text": text,
    }
    return {"feedback_id": np.arange(1, n + 1), **{k: v[order] for k, v in columns.items()}}
