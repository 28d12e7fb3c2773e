"""Reasons in a reader's words: every independent origin named, the passages that reach it
named as "Author year, n. X", inferred links and weak dissent said as such.

    1 independent origin supports it: Zakharov's report to Stalin (Zhang 2020, n. 143;
    Shen 2020, by an inferred link); disputed by a doubtful source: Blog post 2007
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .naming import and_list, with_notes
from .status import Line, Verdict

__all__ = ["Passage", "Described", "describe_line", "claim_reason", "weak_dissent", "stance_explanation"]


@dataclass(frozen=True)
class Passage:
    """A passage as a reason names it."""

    source: str  # its source as a reader names it
    footnotes: tuple[int, ...] = ()  # the notes of its via
    inferred: bool = False  # an origin reached through a link the curator inferred


@dataclass(frozen=True)
class Described:
    """A line of evidence with what a reason needs: its roots and its passages, named."""

    line: Line
    roots: tuple[str, ...]  # named
    passages: tuple[Passage, ...]


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _passages(passages: tuple[Passage, ...]) -> list[str]:
    """Each source once, with the notes of all its passages; "by an inferred link" where
    every passage of that source reaches the origin only by one."""
    notes: dict[str, list[int]] = {}
    inferred: dict[str, bool] = {}
    for p in passages:
        notes.setdefault(p.source, []).extend(p.footnotes)
        inferred[p.source] = inferred.get(p.source, True) and p.inferred
    return [with_notes(name, found) + (", by an inferred link" if inferred[name] else "") for name, found in notes.items()]


def describe_line(d: Described) -> str:
    """ "Zakharov's report to Stalin (Zhang 2020, n. 143; Shen 2020)", or "Zhang 2020" for a
    passage that is its own origin; with its weight when it is not credible."""
    return _describe(d.roots, d.passages, d.line.weight)


@lru_cache(maxsize=65_536)  # thousands of claims rest on the same few lines
def _describe(roots: tuple[str, ...], passages: tuple[Passage, ...], weight: str) -> str:
    named = _passages(passages)
    own = set(roots) <= {p.source for p in passages}
    text = "; ".join(named) if own else f"{and_list(list(roots))} ({'; '.join(named)})"
    return text if weight == "credible" else f"{text} [{weight}]"


def _side(lines: list[Described], verb: str, verbs: str) -> str:
    n = len(lines)
    return f"{_plural(n, 'independent origin')} {verb if n == 1 else verbs}: " + "; ".join(map(describe_line, lines))


def claim_reason(verdict: Verdict, supporting: list[Described], conflicting: list[Described], reporting: list[Described]) -> str:
    """Why the claim has its status, in words."""
    parts = []
    if supporting:
        parts.append(_side(supporting, "supports it", "support it"))
        trusted = sum(d.line.weight != "doubtful" for d in supporting)
        if len(supporting) >= 2 and trusted < 2:
            parts[-1] += " (only one of them is not doubtful" if trusted == 1 else " (all of them doubtful"
            parts[-1] += ", so it is not corroborated)"
    if reporting:
        parts.append(_side(reporting, "relays it without endorsing it", "relay it without endorsing it"))
    strong = [d for d in conflicting if d.line in verdict.strong_conflicts]
    weak = [d for d in conflicting if d.line in verdict.weak_dissent]
    if strong:
        parts.append(_side(strong, "conflicts", "conflict"))
    if weak:
        parts.append(weak_dissent(weak, also=bool(strong)))
    if not parts:
        return "no source supports, relays or conflicts with it"
    return "; ".join(parts)


def weak_dissent(weak: list[Described], also: bool = False) -> str:
    """ "disputed by a doubtful source: Blog post 2007", "also disputed by ..." beside a strong conflict."""
    who = " or ".join(sorted({d.line.weight for d in weak}))
    names = "; ".join("; ".join(_passages(d.passages)) for d in weak)
    article = ("an " if who.startswith("u") else "a ") if len(weak) == 1 else ""
    source = "source" if len(weak) == 1 else "sources"
    return f"{'also ' if also else ''}disputed by {article}{who} {source}: {names}"


def stance_explanation(statement: str, supporters: list[str], dissenters: list[str], weak: bool) -> str:
    """One line for a claim whose own sources divide."""
    support = and_list(supporters)
    dissent = and_list(dissenters)
    verb = "supports" if len(supporters) == 1 else "support"
    against = "conflicts" if len(dissenters) == 1 else "conflict"
    text = f"{support} {verb} “{statement}”; {dissent} {against}"
    return text + (" (weak dissent only)" if weak else "")
