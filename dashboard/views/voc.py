"""Voice of the customer: NPS, CSAT and complaints with their sample sizes, sentiment and themes
of the comments, and complaints lined up with the internal defect rate of the same code.

Counts come from SQL. Comments are the exception: sentiment cannot be computed in SQL, so the
period's comment rows are read once and scored with VADER once per read of the source
(``Repository.derived``), not on every page view.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from dashboard.datasets.interface import Dataset, DatasetRequest, Repository
from dashboard.errors import InvalidFilter
from dashboard.figures import voc as figures
from dashboard.filters import Filters
from dashboard.metrics import sentiment, voc
from dashboard.views.cached import dataset, pack, unpack

TREND_BY = {"": "All feedback", "channel": "Channel", "region": "Region"}
BREAKDOWN_BY = {"channel": "Channel", "region": "Region", "product_id": "Product", "plant_id": "Plant"}
MAX_COMMENTS = 1000  # rows sent to the comments table; the rest are counted
LAG_WEEKS = 8
NOT_MAPPED = "not mapped"  # complaints without a defect code


@dataclasses.dataclass(frozen=True)
class VocSlice:
    """What the page narrows feedback to beyond the period and plant."""

    channel: str | None = None
    region: str | None = None
    product_id: str | None = None

    def params(self) -> dict[str, str | None]:
        """Dataset parameters."""
        return {"channel": self.channel, "region": self.region, "product_id": self.product_id}


@dataclasses.dataclass(frozen=True)
class VocView:
    """The /voc page's content; figures are Plotly JSON dicts."""

    filters: Filters
    headlines: tuple[tuple[str, str, str], ...]
    nps_trend: dict
    breakdown: dict
    sentiment: dict
    histogram: dict
    themes: dict
    complaints: dict
    lead_lag: dict
    lag_table: dict
    lag_text: str
    code: str | None
    theme: str | None
    comments: list[dict]
    comments_text: str
    theme_trend: dict | None
    scoring_text: str
    as_of: dt.datetime | None
    stale: str | None = None
    problems: tuple[str, ...] = ()


def voc_dimensions(repo: Repository) -> dict[str, tuple[str, ...]]:
    """Allowed channels and regions (from the data) and product ids."""
    frame = repo.fetch("feedback_dimensions").frame
    products = repo.fetch("products").frame
    return {
        "channel": tuple(frame.loc[frame["dimension"] == "channel", "value"]),
        "region": tuple(frame.loc[frame["dimension"] == "region", "value"]),
        "product_id": tuple(products["product_id"]),
    }


def parse_voc_slice(params: dict[str, object], dimensions: dict[str, tuple[str, ...]]) -> tuple[VocSlice, tuple[str, ...]]:
    """The slice from URL parameters ``channel``, ``region``, ``product``; unknown values are dropped with a message."""
    chosen: dict[str, str | None] = {}
    problems = []
    for param, field, what in (
        ("channel", "channel", "channel"),
        ("region", "region", "region"),
        ("product", "product_id", "product"),
    ):
        value = params.get(param)
        value = value.strip()[:64] if isinstance(value, str) and value.strip() else None
        if value is not None and value not in dimensions[field]:
            problems.append(f"Unknown {what} '{value[:40]}'; showing all.")
            value = None
        chosen[field] = value
    return VocSlice(**chosen), tuple(problems)


def _scores(comments: Dataset, repo: Repository) -> pd.DataFrame:
    """Sentiment per comment, computed once per read of the comments (cached with it)."""

    def compute() -> pd.DataFrame:
        scored = sentiment.score_comments(comments.frame[["feedback_id", "comment_text"]])
        return scored[["feedback_id", "compound", "sentiment", "not_scored"]]

    return repo.derived("voc_scores", [comments], {}, compute)


def _weekly_sentiment(scored: pd.DataFrame) -> pd.DataFrame:
    if scored.empty:
        return pd.DataFrame(columns=["bucket_date", "negative", "neutral", "positive", "mean_compound"])
    dates = pd.to_datetime(scored["received_date"])
    week = (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()
    rated = scored.assign(bucket_date=week)
    counts = pd.crosstab(rated["bucket_date"], rated["sentiment"]).reindex(
        columns=["negative", "neutral", "positive"], fill_value=0
    )
    mean = rated.groupby("bucket_date")["compound"].mean().rename("mean_compound")
    return counts.join(mean).reset_index()


def _nps_series(trend: pd.DataFrame) -> pd.DataFrame:
    current = trend[trend["period"] == "current"].sort_values("bucket_date")
    return voc.nps_frame(current) if not current.empty else current.assign(nps=[], nps_low=[], nps_high=[])


def _headlines(trend: pd.DataFrame, shipped: pd.DataFrame, scored: pd.DataFrame) -> tuple[tuple[str, str, str], ...]:
    def totals(period: str) -> pd.Series:
        return trend.loc[
            trend["period"] == period, ["promoters", "passives", "detractors", "csat_satisfied", "csat_responses", "complaints"]
        ].sum()

    now, before = totals("current"), totals("previous")

    def nps_text(t: pd.Series) -> tuple[str, str]:
        result = voc.nps(t["promoters"], t["passives"], t["detractors"])
        if not result.has_responses:
            return "no responses", ""
        return f"{result.nps:+.0f}", f"n = {result.responses:,}, 95 % interval {result.low:+.0f} to {result.high:+.0f}"

    def pct(t: pd.Series) -> str:
        value = voc.csat_pct(t["csat_satisfied"], t["csat_responses"])
        return "no responses" if np.isnan(value) else f"{value:.1f} % (n = {int(t['csat_responses']):,})"

    units = float(shipped["units_shipped"].iloc[0]) if not shipped.empty else 0.0
    prev_units = float(shipped["prev_units_shipped"].iloc[0]) if not shipped.empty else 0.0
    per_million = voc.complaints_per_million(now["complaints"], units)
    prev_per_million = voc.complaints_per_million(before["complaints"], prev_units)
    nps_now, nps_detail = nps_text(now)
    nps_before, _ = nps_text(before)
    scored_count = int(scored["compound"].notna().sum()) if not scored.empty else 0
    return (
        ("Net Promoter Score", nps_now, f"{nps_detail}; previous {nps_before}".strip("; ")),
        ("CSAT (4-5 of 5)", pct(now), f"previous {pct(before)}"),
        ("Complaints", f"{int(now['complaints']):,}", f"previous {int(before['complaints']):,}"),
        (
            "Complaints per million units shipped",
            "–" if np.isnan(per_million) else f"{per_million:,.0f}",
            "previous " + ("–" if np.isnan(prev_per_million) else f"{prev_per_million:,.0f}"),
        ),
        ("Comments scored", f"{scored_count:,}", f"of {len(scored):,} comments"),
    )


def _lag_section(
    complaints: pd.DataFrame, internal: pd.DataFrame, inspected: pd.DataFrame, code: str | None, names: dict
) -> tuple[dict, dict, str]:
    if code is None:
        message = "No mapped complaints in this period, so there is no defect code to line up."
        return (
            figures.lead_lag_figure(
                pd.DataFrame(), pd.DataFrame(), lag_weeks=None, r=None, leading_label="", following_label="", title=message
            ),
            figures.lag_correlation_figure(pd.DataFrame(columns=["lag", "r"])),
            message,
        )
    rates = internal.merge(inspected, on="bucket_date", how="outer").sort_values("bucket_date")
    units = rates["units_inspected"].astype(float)
    leading = pd.DataFrame(
        {
            "bucket_date": pd.to_datetime(rates["bucket_date"]),
            "value": 1000 * rates["defect_count"].fillna(0) / units.where(units > 0),
        }
    )
    following = pd.DataFrame(
        {"bucket_date": pd.to_datetime(complaints["bucket_date"]), "value": complaints["complaints"].astype(float)}
    )
    grid = pd.date_range(
        min(leading["bucket_date"].min(), following["bucket_date"].min()),
        max(leading["bucket_date"].max(), following["bucket_date"].max()),
        freq="W-MON",
    )
    lead_series = leading.set_index("bucket_date")["value"].reindex(grid)
    follow_series = following.set_index("bucket_date")["value"].reindex(grid).fillna(0.0)  # no row: no complaint that week
    following = pd.DataFrame({"bucket_date": grid, "value": follow_series.to_numpy()})
    result = voc.lead_lag(lead_series.dropna(), follow_series, LAG_WEEKS, freq="W-MON")
    label = f"{code} {names.get(code, '')}".strip()
    lag = result.best_lag if result.beyond_band else None
    figure = figures.lead_lag_figure(
        leading,
        following,
        lag_weeks=lag,
        r=None if lag is None else result.best_r,
        leading_label=f"Internal {code} defects per 1,000 units inspected",
        following_label=f"{code} complaints per week",
        title=f"Complaints and internal defects: {label}",
    )
    table = figures.lag_correlation_figure(result.table, best_lag=result.best_lag)
    pairs = 0 if lag is None else int(result.table.loc[result.table["lag"] == lag, "pairs"].iloc[0])
    if lag is None:
        text = (
            f"No lag of 0-{LAG_WEEKS} weeks links the weekly changes of {code} complaints to its internal defect rate "
            "beyond chance (95 % band)."
        )
    else:
        text = (
            f"{code} complaints follow its internal defect rate by about {lag} week{'s' if lag != 1 else ''} "
            f"(r = {result.best_r:.2f} on weekly changes over {pairs} weeks): "
            "a rise inside the plant warns before customers complain. Correlation, not proof of cause."
        )
    return figure, table, text


def build_voc(
    filters: Filters,
    repo: Repository,
    *,
    slice_: VocSlice = VocSlice(),
    by: str = "",
    breakdown_by: str = "channel",
    code: str | None = None,
    theme: str | None = None,
    comments_of_code: bool = False,
) -> VocView:
    """The page for ``filters`` and ``slice_``; ``code`` chooses the defect code to line up
    (default: the code with the most complaints), ``theme`` narrows the comments table."""
    if by not in TREND_BY:
        raise InvalidFilter(f"Unknown split '{by[:20]}'; use channel or region.")
    if breakdown_by not in BREAKDOWN_BY:
        raise InvalidFilter(f"Unknown breakdown '{breakdown_by[:20]}'; use {', '.join(BREAKDOWN_BY)}.")
    params = slice_.params()
    requests = [
        DatasetRequest.of("feedback_trend", filters, grain="week", by=None, **params),
        DatasetRequest.of("feedback_breakdown", filters, by=breakdown_by, **params),
        DatasetRequest.of("complaints_by_code", filters, **params),
        DatasetRequest.of("shipped", filters, product_id=slice_.product_id),
        DatasetRequest.of("comments", filters, complaint_only=False, **params),
        DatasetRequest.of("defect_codes"),
    ]
    if by:
        requests.append(DatasetRequest.of("feedback_trend", filters, grain="week", by=by, **params))
    datasets = [dataset(r) for r in repo.fetch_many(requests)]
    trend, breakdown, by_code, shipped, comments, codes = (d.frame for d in datasets[:6])
    names = dict(zip(codes["defect_code"], codes["defect_description"], strict=True))
    problems: list[str] = []
    mapped = by_code[by_code["key"].notna()].sort_values(["complaints", "key"], ascending=[False, True])
    if code is not None and code not in names:
        problems.append(f"Unknown defect code '{code[:20]}'; showing the code with the most complaints.")
        code = None
    code = code or (str(mapped["key"].iloc[0]) if not mapped.empty else None)
    lag_sets = []
    if code is not None:
        lag_sets = [
            dataset(r)
            for r in repo.fetch_many(
                [
                    DatasetRequest.of("complaint_trend", filters, grain="week", defect_code=code),
                    DatasetRequest.of("internal_defect_trend", filters, grain="week", defect_code=code),
                    DatasetRequest.of("inspected_trend", filters, grain="week"),
                ]
            )
        ]
    scores = _scores(datasets[4], repo)
    scored = comments.merge(scores, on="feedback_id", how="left")
    split = datasets[6].frame if by else None

    def compute() -> pd.DataFrame:
        series = _nps_series(trend)
        if split is not None:
            lines = split[split["period"] == "current"]
            lines = voc.nps_frame(lines).assign(series=lines["key"]) if not lines.empty else series
        else:
            lines = series
        table = (
            voc.nps_frame(breakdown).assign(label=breakdown["label"].fillna("not known")) if not breakdown.empty else breakdown
        )
        found = (
            sentiment.themes(scored, min_count=3, top=20)
            if not scored.empty
            else pd.DataFrame(columns=["theme", "comments", "negative_share"])
        )
        if lag_sets:
            lead, table_figure, lag_text = _lag_section(*(d.frame for d in lag_sets), code, names)
        else:
            lead, table_figure, lag_text = _lag_section(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), None, names)
        rated = scored[scored["compound"].notna()]
        parts = {
            "headlines": [list(h) for h in _headlines(trend, shipped, scored)],
            "nps_trend": figures.nps_trend_figure(lines, title=f"Net Promoter Score per week ({TREND_BY[by].lower()})"),
            "breakdown": figures.nps_breakdown_figure(
                table, title=f"NPS by {BREAKDOWN_BY[breakdown_by].lower()}, with its 95 % interval"
            ),
            "sentiment": figures.sentiment_figure(_weekly_sentiment(rated), title="Sentiment of comments per week (VADER)"),
            "histogram": figures.sentiment_histogram(rated["compound"], title="Distribution of comment sentiment"),
            "themes": figures.themes_figure(found, title="Themes in the comments: click one to read them"),
            "complaints": figures.complaints_by_code_figure(
                by_code.assign(key=by_code["key"].where(by_code["key"].notna(), NOT_MAPPED)),
                title="Complaints by defect code, against the previous period",
            ),
            "lead_lag": lead,
            "lag_table": table_figure,
            "lag_text": lag_text,
            "scoring_text": _scoring_text(scored),
        }
        return pack(parts)

    key = {
        "filters": filters.cache_token(),
        **{k: v or "*" for k, v in params.items()},
        "by": by,
        "breakdown": breakdown_by,
        "code": code or "*",
    }
    parts = unpack(repo.derived("voc_page", [*datasets, *lag_sets], key, compute))
    narrowed_code = code if comments_of_code else None

    def comment_parts() -> pd.DataFrame:
        rows, text = _comment_rows(scored, theme, narrowed_code, codes)
        trend = (
            figures.theme_trend_figure(sentiment.theme_trend(scored, theme), theme=theme) if theme and not scored.empty else None
        )
        return pack({"rows": rows, "text": text, "theme_trend": trend})

    listed = unpack(
        repo.derived(
            "voc_comments", [datasets[4], datasets[5]], {"theme": theme or "*", "code": narrowed_code or "*"}, comment_parts
        )
    )
    return VocView(
        filters=filters,
        headlines=tuple(tuple(h) for h in parts["headlines"]),
        nps_trend=parts["nps_trend"],
        breakdown=parts["breakdown"],
        sentiment=parts["sentiment"],
        histogram=parts["histogram"],
        themes=parts["themes"],
        complaints=parts["complaints"],
        lead_lag=parts["lead_lag"],
        lag_table=parts["lag_table"],
        lag_text=parts["lag_text"],
        code=code,
        theme=theme,
        comments=listed["rows"],
        comments_text=listed["text"],
        theme_trend=listed["theme_trend"],
        scoring_text=parts["scoring_text"],
        as_of=min(d.fetched_at for d in datasets),
        stale=next((d.problem for d in datasets if d.stale), None),
        problems=tuple(problems),
    )


def _scoring_text(scored: pd.DataFrame) -> str:
    if scored.empty:
        return "No comments in this period."
    reasons = scored["not_scored"].dropna()
    skipped = reasons[~reasons.astype(str).str.startswith("scored on")]
    text = f"{len(scored) - len(skipped):,} of {len(scored):,} comments scored with VADER (English lexicon)."
    if len(skipped):
        counts = skipped.value_counts()
        text += " Not scored: " + ", ".join(f"{n:,} {reason}" for reason, n in counts.items()) + "."
    return text


def _suggested(suggestions: pd.DataFrame, index: object) -> str:
    if index not in suggestions.index or suggestions.at[index, "suggested_code"] is None:
        return ""
    return f"{suggestions.at[index, 'suggested_code']}? ({suggestions.at[index, 'matched']})"


def _comment_rows(scored: pd.DataFrame, theme: str | None, code: str | None, codes: pd.DataFrame) -> tuple[list[dict], str]:
    """The comments table (newest first, at most ``MAX_COMMENTS``), narrowed to a theme and/or a
    defect code, with a suggested code for complaints that have none."""
    if scored.empty:
        return [], "No comments in this period."
    shown = scored
    if theme:
        shown = shown[sentiment.comments_with(shown, theme).to_numpy()]
    if code:
        shown = shown[(shown["defect_code"] == code).to_numpy()]
    total = len(shown)
    shown = shown.head(MAX_COMMENTS)
    unmapped = shown["is_complaint"].astype(bool) & shown["defect_code"].isna()
    suggestions = voc.suggest_codes(shown.loc[unmapped, "comment_text"], codes)
    rows = []
    drivers = sentiment.driving_words_of(shown["comment_text"])
    for index, r, words in zip(shown.index, shown.itertuples(index=False), drivers, strict=True):
        rows.append(
            {
                "date": str(r.received_date)[:10],
                "channel": r.channel,
                "region": r.region,
                "product": r.product_id if isinstance(r.product_id, str) else "",
                "nps": None if pd.isna(r.nps_score) else int(r.nps_score),
                "complaint": "complaint" if r.is_complaint else "",
                "code": r.defect_code if isinstance(r.defect_code, str) else _suggested(suggestions, index),
                "sentiment": r.not_scored if pd.isna(r.compound) else f"{r.sentiment} ({r.compound:+.2f})",
                "drivers": ", ".join(f"{w} ({v:+.1f})" for w, v in words[:6]),
                "text": r.comment_text[:2000] if isinstance(r.comment_text, str) else "",
            }
        )
    about = " and ".join(part for part in (f"about “{theme}”" if theme else "", f"on {code}" if code else "") if part)
    about = about or "in this period"
    text = f"{total:,} comments {about}" + (f"; the newest {MAX_COMMENTS:,} are listed" if total > MAX_COMMENTS else "") + "."
    return rows, text
