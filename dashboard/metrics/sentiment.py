"""Sentiment of customer comments (VADER), the words behind it, and recurring themes. Pure functions.

- :func:`score_comments` adds VADER's ``compound`` score, a ``sentiment`` class and, when a comment
  is not scored (or scored only in part), the reason;
- :func:`driving_words` lists the lexicon words of one comment for highlighting;
- :func:`themes`, :func:`comments_with` and :func:`theme_trend` find recurring key phrases, the
  comments that mention one, and how often per week.

Scoring uses VADER (C. J. Hutto & E. Gilbert, "VADER: A parsimonious rule-based model for
sentiment analysis of social media text", ICWSM-14, 2014), package ``vaderSentiment`` 3.3.2, which
ships its lexicon. One ``SentimentIntensityAnalyzer`` is built per call (about 15 ms; no
module-level state).

Decisions:

- Classes follow the thresholds the vaderSentiment README ("About the Scoring") gives as typical:
  positive when compound >= 0.05, negative when compound <= -0.05, neutral in between.
- Text is cleaned before scoring and the original is never changed (the UI shows it as written,
  escaped): ``<script>``/``<style>`` elements are removed with their content, HTML comments and
  tags are removed (replaced by a space), then entities are unescaped (``&amp;`` -> ``&``). A
  ``<`` not followed by a letter (``<3``, ``a < b``) is text, not a tag. The patterns are linear in
  the text's length, so hostile input cannot make them backtrack.
- Empty, blank or markup-only comments are not scored: reason :data:`EMPTY`.
- Long comments are scored on their beginning: at most :data:`MAX_CHARS` (5,000) characters of
  the cleaned text, where an emoji counts as the length of the description VADER replaces it with
  (VADER's cost grows with the square of the number of words: 5,000 emoji, some 25,000 words,
  took 38 s in one call), cut back to a whole word. The compound is kept and ``not_scored``
  carries the note "scored on the first N characters". A 100 KB comment takes a few milliseconds.
- VADER's lexicon is English. A comment is marked :data:`NOT_ENGLISH` when fewer than 30 % of
  its alphabetic tokens are ASCII words VADER knows (its lexicon, negations and intensifiers)
  or common English stop words (:data:`STOP_WORDS`) *and* there is positive evidence of another
  language: a token with non-ASCII letters (ü, é, ř, any CJK, Arabic or Cyrillic word) or one of
  :data:`FOREIGN_FUNCTION_WORDS` (frequent German, Spanish, French, Italian, Portuguese, Dutch,
  Czech, Polish and Swedish function words that are not English words). Without that second
  condition terse English complaints ("Screen cracked on arrival": 1 known word of 4) would be
  refused. Foreign function words never count as English even when VADER's lexicon has them
  (German "die" and "war" are in it with valence -2.9). Comments without letters (emoji or
  emoticons only, numbers) are scored: VADER translates emoji through its emoji lexicon.
- Identical cleaned texts are scored once per call.

Themes: comments are lower-cased, cleaned of HTML, split into clauses at punctuation and at
conjunctions (:data:`CLAUSE_WORDS`: "and", "but", "because", ...), and split
into words (letters and digits, keeping inner apostrophes and hyphens); :data:`STOP_WORDS`,
numbers and one-letter words are dropped, and negative contractions and "cannot" become "not"
("doesn't work", "does not work" and "did not work" are all "not work"). Negations are kept
because they carry the complaint; a theme made only of negations is dropped. Uni-, bi- and
trigrams are formed within a clause from the remaining words, each counted once per comment, and
kept when at least ``min_count`` comments contain them. A shorter n-gram is dropped when a longer
kept n-gram contains it and occurs in as many comments — then every comment with the short one
has the long one, and the long one says more ("battery drains fast" rather than "battery" and
"drains fast" when all three occur in the same comments). Themes are word patterns, not topics:
synonyms ("late", "delayed") stay separate.
"""

from __future__ import annotations

import html
import re
import string
from collections import Counter
from collections.abc import Iterable

import numpy as np
import pandas as pd
from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE, SentimentIntensityAnalyzer

MAX_CHARS = 5000
POSITIVE_MIN = 0.05  # compound >= 0.05 is positive (vaderSentiment README, "About the Scoring")
NEGATIVE_MAX = -0.05  # compound <= -0.05 is negative
ENGLISH_SHARE_MIN = 0.30
EMPTY = "empty"
NOT_ENGLISH = "not English"
SENTIMENTS = ("negative", "neutral", "positive")
SCORE_COLUMNS = ("compound", "sentiment", "not_scored")
THEME_COLUMNS = ("theme", "comments", "negative_share")
TREND_COLUMNS = ("bucket_date", "comments", "total")
MAX_N = 3


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Common English function words: dropped from themes, and evidence of English for the language
# check. Adapted from the usual short lists (e.g. the NLTK English list); negations are not here
# (see NEGATIONS) and neither are the particles of phrasal verbs ("up", "down", "off", "out",
# "over"), which carry meaning in complaints ("broke down", "fell off").
STOP_WORDS = _word_set(
    """
    a about above after again against all also although am an and any are as at be because been before being
    below between both but by can could did do does doing during each either else even ever every few
    for from further get gets got had has have having he her here hers herself him himself his how however i
    if in into is it its itself just let me more most much my myself of on once one only or other our
    ours ourselves own quite rather really same she should since so some still such than that the
    their theirs them themselves then there these they this those though through thus to too under
    until us very via was we were what when where whereas whether which while who whom whose why will with
    would yet you your yours yourself yourselves
    i'm i've i'd i'll you're you've you'd you'll he's she's it's we're we've we'd we'll they're
    they've they'd they'll that's there's here's what's who's let's
    """
)
# Stop words that also end a clause for themes ("battery drains and screen flickers" gives no
# "drains screen").
CLAUSE_WORDS = _word_set("and but or because although though however while whereas so then yet")
# Kept in themes (they carry the complaint) and counted as English.
NEGATIONS = _word_set(
    """
    not no never nor none nothing nobody nowhere cannot without neither
    """
)
# Frequent function words of other European languages (German, Spanish, French, Italian,
# Portuguese, Dutch, Czech, Polish, Swedish) that are not English words. They never count as
# English, and one of them is evidence of another language. Words that are also English or common
# in English quality feedback are left out on purpose ("a", "in", "so", "was", "also", "me", "no",
# "son", "hat", "per", "non", "van", "ale", "com", "CE", "est", "al", one-letter words); German
# "die" and "war" are kept although VADER's lexicon rates them, because in feedback they are far
# more often German than English.
FOREIGN_FUNCTION_WORDS = _word_set(
    """
    der die das und ist nicht ich sie wir ihr mit für auf war sehr ein eine einen zu den dem von bei
    aber auch noch nur wie wird sind habe haben kein keine nach oder wurde leider schon
    el la los las es muy pero con para por que del una uno sin su sus
    le les je avec pour dans une des du sur mais cette sont pas ne il elle nous vous
    di che della delle gli sono molto ma questo questa
    da muito mas uma pelo
    een het niet zijn voor maar ook dat
    jsem na se ve že jako byl bylo
    nie jest się że
    och det att inte är jag
    """
)
_VADER_MODIFIERS = frozenset(NEGATE) | frozenset(BOOSTER_DICT)

_SCRIPT = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_TAG = re.compile(r"<[/!?]?[A-Za-z][^<>]*>")
_LETTER_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_ASCII_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
_THEME_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_CLAUSE_BREAK = re.compile(r"[.!?;:,()\[\]{}\"“”«»„…|/\\\n\r\t]+|\s[-–—]+\s")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


# --- Cleaning -----------------------------------------------------------------------------------


def clean_text(text: object) -> str:
    """``text`` without HTML (scripts and styles with their content) and with entities unescaped.

    None and NaN give "". This is what gets scored; the original stays as it is for display.
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    text = str(text)
    if "<" in text:
        text = _SCRIPT.sub(" ", text)
        text = _COMMENT.sub(" ", text)
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def _scoring_cut(text: str, emojis: dict[str, str]) -> int:
    """How many leading characters of ``text`` fit :data:`MAX_CHARS` (emoji count as their description)."""
    if text.isascii():
        if len(text) <= MAX_CHARS:
            return len(text)
        cut = MAX_CHARS
    else:
        used, cut = 0, len(text)
        for position, char in enumerate(text):
            description = emojis.get(char)
            used += len(description) + 2 if description is not None else 1
            if used > MAX_CHARS:
                cut = position
                break
        if cut == len(text):
            return cut
    # Do not score a word cut in half ("hopeless" -> "hope"): back up to the last whitespace
    # within 50 characters, if any.
    if cut < len(text) and not text[cut].isspace():
        space = max(text.rfind(" ", max(0, cut - 50), cut), text.rfind("\n", max(0, cut - 50), cut))
        if space > 0:
            cut = space
    return cut


def _is_english(text: str, lexicon: dict[str, float]) -> bool:
    """The language check of the module docstring (True when there are no letters at all)."""
    lowered = text.lower()
    if lowered.isascii():
        words = _ASCII_WORD.findall(lowered)
        if FOREIGN_FUNCTION_WORDS.isdisjoint(words):
            return True  # no evidence of another language: the common case, decided in C
    else:
        words = _LETTER_WORD.findall(lowered.translate(_APOSTROPHES))
        if all(word.isascii() for word in words) and FOREIGN_FUNCTION_WORDS.isdisjoint(words):
            return True
    known = sum(
        1
        for word in words
        if word.isascii()
        and word not in FOREIGN_FUNCTION_WORDS
        and (word in STOP_WORDS or word in NEGATIONS or word in lexicon or word in _VADER_MODIFIERS)
    )
    return known >= ENGLISH_SHARE_MIN * len(words)


def _score_one(raw: object, analyzer: SentimentIntensityAnalyzer) -> tuple[float, str | None]:
    """(compound, reason or note) of one comment; compound NaN when it is not scored."""
    text = clean_text(raw).strip()
    if not text:
        return float("nan"), EMPTY
    note = None
    cut = _scoring_cut(text, analyzer.emojis)
    if cut < len(text):
        text = text[:cut].rstrip()
        note = f"scored on the first {len(text):,} characters"
    if not _is_english(text, analyzer.lexicon):
        return float("nan"), NOT_ENGLISH
    return float(analyzer.polarity_scores(text)["compound"]), note


def sentiment_class(compound: object) -> np.ndarray:
    """'negative' (<= -0.05), 'neutral' or 'positive' (>= 0.05) element-wise; None where compound is NaN."""
    values = np.asarray(compound, dtype="float64")
    labels = np.select(
        [values >= POSITIVE_MIN, values <= NEGATIVE_MAX, np.isfinite(values)],
        ["positive", "negative", "neutral"],
        default="",
    ).astype(object)
    labels[labels == ""] = None
    return labels


def score_comments(frame: pd.DataFrame, text_column: str = "comment_text") -> pd.DataFrame:
    """A copy of ``frame`` with ``compound``, ``sentiment`` and ``not_scored`` added.

    ``compound`` is VADER's normalised score in [-1, 1] (float; NaN when the comment is not
    scored), ``sentiment`` is 'negative', 'neutral' or 'positive' (None when not scored) and
    ``not_scored`` is None for a plainly scored comment, the reason when it is not scored
    (:data:`EMPTY`, :data:`NOT_ENGLISH`), or a note when only its beginning was scored ("scored
    on the first 5,000 characters"; the compound is kept). A comment is scored exactly when its
    compound is not NaN. See the module docstring for cleaning, length and language decisions.
    About 0.1 ms per typical comment.
    """
    if text_column not in frame.columns:
        raise ValueError(f"score_comments needs a {text_column!r} column; got {list(frame.columns)}")
    result = frame.copy()
    codes, uniques = pd.factorize(frame[text_column], use_na_sentinel=True)
    analyzer = SentimentIntensityAnalyzer()
    scored = [_score_one(text, analyzer) for text in uniques]
    compound_by_code = np.array([c for c, _ in scored] + [np.nan], dtype="float64")
    reason_by_code = np.array([r for _, r in scored] + [EMPTY], dtype=object)
    # Code -1 (a missing text) picks the last entry: NaN, "empty".
    compound = compound_by_code[codes]
    result["compound"] = compound
    result["sentiment"] = pd.Series(sentiment_class(compound), index=frame.index, dtype=object)
    result["not_scored"] = pd.Series(reason_by_code[codes], index=frame.index, dtype=object)
    return result


# --- Driving words ------------------------------------------------------------------------------


def _strip_punctuation(token: str) -> str:
    """VADER's rule: strip surrounding punctuation unless that leaves 2 characters or fewer (":)")."""
    stripped = token.strip(string.punctuation)
    return token if len(stripped) <= 2 else stripped


def driving_words(text: object, *, analyzer: SentimentIntensityAnalyzer | None = None) -> list[tuple[str, float]]:
    """The words of ``text`` that VADER's lexicon rates, with their valence (-4..4), in order.

    ``text`` is cleaned and cut like :func:`score_comments` does and split the way VADER splits
    (whitespace; surrounding punctuation stripped unless that leaves an emoticon such as ":)").
    Each word is returned as written (without the stripped punctuation) with its lexicon valence,
    context-free: VADER's compound also weighs negation ("not good"), intensifiers, capitals and
    "but", which these per-word values do not show. An emoji is returned as itself with the sum of
    the valences of the words of its description (VADER scores it through them), when non-zero.
    Intensifiers and "kind" in "kind of" are skipped, as VADER gives them no valence of their own.
    Pass ``analyzer`` to reuse one across calls.
    """
    analyzer = analyzer if analyzer is not None else SentimentIntensityAnalyzer()
    lexicon, emojis = analyzer.lexicon, analyzer.emojis
    cleaned = clean_text(text).strip()
    cleaned = cleaned[: _scoring_cut(cleaned, emojis)]
    if not cleaned.isascii():
        cleaned = "".join(f" {char} " if char in emojis else char for char in cleaned)
    tokens = [_strip_punctuation(token) for token in cleaned.split()]
    found: list[tuple[str, float]] = []
    for position, token in enumerate(tokens):
        lower = token.lower()
        if token in emojis:
            valence = sum(lexicon.get(word, 0.0) for word in emojis[token].lower().split())
            if valence:
                found.append((token, round(valence, 4)))
        elif lower in lexicon and lower not in BOOSTER_DICT:
            if lower == "kind" and position + 1 < len(tokens) and tokens[position + 1].lower() == "of":
                continue
            found.append((token, lexicon[lower]))
    return found


# --- Themes -------------------------------------------------------------------------------------


def _theme_word(word: str) -> str | None:
    if word.endswith("n't") or word == "cannot":
        return "not"
    if word in STOP_WORDS or len(word) < 2 or word.isdigit():
        return None
    return word


def theme_clauses(text: object) -> list[list[str]]:
    """The theme words of ``text`` per clause (see the module docstring for the rules)."""
    cleaned = clean_text(text).translate(_APOSTROPHES).lower()
    clauses = []
    for part in _CLAUSE_BREAK.split(cleaned):
        words: list[str] = []
        for word in _THEME_WORD.findall(part):
            if word in CLAUSE_WORDS:
                if words:
                    clauses.append(words)
                words = []
                continue
            kept = _theme_word(word)
            if kept is not None:
                words.append(kept)
        if words:
            clauses.append(words)
    return clauses


def _ngrams(clauses: Iterable[list[str]]) -> set[str]:
    grams = set()
    for words in clauses:
        for n in range(1, MAX_N + 1):
            for start in range(len(words) - n + 1):
                gram = words[start : start + n]
                if not all(word in NEGATIONS for word in gram):
                    grams.add(" ".join(gram))
    return grams


def _normalised(text: object) -> str:
    """The theme words joined by spaces, clauses by ' | ', padded with spaces (for substring search)."""
    return " " + " | ".join(" ".join(words) for words in theme_clauses(text)) + " "


def themes(frame: pd.DataFrame, text_column: str = "comment_text", min_count: int = 3, top: int = 20) -> pd.DataFrame:
    """Recurring key phrases: uni-, bi- and trigrams found in at least ``min_count`` comments.

    Columns ``theme``, ``comments`` (how many comments contain it) and ``negative_share`` (the
    share of those comments, among the ones with a sentiment, whose ``sentiment`` is 'negative';
    NaN when none has one or the frame has no ``sentiment`` column — run :func:`score_comments`
    first). At most ``top`` rows, most comments first, then longer phrases, then alphabetically.
    A shorter phrase is left out when a longer one containing it occurs in as many comments. See
    the module docstring for how phrases are formed.
    """
    if text_column not in frame.columns:
        raise ValueError(f"themes needs a {text_column!r} column; got {list(frame.columns)}")
    if min_count < 1 or top < 0:
        raise ValueError(f"min_count must be >= 1 and top >= 0, got {min_count} and {top}")
    sentiments = frame["sentiment"] if "sentiment" in frame.columns else pd.Series(None, index=frame.index, dtype=object)
    counts: Counter[str] = Counter()
    rated: Counter[str] = Counter()
    negative: Counter[str] = Counter()
    for text, label in zip(frame[text_column], sentiments, strict=True):
        grams = _ngrams(theme_clauses(text))
        counts.update(grams)
        if isinstance(label, str):
            rated.update(grams)
            if label == "negative":
                negative.update(grams)
    kept = {gram: count for gram, count in counts.items() if count >= min_count}
    subsumed = set()
    for gram, count in kept.items():
        words = gram.split()
        for n in range(1, len(words)):
            for start in range(len(words) - n + 1):
                part = " ".join(words[start : start + n])
                if kept.get(part) == count:
                    subsumed.add(part)
    rows = [
        (gram, count, negative[gram] / rated[gram] if rated[gram] else np.nan, len(gram.split()))
        for gram, count in kept.items()
        if gram not in subsumed
    ]
    rows.sort(key=lambda row: (-row[1], -row[3], row[0]))
    result = pd.DataFrame([row[:3] for row in rows[:top]], columns=list(THEME_COLUMNS))
    return result.astype({"theme": object, "comments": "int64", "negative_share": "float64"})


def comments_with(frame: pd.DataFrame, theme: str, text_column: str = "comment_text") -> pd.Series:
    """Boolean mask (aligned with ``frame``): which comments contain ``theme``.

    ``theme`` is normalised like the comments (so "Doesn't work" finds "not work"); a comment
    matches when the theme's words follow each other within one clause, exactly as
    :func:`themes` counts them. An empty theme matches nothing.
    """
    if text_column not in frame.columns:
        raise ValueError(f"comments_with needs a {text_column!r} column; got {list(frame.columns)}")
    words = [word for clause in theme_clauses(theme) for word in clause]
    if not words:
        return pd.Series(False, index=frame.index, dtype=bool)
    needle = " " + " ".join(words) + " "
    normalised = frame[text_column].map(_normalised)
    return normalised.str.contains(needle, regex=False).astype(bool)


def theme_trend(
    frame: pd.DataFrame,
    theme: str,
    date_column: str = "received_date",
    freq: str = "W-MON",
    text_column: str = "comment_text",
) -> pd.DataFrame:
    """Comments mentioning ``theme`` per bucket: ``bucket_date``, ``comments`` and ``total``.

    Buckets start at ``freq``'s anchor and are labelled by their first day ("W-MON": weeks from
    Monday to Sunday, labelled by the Monday, as the SQL buckets are; "MS": months). Every bucket
    from the first to the last comment is present, with zeros where nothing was received.
    ``total`` is the number of comments in the bucket, for a share. Comments without a date are
    left out.
    """
    mask = comments_with(frame, theme, text_column)
    dates = pd.to_datetime(frame[date_column])
    present = dates.notna().to_numpy()
    if not present.any():
        kinds = ("datetime64[ns]", "int64", "int64")
        return pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in zip(TREND_COLUMNS, kinds, strict=True)})
    counts = pd.DataFrame(
        {"comments": mask.to_numpy()[present].astype("int64"), "total": np.ones(int(present.sum()), dtype="int64")},
        index=pd.DatetimeIndex(dates.to_numpy()[present]).normalize(),
    ).sort_index()
    buckets = counts.resample(freq, label="left", closed="left").sum()
    result = buckets.rename_axis("bucket_date").reset_index()
    return result.astype({"comments": "int64", "total": "int64"})


def driving_words_of(texts: Iterable[object]) -> list[list[tuple[str, float]]]:
    """:func:`driving_words` of each text, with one analyzer for them all (loading VADER's
    lexicon costs milliseconds; a table of comments should pay it once)."""
    analyzer = SentimentIntensityAnalyzer()
    return [driving_words(text, analyzer=analyzer) for text in texts]
