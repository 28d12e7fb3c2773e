"""Derived knowledge: origins, weights, claim status, contradictions and evidence chains.

Everything here is computed from the curated tables at build time, never typed by hand,
and explained in words. One module per rule, each a pure function tested as a table:

* :mod:`.origins`: the works a passage rests on, followed from its own footnotes and
  whole-work derivations (a derivation at a footnote belongs to the passages citing it);
  :func:`independent_groups` joins passages whose origins meet into lines of evidence.
* :mod:`.weight`: a passage is doubtful, unjudged or credible from the curator's grades.
* :mod:`.status`: corroborated, supported, reported, contested, refuted, unsupported,
  from the weighed lines on each side; weak dissent never contests a claim.
* :mod:`.contradictions`: value comparison (dates as EDTF intervals, numbers with
  tolerances, entities through aliases) and one disagreement per set of claims in tension.
* :mod:`.chains`: the hops from a passage to the works it rests on.
* :mod:`.naming` and :mod:`.reasons`: sources and reasons in a reader's words.

:func:`derive` runs them over a database being built and writes the derived tables.
"""

from .contradictions import Disagreement, Signal, Value, disagreement_id, group_signals, values_conflict
from .database import derive
from .origins import DERIVATIONS, CitationGraph, Link, Origin, find_origins, independent_groups
from .status import STATUSES, Line, Verdict, claim_status
from .weight import WEIGHTS, passage_weight

__all__ = [
    "DERIVATIONS",
    "CitationGraph",
    "Link",
    "Origin",
    "find_origins",
    "independent_groups",
    "WEIGHTS",
    "passage_weight",
    "STATUSES",
    "Line",
    "Verdict",
    "claim_status",
    "Value",
    "values_conflict",
    "Signal",
    "Disagreement",
    "disagreement_id",
    "group_signals",
    "derive",
]
