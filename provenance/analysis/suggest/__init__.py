"""Suggestions: possible disagreements found from the texts themselves (DESIGN.md,
"Suggestion"). :mod:`.text` reads the passages; :mod:`.pairs` finds, scores and explains
the pairs that may disagree."""

from .pairs import Reading, Suggestion, read_texts, suggest, suggestion_id
from .text import EntityMatcher, Passage, cues, passages, text_dates, text_numbers

__all__ = [
    "EntityMatcher",
    "Passage",
    "Reading",
    "Suggestion",
    "cues",
    "passages",
    "read_texts",
    "suggest",
    "suggestion_id",
    "text_dates",
    "text_numbers",
]
