"""Comment sentiment (VADER), reasons for not scoring, driving words and themes."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from dashboard.metrics import sentiment


def _score(*texts: object) -> pd.DataFrame:
    return sentiment.score_comments(pd.DataFrame({"comment_text": list(texts)}))


# --- VADER scores against the README -------------------------------------------------------------

# cjhutto/vaderSentiment, README.rst, section "Output for the above example code" (the compound of
# each example sentence, printed to 4 decimals), checked against the installed vaderSentiment 3.3.2.
README_EXAMPLES = [
    ("VADER is smart, handsome, and funny.", 0.8316),
    ("VADER is smart, handsome, and funny!", 0.8439),
    ("VADER is very smart, handsome, and funny.", 0.8545),
    ("VADER is VERY SMART, handsome, and FUNNY.", 0.9227),
    ("VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342),
    ("VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", 0.9469),
    ("VADER is not smart, handsome, nor funny.", -0.7424),
    ("The book was good.", 0.4404),
    ("At least it isn't a horrible book.", 0.431),
    ("The book was only kind of good.", 0.3832),
    ("The plot was good, but the characters are uncompelling and the dialog is not great.", -0.7042),
    ("Today SUX!", -0.5461),
    ("Today only kinda sux! But I'll get by, lol", 0.5249),
    ("Make sure you :) or :D today!", 0.8633),
    ("Not bad at all", 0.431),
]


@pytest.mark.parametrize(("text", "compound"), README_EXAMPLES)
def test_compound_matches_the_vader_readme(text: str, compound: float) -> None:
    row = _score(text).iloc[0]
    assert row["compound"] == pytest.approx(compound, abs=5e-5)
    assert row["sentiment"] == ("positive" if compound >= 0.05 else "negative")
    assert row["not_scored"] is None


def test_readme_emoji_example_with_the_installed_lexicon() -> None:
    # The README prints 0.7003 for "Catch utf-8 emoji such as such as 💘 and 💋 and 😁", output of an
    # older emoji lexicon; vaderSentiment 3.3.2 (the pinned version) gives 0.875.
    row = _score("Catch utf-8 emoji such as such as 💘 and 💋 and 😁").iloc[0]
    assert row["compound"] == pytest.approx(0.875, abs=5e-5)


def test_classes_use_the_readme_thresholds() -> None:
    # README.rst, "About the Scoring": positive >= 0.05, neutral between, negative <= -0.05.
    labels = sentiment.sentiment_class([0.05, 0.0499, 0.0, -0.0499, -0.05, 1.0, -1.0, float("nan")])
    assert labels.tolist() == ["positive", "neutral", "neutral", "neutral", "negative", "positive", "negative", None]


# --- score_comments: frame handling -------------------------------------------------------------


def test_score_comments_adds_columns_and_leaves_the_input_alone() -> None:
    frame = pd.DataFrame(
        {"feedback_id": [7, 8, 9], "comment_text": ["Great support!", "Arrived broken.", "Great support!"]},
        index=[30, 20, 10],
    )
    result = sentiment.score_comments(frame)
    assert list(frame.columns) == ["feedback_id", "comment_text"]
    assert list(result.columns) == ["feedback_id", "comment_text", *sentiment.SCORE_COLUMNS]
    assert result.index.tolist() == [30, 20, 10]
    assert result["compound"].dtype == "float64"
    assert result["sentiment"].tolist() == ["positive", "negative", "positive"]
    assert result["compound"].iloc[0] == result["compound"].iloc[2]
    assert result["not_scored"].isna().all()


def test_other_text_column_and_missing_column() -> None:
    frame = pd.DataFrame({"body": ["The book was good."]})
    assert sentiment.score_comments(frame, text_column="body")["compound"].iloc[0] == pytest.approx(0.4404)
    with pytest.raises(ValueError, match="comment_text"):
        sentiment.score_comments(frame)


def test_empty_frame() -> None:
    result = sentiment.score_comments(pd.DataFrame({"comment_text": pd.Series([], dtype=object)}))
    assert result.empty
    assert list(result.columns) == ["comment_text", *sentiment.SCORE_COLUMNS]


def test_no_module_level_analyzer() -> None:
    # One analyzer per call: the module keeps no analyzer (no shared mutable state between requests).
    assert not any(isinstance(value, SentimentIntensityAnalyzer) for value in vars(sentiment).values())


# --- score_comments: reasons --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", None, float("nan"), "<p></p>", "<script>alert('awful')</script>"])
def test_empty_blank_and_markup_only_are_not_scored(text: object) -> None:
    row = _score(text).iloc[0]
    assert math.isnan(row["compound"])
    assert row["sentiment"] is None
    assert row["not_scored"] == sentiment.EMPTY


def test_html_is_stripped_script_with_its_content_and_the_original_kept() -> None:
    raw = "<p>Great product</p><script>document.write('terrible awful horrible')</script><br/>&amp; fast"
    result = _score(raw)
    assert result["comment_text"].iloc[0] == raw
    assert sentiment.clean_text(raw).split() == ["Great", "product", "&", "fast"]
    assert result["compound"].iloc[0] == pytest.approx(
        SentimentIntensityAnalyzer().polarity_scores("Great product & fast")["compound"]
    )
    assert result["sentiment"].iloc[0] == "positive"


def test_entities_are_unescaped_after_the_tags_are_removed() -> None:
    # "&lt;3" becomes the heart emoticon "<3" (in VADER's lexicon, +1.9); a literal "<3" is not a tag.
    assert sentiment.clean_text("I &lt;3 it") == "I <3 it"
    assert sentiment.clean_text("I <3 it, 2 < 3") == "I <3 it, 2 < 3"
    assert _score("I &lt;3 it")["sentiment"].iloc[0] == "positive"
    assert sentiment.clean_text("<STYLE>p {color: red}</STYLE><!-- awful -->fine") == "  fine"


def test_a_100_kb_comment_is_scored_on_its_beginning_quickly() -> None:
    text = ("The seal is good but the pump broke after a week. " * 2100)[:100_000]
    started = time.perf_counter()
    row = _score(text).iloc[0]
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0  # about 50 ms; VADER on the whole text would take minutes
    assert np.isfinite(row["compound"])
    assert row["not_scored"].startswith("scored on the first ")
    kept = int(row["not_scored"].removeprefix("scored on the first ").removesuffix(" characters").replace(",", ""))
    assert sentiment.MAX_CHARS - 50 <= kept <= sentiment.MAX_CHARS
    # Cut at a whole word: the score is that of the kept text.
    expected = SentimentIntensityAnalyzer().polarity_scores(text[:kept])["compound"]
    assert row["compound"] == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    [
        "😁" * 100_000,  # each emoji becomes ~5 words inside VADER
        "<script>" * 12_500,  # unclosed script tags
        "<a" * 50_000,  # unclosed tags
        "good but " * 11_000,  # VADER's "but" rule is quadratic
        "x" * 100_000,  # one enormous word
    ],
    ids=["emoji", "unclosed-script", "unclosed-tags", "but", "one-word"],
)
def test_hostile_long_comments_finish_fast(text: str) -> None:
    started = time.perf_counter()
    row = _score(text).iloc[0]
    assert time.perf_counter() - started < 1.0
    assert row["not_scored"] == sentiment.EMPTY or np.isfinite(row["compound"])


# The non-English sentences of vaderSentiment's own demo (vaderSentiment.py, __main__, translated
# examples of "I'm surprised to see just how amazingly helpful VADER is!") and customer-style ones.
NOT_ENGLISH = [
    "Ich bin überrascht zu sehen, nur wie erstaunlich nützlich VADER!",
    "Die Lieferung war schnell und das Produkt ist sehr gut.",
    "Das Gerät ist nach zwei Tagen kaputt gegangen. Sehr enttäuschend!",
    "Me sorprende ver sólo cómo increíblemente útil VADER!",
    "La calidad es muy mala, no lo recomiendo",
    "Pedido completo sin problemas",
    "Je suis surpris de voir comment VADER est incroyablement utile !",
    "Sono sorpreso di vedere solo come incredibilmente utile VADER è!",
    "Я удивлен увидеть, как раз как удивительно полезно ВЕЙДЕРА!",
    "私はちょうどどのように驚くほど役に立つベイダーを見て驚いています!",
    "商品が壊れていました。返品したいです。",
    "أنا مندهش لرؤية فقط كيف مثير للدهشة فيدر فائدة!",
    "المنتج وصل مكسورا والخدمة سيئة",
    "我很惊讶地看到VADER是如此有用!",
    "质量很好，送货很快",
    "Výrobek přišel poškozený a podpora neodpověděla.",
    "Kvalita je hrozna, vratil jsem to",
    "Het product is niet goed en de levering was te laat",
]


@pytest.mark.parametrize("text", NOT_ENGLISH)
def test_non_english_comments_are_not_scored(text: str) -> None:
    row = _score(text).iloc[0]
    assert row["not_scored"] == sentiment.NOT_ENGLISH
    assert math.isnan(row["compound"]) and row["sentiment"] is None


@pytest.mark.parametrize(
    "text",
    [
        "Great product!",
        "Love it",
        "ok",
        "Screen cracked on arrival",  # 1 known word of 4, but no sign of another language
        "Stopped working after 2 weeks",
        "Battery drains fast",
        "Arrived damaged, box was crushed",
        "Customer service from José was excellent and very quick",  # a name with an accent
        "Wrong part shipped (D07 bracket), replacement took 3 weeks",
    ],
)
def test_short_english_comments_are_scored(text: str) -> None:
    row = _score(text).iloc[0]
    assert row["not_scored"] is None
    assert np.isfinite(row["compound"])


def test_emoji_only_comments_are_scored_through_the_emoji_lexicon() -> None:
    result = _score("😁", "😁😁", "👍👍", ":)")
    assert result["not_scored"].isna().all()
    assert result["compound"].iloc[0] == pytest.approx(SentimentIntensityAnalyzer().polarity_scores("😁")["compound"])
    assert result["sentiment"].tolist()[:2] == ["positive", "positive"]
    assert result["compound"].iloc[1] > result["compound"].iloc[0]
    # "thumbs up" has no lexicon word: scored, neutral — not "empty".
    assert result["sentiment"].iloc[2] == "neutral"
    assert result["sentiment"].iloc[3] == "positive"


# --- driving words ------------------------------------------------------------------------------


def test_driving_words_in_order_with_lexicon_valence() -> None:
    # vader_lexicon.txt: smart 1.7, handsome 2.2, funny 1.9.
    assert sentiment.driving_words("VADER is smart, handsome, and funny.") == [("smart", 1.7), ("handsome", 2.2), ("funny", 1.9)]
    # Context-free: the negation lowers the compound, not the listed valences.
    assert [w for w, _ in sentiment.driving_words("VADER is not smart, handsome, nor funny.")] == ["smart", "handsome", "funny"]


def test_driving_words_follow_vaders_tokens() -> None:
    analyzer = SentimentIntensityAnalyzer()
    words = sentiment.driving_words("Kind of good :) but <b>AWFUL</b> support &lt;3 😁 kind people", analyzer=analyzer)
    assert words == [
        ("good", 1.9),
        (":)", 2.0),
        ("AWFUL", -2.0),
        ("support", 1.7),
        ("<3", 1.9),
        ("😁", pytest.approx(sum(analyzer.lexicon.get(w, 0.0) for w in analyzer.emojis["😁"].split()))),
        ("kind", 2.4),
    ]
    assert sentiment.driving_words("") == []
    assert sentiment.driving_words(None) == []
    assert sentiment.driving_words("The valve is 40 mm") == []


# --- themes -------------------------------------------------------------------------------------

CORPUS = [
    "The battery drains fast.",
    "Battery drains fast after the update, very annoying!",
    "My battery drains fast and the screen flickers.",
    "Screen flickers at night. Support was great though.",
    "The screen flickers; doesn't work with the dock.",
    "It does not work with the dock at all",
    "Didn't work with the dock, returned it.",
    "Great support, fast replacement",
    "<p>Great support</p><script>battery battery battery</script>",
    "",
    None,
]
DATES = pd.to_datetime(
    [
        "2024-01-01",
        "2024-01-02",
        "2024-01-07",
        "2024-01-08",
        "2024-01-09",
        "2024-01-14",
        "2024-01-15",
        "2024-01-22",
        "2024-01-28",
        "2024-01-29",
        None,
    ]
)
# Sentiment given by hand (not VADER) so the shares are known: the three "battery" comments are
# negative, negative, positive; the dock ones negative, neutral, not scored.
LABELS = ["negative", "negative", "positive", "positive", "negative", "neutral", None, "positive", "positive", None, None]


def _corpus() -> pd.DataFrame:
    return pd.DataFrame({"comment_text": CORPUS, "received_date": DATES, "sentiment": LABELS})


def test_theme_clauses() -> None:
    assert sentiment.theme_clauses(CORPUS[2]) == [["battery", "drains", "fast"], ["screen", "flickers"]]
    assert sentiment.theme_clauses(CORPUS[4]) == [["screen", "flickers"], ["not", "work", "dock"]]
    assert sentiment.theme_clauses(CORPUS[8]) == [["great", "support"]]  # the script's words are gone
    assert sentiment.theme_clauses("Non-stick pan’s coating: 2 weeks!") == [["non-stick", "pan's", "coating"], ["weeks"]]


def test_themes_hand_counted() -> None:
    table = sentiment.themes(_corpus(), min_count=3)
    assert list(table.columns) == list(sentiment.THEME_COLUMNS)
    rows = list(table.itertuples(index=False, name=None))
    # "fast": comments 0, 1, 2 and 7. "battery drains fast" is in exactly comments 0-2, so "battery",
    # "drains", "battery drains" and "drains fast" (same 3 comments) are subsumed by it. "not work
    # dock" (comments 4-6: "doesn't work", "does not work", "didn't work") subsumes "work", "dock"...
    # "great" and "support" are each in comments 3, 7, 8 but "great support" only in 7 and 8 (comment
    # 3 says "support was great"), so both single words stay.
    assert rows == [
        ("fast", 4, pytest.approx(2 / 4)),
        ("battery drains fast", 3, pytest.approx(2 / 3)),
        ("not work dock", 3, pytest.approx(1 / 2)),  # comment 6 has no sentiment
        ("screen flickers", 3, pytest.approx(1 / 3)),
        ("great", 3, 0.0),
        ("support", 3, 0.0),
    ]
    assert table["comments"].dtype == "int64"


def test_themes_min_count_top_and_subsumption_only_at_equal_counts() -> None:
    two = sentiment.themes(_corpus(), min_count=2)
    assert "great support" in set(two["theme"])
    assert {"great", "support"} <= set(two["theme"])  # in more comments than "great support"
    assert "battery" not in set(two["theme"]) and "drains fast" not in set(two["theme"])
    assert sentiment.themes(_corpus(), min_count=3, top=2)["theme"].tolist() == ["fast", "battery drains fast"]
    assert sentiment.themes(_corpus(), min_count=5).empty


def test_themes_without_sentiment_and_every_theme_matches_its_comments() -> None:
    frame = _corpus().drop(columns="sentiment")
    table = sentiment.themes(frame, min_count=2)
    assert table["negative_share"].isna().all()
    for theme, comments in zip(table["theme"], table["comments"], strict=True):
        assert int(sentiment.comments_with(frame, theme).sum()) == comments, theme


def test_themes_on_an_empty_frame() -> None:
    table = sentiment.themes(pd.DataFrame({"comment_text": pd.Series([], dtype=object)}))
    assert table.empty and list(table.columns) == list(sentiment.THEME_COLUMNS)


def test_comments_with() -> None:
    frame = _corpus()
    mask = sentiment.comments_with(frame, "Doesn't work with the dock")
    assert mask.dtype == bool and mask.index.equals(frame.index)
    assert mask.tolist() == [False] * 4 + [True] * 3 + [False] * 4
    # Words must follow each other in one clause: "fast screen" spans two clauses of comment 2.
    assert not sentiment.comments_with(frame, "fast screen").any()
    assert sentiment.comments_with(frame, "screen").sum() == 3
    assert not sentiment.comments_with(frame, "the").any()  # a stop word only: empty theme


def test_theme_trend_weeks_start_on_monday() -> None:
    trend = sentiment.theme_trend(_corpus(), "screen flickers")
    assert list(trend.columns) == list(sentiment.TREND_COLUMNS)
    # Comments on Sun 7 Jan fall in the week of Mon 1 Jan; Mon 8 Jan starts the next week. The
    # comment without a date is left out; the weeks run from the first to the last comment.
    assert trend["bucket_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-01",
        "2024-01-08",
        "2024-01-15",
        "2024-01-22",
        "2024-01-29",
    ]
    assert trend["comments"].tolist() == [1, 2, 0, 0, 0]
    assert trend["total"].tolist() == [3, 3, 1, 2, 1]
    monthly = sentiment.theme_trend(_corpus(), "screen flickers", freq="MS")
    assert monthly["comments"].tolist() == [3] and monthly["total"].tolist() == [10]
    no_dates = sentiment.theme_trend(_corpus().assign(received_date=pd.NaT), "screen")
    assert no_dates.empty and list(no_dates.columns) == list(sentiment.TREND_COLUMNS)


def test_driving_words_of_many_texts_match_one_by_one() -> None:
    from dashboard.metrics.sentiment import driving_words, driving_words_of

    texts = ["VADER is smart, handsome, and funny.", None, "Terrible seal, very disappointed"]
    assert driving_words_of(texts) == [driving_words(t) for t in texts]
