"""Contradictions: one record per disagreement, with every signal that flags it (DESIGN.md,
"Contradiction").

Signals, each found on its own:

* ``value-conflict``: two claims on one subject and single-valued property whose values
  cannot both be true (dates as EDTF intervals, numbers within a curated tolerance,
  entities through their aliases, text after case and spacing);
* ``derived``: the same, where a value is a relative date, resolved first;
* ``asserted``: a curator's "contradicts" link;
* ``stance-conflict``: one claim whose own sources divide (supporting and conflicting
  passages).

Signals that share a claim are one disagreement: its members are the claims (a set in
tension, or one claim whose sources divide), its id a digest of them, so it keeps its id
when another signal joins, and no pair of claims appears in two records. A signal naming
only one claim is a stance conflict; a pair of one claim with itself is dropped.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "SIGNALS",
    "Value",
    "values_conflict",
    "Signal",
    "Disagreement",
    "disagreement_id",
    "group_signals",
]

SIGNALS = ("asserted", "value-conflict", "derived", "stance-conflict")
_EXPLAINED_FIRST = ("value-conflict", "derived", "asserted", "stance-conflict")  # what was compared, then why


@dataclass(frozen=True)
class Value:
    """A claim's value, ready to compare."""

    kind: str  # date, number, entity, text
    earliest: str | None = None
    latest: str | None = None
    number: float | None = None
    tolerance: float = 0.0
    names: frozenset[str] = field(default_factory=frozenset)  # an entity's id and every alias
    text: str | None = None
    shown: str = ""


def values_conflict(a: Value, b: Value) -> str | None:
    """Why the two values cannot both be true, or None when they are compatible."""
    if a.kind != b.kind:
        return None
    if a.kind == "date":
        if a.earliest is None or b.earliest is None or a.latest is None or b.latest is None:
            return None
        if a.earliest <= b.latest and b.earliest <= a.latest:
            return None
        return f"{a.shown} and {b.shown} cannot be the same day"
    if a.kind == "number":
        if a.number is None or b.number is None:
            return None
        allowed = max(a.tolerance, b.tolerance)
        if abs(a.number - b.number) <= allowed:
            return None
        slack = f" (tolerance {allowed:g})" if allowed else ""
        return f"{a.shown} and {b.shown} differ{slack}"
    if a.kind == "entity":
        if a.names & b.names:
            return None
        return f"{a.shown} and {b.shown} are different"
    if " ".join((a.text or "").casefold().split()) == " ".join((b.text or "").casefold().split()):
        return None
    return f"{a.shown!r} and {b.shown!r} differ"


@dataclass(frozen=True)
class Signal:
    """One reason to think claims are in tension."""

    kind: str  # one of SIGNALS
    claims: tuple[str, ...]  # the claims it names (one, for a stance conflict)
    explanation: str
    subject: str | None = None
    property: str | None = None
    weak: bool = False  # a stance conflict where only a weak dissent conflicts
    headline: bool = False  # its explanation heads the disagreement's (a value compared, a curator's note)
    passages: tuple[tuple[str, str, str], ...] = ()  # (claim, evidence, role) it rests on


@dataclass(frozen=True)
class Disagreement:
    id: str
    claims: tuple[str, ...]
    signals: tuple[Signal, ...]

    @property
    def kinds(self) -> list[str]:
        return sorted({s.kind for s in self.signals}, key=SIGNALS.index)

    @property
    def weak(self) -> bool:
        """Flagged only by weak dissent: doubtful sources against a claim."""
        return all(s.kind == "stance-conflict" and s.weak for s in self.signals)

    @property
    def explanation(self) -> str:
        """One line: what the values compared and then the curator's notes say, without repeats;
        the other signals' words only when there are none (each signal keeps its own)."""
        ordered = sorted(self.signals, key=lambda s: _EXPLAINED_FIRST.index(s.kind))
        chosen = [s for s in ordered if s.headline] or ordered
        return "; ".join(dict.fromkeys(s.explanation.rstrip(". ") for s in chosen))

    @property
    def subject(self) -> str | None:
        return next((s.subject for s in self.signals if s.subject), None)

    @property
    def property(self) -> str | None:
        return next((s.property for s in self.signals if s.property), None)


def disagreement_id(claims: Iterable[str]) -> str:
    """Stable as long as the claims in tension are the same, whatever signals flag them."""
    digest = hashlib.sha1("\n".join(sorted(set(claims))).encode()).hexdigest()
    return f"disagreement-{digest[:10]}"


def group_signals(signals: Iterable[Signal]) -> list[Disagreement]:
    """Signals that share a claim, joined into one disagreement each, in id order.

    A pair signal naming one claim twice (a claim against itself) is dropped: a claim
    never contradicts itself; a claim whose sources divide is a stance conflict.
    """
    kept = [s for s in signals if len(set(s.claims)) > 1 or s.kind == "stance-conflict"]
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for signal in kept:
        first, *rest = signal.claims
        for other in rest:
            a, b = find(first), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
        find(first)
    components: dict[str, list[Signal]] = defaultdict(list)
    for signal in kept:
        components[find(signal.claims[0])].append(signal)
    out = []
    for members in components.values():
        claims = tuple(sorted({c for s in members for c in s.claims}))
        out.append(Disagreement(disagreement_id(claims), claims, tuple(members)))
    return sorted(out, key=lambda d: d.id)
