"""The label values that cross the library's boundary, declared once.

The web app, the CLI and the outputs (answers.csv, themes.csv, analysis.json) use these names
rather than repeating the strings, so a label can change in one place.
"""

from __future__ import annotations

# An answer or point unlike every theme (also the id of the "Other" row of a question).
OTHER = "other"

# Sentiment of an answer (sentiment.SentimentScorer).
POSITIVE, MIXED, NEGATIVE = "positive", "mixed or neutral", "negative"
SENTIMENTS = (POSITIVE, MIXED, NEGATIVE)

# Framing of a point (framing.FramingClassifier): what an internal-phase answer describes.
CHALLENGE, WORKING_WELL, OPPORTUNITY = "challenge", "working well", "opportunity"
FRAMINGS = (CHALLENGE, WORKING_WELL, OPPORTUNITY)

# Stance of an answer or theme towards the question's proposal or statement.
FOR, AGAINST, NEITHER = "for", "against", "neither"
STANCES = (FOR, AGAINST, NEITHER)

__all__ = [
    "AGAINST", "CHALLENGE", "FOR", "FRAMINGS", "MIXED", "NEGATIVE", "NEITHER", "OPPORTUNITY",
    "OTHER", "POSITIVE", "SENTIMENTS", "STANCES", "WORKING_WELL",
]
