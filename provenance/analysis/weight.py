"""The weight of a passage: how far the evidence it gives can be trusted, from the
curator's grades (DESIGN.md, "Weight").

* *doubtful* when its source is graded D or E (Admiralty reliability) or its information
  4 or 5 (Admiralty credibility);
* *unjudged* when its source is graded F or its information 6, or when nothing is graded;
* *credible* otherwise.

A tertiary source that cites nothing is at most unjudged: a summary with no trail back
cannot be weighed. A line of evidence (passages sharing an origin) weighs what its best
passage weighs.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["WEIGHTS", "passage_weight", "best_weight"]

WEIGHTS = ("doubtful", "unjudged", "credible")  # from least to most trusted
_RANK = {w: i for i, w in enumerate(WEIGHTS)}

_RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
_CREDIBILITY = {
    1: "confirmed",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "cannot be judged",
}


def passage_weight(
    reliability: str | None, credibility: int | None, origin: str | None = None, cites_anything: bool = True
) -> tuple[str, str]:
    """The weight of a passage and why, from its source's reliability grade (A-F), the
    passage's information grade (1-6), the source's origin and whether it cites anything."""
    source = f"source graded {reliability} ({_RELIABILITY[reliability]})" if reliability in _RELIABILITY else None
    information = f"information graded {credibility} ({_CREDIBILITY[credibility]})" if credibility in _CREDIBILITY else None
    if reliability in ("D", "E"):
        return "doubtful", source or ""
    if credibility in (4, 5):
        return "doubtful", information or ""
    if reliability == "F":
        return "unjudged", source or ""
    if credibility == 6:
        return "unjudged", information or ""
    if reliability is None and credibility is None:
        return "unjudged", "neither the source nor the passage is graded"
    if origin == "tertiary" and not cites_anything:
        return "unjudged", "a tertiary source that cites nothing, so its grade cannot carry the passage"
    return "credible", "; ".join(filter(None, [source, information]))


def best_weight(weights: Iterable[str]) -> str:
    """The weight of a line of evidence: that of its best passage."""
    return max(weights, key=_RANK.__getitem__, default="unjudged")
