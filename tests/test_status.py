"""Weight and status as tables (DESIGN.md, "Weight" and "Claim status"): each grade, each
status, weak dissent from both sides."""

import pytest

from provenance.analysis import Line, claim_status, passage_weight


@pytest.mark.parametrize(
    "reliability, credibility, origin, cites, weight",
    [
        ("A", None, "secondary", True, "credible"),
        ("C", 3, "secondary", True, "credible"),  # fairly reliable, possibly true
        (None, 2, "secondary", True, "credible"),  # the information graded, the source not: graded enough
        ("D", None, "tertiary", True, "doubtful"),  # not usually reliable
        ("E", 1, "primary", True, "doubtful"),  # an unreliable source is not saved by a confirmed passage
        ("B", 4, "primary", True, "doubtful"),  # doubtful information from a good source
        ("A", 5, "primary", True, "doubtful"),  # improbable
        ("F", None, "primary", True, "unjudged"),
        ("B", 6, "secondary", True, "unjudged"),  # cannot be judged
        (None, None, "secondary", True, "unjudged"),  # nothing graded
        ("C", None, "tertiary", False, "unjudged"),  # a tertiary page citing nothing is at most unjudged
        ("C", None, "tertiary", True, "credible"),  # ... one that cites its sources is not capped
        ("D", None, "tertiary", False, "doubtful"),  # the cap never raises a weight
    ],
)
def test_passage_weight(reliability, credibility, origin, cites, weight):
    found, reason = passage_weight(reliability, credibility, origin, cites)
    assert found == weight
    assert reason  # every weight says why


def lines(*weights: str) -> list[Line]:
    return [Line((f"root{i}",), w) for i, w in enumerate(weights)]


C, U, D = "credible", "unjudged", "doubtful"


@pytest.mark.parametrize(
    "supporting, conflicting, reporting, status, weak",
    [
        ((C, C), (), (), "corroborated", 0),
        ((C, U), (), (), "corroborated", 0),  # an ungraded line still counts as a line
        ((C, D), (), (), "supported", 0),  # a doubtful line does not corroborate
        ((D, D), (), (), "supported", 0),  # ... nor do two
        ((C,), (), (), "supported", 0),
        ((C, C, C), (U,), (), "corroborated", 1),  # the tertiary page case: ungraded dissent against corroborated support
        ((C, C), (U,), (), "corroborated", 1),
        ((C,), (U,), (), "contested", 0),  # ... but against one credible line it contests: neither is corroborated
        ((C, U), (U,), (), "contested", 0),  # an ungraded line does not make the support corroborated enough
        ((C,), (D,), (), "supported", 1),  # weak dissent: a doubtful source never contests
        ((C, C), (D, D), (), "corroborated", 2),
        ((C,), (C,), (), "contested", 0),
        ((D,), (C,), (), "contested", 0),  # credible dissent contests even a doubtful claim
        ((U,), (U,), (), "contested", 0),  # ungraded against ungraded: neither outweighs the other
        ((C,), (C, D), (), "contested", 1),  # strong and weak dissent together
        ((), (C,), (), "refuted", 0),
        ((), (U,), (), "refuted", 0),
        ((), (D,), (), "unsupported", 1),  # only a doubtful source against, nothing for: not refuted
        ((), (), (C,), "reported", 0),  # relayed, not endorsed
        ((), (), (D, D), "reported", 0),
        ((), (C,), (C,), "contested", 0),  # relayed and credibly denied
        ((), (D,), (C,), "reported", 1),
        ((), (), (), "unsupported", 0),
    ],
)
def test_status(supporting, conflicting, reporting, status, weak):
    verdict = claim_status(lines(*supporting), lines(*conflicting), lines(*reporting))
    assert verdict.status == status
    assert len(verdict.weak_dissent) == weak
    assert len(verdict.strong_conflicts) + len(verdict.weak_dissent) == len(conflicting)
