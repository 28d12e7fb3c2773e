"""Claim status from the independent lines of evidence on each side, weighed (DESIGN.md,
"Claim status"). Never from passage counts: two books repeating one telegram are one line.

| status        | when                                                                      |
|---------------|---------------------------------------------------------------------------|
| corroborated  | two or more independent supporting lines that are not doubtful; no strong conflict |
| supported     | support, no strong conflict (one line that is not doubtful, or only doubtful ones) |
| reported      | no support, only relayed (``reports``) lines; no strong conflict           |
| contested     | support or reports, and a strong conflict                                  |
| refuted       | a strong conflict and nothing for the claim                                |
| unsupported   | nothing strong either way (at most a weak dissent)                         |

A conflicting line is *strong* when it is credible, or when it is unjudged and the support
is not corroborated by two or more credible lines. Otherwise it is a *weak dissent*: a
doubtful source, or an ungraded one set against corroborated credible support (a tertiary
page citing nothing against three independent archival lines). Weak dissent never makes a
claim contested; the status keeps its name and the reason says "disputed by a doubtful
source" and names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Line", "Verdict", "claim_status", "STATUSES"]

STATUSES = ("corroborated", "supported", "reported", "contested", "refuted", "unsupported")


@dataclass(frozen=True)
class Line:
    """One independent line of evidence on one side of a claim: passages whose origins meet."""

    roots: tuple[str, ...]
    weight: str  # doubtful, unjudged or credible: that of its best passage
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    status: str
    strong_conflicts: tuple[Line, ...]
    weak_dissent: tuple[Line, ...]  # conflicting lines too weak to contest the claim


def _strong(line: Line, credible_support: int) -> bool:
    return line.weight == "credible" or (line.weight == "unjudged" and credible_support < 2)


def claim_status(supporting: Sequence[Line], conflicting: Sequence[Line], reporting: Sequence[Line] = ()) -> Verdict:
    """The status of a claim from its independent lines of evidence on each side."""
    credible_support = sum(line.weight == "credible" for line in supporting)
    strong = tuple(line for line in conflicting if _strong(line, credible_support))
    weak = tuple(line for line in conflicting if not _strong(line, credible_support))
    if strong:
        status = "contested" if supporting or reporting else "refuted"
    elif sum(line.weight != "doubtful" for line in supporting) >= 2:
        status = "corroborated"
    elif supporting:
        status = "supported"
    elif reporting:
        status = "reported"
    else:
        status = "unsupported"
    return Verdict(status, strong, weak)
