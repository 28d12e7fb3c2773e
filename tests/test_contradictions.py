"""Contradictions as tables: values compared, and signals grouped into one record per
disagreement (DESIGN.md, "Contradiction")."""

import pytest

from provenance.analysis import Signal, Value, disagreement_id, group_signals, values_conflict
from provenance.dates import edtf_interval


def date(edtf: str) -> Value:
    lo, hi = edtf_interval(edtf)
    return Value("date", earliest=lo, latest=hi, shown=edtf)


def entity(*names: str) -> Value:
    return Value("entity", names=frozenset(n.casefold() for n in names), shown=names[0])


@pytest.mark.parametrize(
    "a, b, conflict",
    [
        (date("1950-11-01"), date("1950-11-01"), False),
        (date("1950-11"), date("1950-11-01"), False),  # a month contains its days
        (date("1950-10-31"), date("1950-11-01"), True),  # consecutive days are different days
        (date("1950-10~"), date("1950-11-01"), False),  # "about October" reaches into November
        (date("1950-10"), date("1950-11-01"), True),
        (date("1949/1950"), date("1950-06-25"), False),  # inside the interval
        (date("1950-11-01?"), date("1950-11-02"), False),  # uncertain by a day
        (Value("number", number=2, shown="2"), Value("number", number=2.0, shown="2"), False),
        (Value("number", number=2, shown="2"), Value("number", number=4, shown="4"), True),
        (Value("number", number=120, tolerance=10, shown="120"), Value("number", number=127, shown="127"), False),
        (entity("andong", "Anton", "Dandong"), entity("andong", "Andong"), False),  # one place, two spellings
        (entity("andong", "Anton"), entity("anton-airfield", "Anton"), False),  # shared alias: same thing
        (entity("shenyang", "Mukden"), entity("andong", "Anton"), True),
        (Value("text", text="Reluctant", shown="Reluctant"), Value("text", text=" reluctant ", shown="reluctant"), False),
        (Value("text", text="eager", shown="eager"), Value("text", text="reluctant", shown="reluctant"), True),
        (date("1950-11-01"), Value("number", number=1, shown="1"), False),  # different kinds are not compared
    ],
)
def test_values_conflict(a, b, conflict):
    assert (values_conflict(a, b) is not None) == conflict
    assert (values_conflict(b, a) is not None) == conflict


def value(*claims: str) -> Signal:
    return Signal("value-conflict", claims, f"values of {' and '.join(claims)} differ", headline=True)


def asserted(a: str, b: str, note: str | None = None) -> Signal:
    return Signal("asserted", (a, b), note or f"a curator marks {a} as contradicting {b}", headline=note is not None)


def stance(claim: str, weak: bool = False) -> Signal:
    return Signal("stance-conflict", (claim,), f"sources divide over {claim}", weak=weak)


def derived(a: str, b: str) -> Signal:
    return Signal("derived", (a, b), f"{a} resolved disagrees with {b}", headline=True)


@pytest.mark.parametrize(
    "signals, records",
    [
        # the same pair flagged three ways is one disagreement with three signals
        (
            [value("a", "b"), asserted("a", "b"), stance("a"), stance("b")],
            [(("a", "b"), ["asserted", "value-conflict", "stance-conflict"])],
        ),
        # a curator's link both ways is one signal kind, one record
        ([asserted("a", "b"), asserted("b", "a")], [(("a", "b"), ["asserted"])]),
        # claims joined through a shared claim are one set in tension
        ([derived("x", "y"), asserted("y", "z")], [(("x", "y", "z"), ["asserted", "derived"])]),
        # a claim whose own sources divide, alone
        ([stance("a")], [(("a",), ["stance-conflict"])]),
        # unrelated disagreements stay apart
        ([value("a", "b"), value("c", "d")], [(("a", "b"), ["value-conflict"]), (("c", "d"), ["value-conflict"])]),
        # near miss: a pair of a claim with itself is no disagreement (a claim never contradicts itself)
        ([value("a", "a")], []),
        ([derived("a", "a"), stance("b")], [(("b",), ["stance-conflict"])]),
        ([], []),
    ],
)
def test_signals_group_into_one_record_per_disagreement(signals, records):
    found = sorted((d.claims, d.kinds) for d in group_signals(signals))
    assert found == sorted(records)


def test_a_disagreement_keeps_its_id_when_a_signal_joins():
    [before] = group_signals([value("a", "b")])
    [after] = group_signals([value("a", "b"), asserted("b", "a"), stance("a")])
    assert before.id == after.id == disagreement_id(["b", "a"])
    # a new claim in tension makes a new set, and a new id
    [wider] = group_signals([value("a", "b"), asserted("b", "c")])
    assert wider.id != before.id


@pytest.mark.parametrize(
    "signals, explanation",
    [
        # the values compared and the curator's note make the line; the stance keeps its own row
        (
            [stance("a"), value("a", "b"), asserted("a", "b", "the texts disagree")],
            "values of a and b differ; the texts disagree",
        ),
        # with no value or note, the other signals speak
        ([stance("a")], "sources divide over a"),
        ([asserted("a", "b"), stance("a")], "a curator marks a as contradicting b; sources divide over a"),
        # the same words are not repeated
        ([asserted("a", "b", "same"), asserted("b", "a", "same")], "same"),
    ],
)
def test_one_line_explains_a_disagreement(signals, explanation):
    [record] = group_signals(signals)
    assert record.explanation == explanation


@pytest.mark.parametrize(
    "signals, weak",
    [
        ([stance("a", weak=True)], True),  # only doubtful sources dissent
        ([stance("a", weak=True), stance("b", weak=True), asserted("a", "b")], False),  # a curator's link is never weak
        ([stance("a")], False),
    ],
)
def test_a_disagreement_of_weak_dissent_only_is_marked_weak(signals, weak):
    [record] = group_signals(signals)
    assert record.weak is weak
