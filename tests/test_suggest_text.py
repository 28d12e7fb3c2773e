"""Reading passages for suggestions, as tables: sentences, entity names through aliases,
dates and numbers in prose, cues of assent and denial (hits and near misses)."""

import pytest

from provenance.analysis.suggest import EntityMatcher, cues, passages, text_dates, text_numbers
from provenance.analysis.suggest.pairs import _dates_differ


def test_passages_are_sentences_with_their_footnotes_and_offsets():
    text = (
        "Despite adequate preparations, the Soviet Air Force did not receive operational orders. It was not until "
        "October 25 that the clashes began.¹⁴¹ As a result, on October 29, Soviet advisers informed Zhou Enlai.\n"
        "¹⁴¹ Ibid. A footnote's own text is not a passage of the body.\n"
        "Gen. MacArthur did not believe that the Chinese would come in force. Short.\n"
    )
    found = list(passages("thesis", text))
    assert [p.text for p in found] == [
        "Despite adequate preparations, the Soviet Air Force did not receive operational orders.",
        "It was not until October 25 that the clashes began.¹⁴¹",
        "As a result, on October 29, Soviet advisers informed Zhou Enlai.",
        "Gen. MacArthur did not believe that the Chinese would come in force.",  # "Gen." does not end a sentence
        # ... and a fragment ("Short.") is not a passage
    ]
    assert found[1].footnotes == (141,)
    for p in found:
        assert text[p.start : p.end] == p.text  # offsets into the stored text, for a quote to paste


MATCHER = EntityMatcher(
    [("andong", "Andong"), ("andong", "Anton"), ("andong", "Dandong"), ("mao", "Mao Zedong"), ("mao", "Mao Tse-tung"),
     ("soviets", "Soviet"), ("un", "UN")]
)  # fmt: skip


@pytest.mark.parametrize(
    "text, entities",
    [
        ("The base moved to Anton ten days later.", {"andong"}),  # an alias
        ("the airfield at DANDONG", {"andong"}),  # any case
        ("Mao Tse-tung  demurred", {"mao"}),  # spacing as written
        ("the Soviets agreed", {"soviets"}),  # a plural names the thing
        ("Antonov aircraft", set()),  # near miss: a name inside a longer word
        ("a UN resolution", set()),  # near miss: two-letter names are not matched
    ],
)
def test_entities_are_found_through_every_alias(text, entities):
    assert MATCHER.find(text) == entities


@pytest.mark.parametrize(
    "text, year, dates",
    [
        ("On November 1, the Soviet Air Force entered combat.", 1950, ["1950-11-01"]),
        ("On 1 November 1950 they fought.", None, ["1950-11-01"]),
        ("on October 25th the clashes began", 1950, ["1950-10-25"]),
        ("In early October 1950 Mao met Zhou.", None, ["1950-10-01/1950-10-10"]),
        ("by mid-October", 1950, ["1950-10-11/1950-10-20"]),
        ("late October", 1950, ["1950-10-21/1950-10-31"]),
        ("around October 15", 1950, ["1950-10-15~"]),
        ("in October 1950", None, ["1950-10"]),
        ("On 19 October 1950 they crossed; three days later they fought.", None, ["1950-10-19", "1950-10-22"]),
        ("On 19 October 1950 they crossed, and the next morning they marched.", None, ["1950-10-19", "1950-10-20"]),
        ("12 days after the Chinese troops entered the war", 1950, []),  # near miss: nothing to count from
        ("On November 1 they fought.", None, []),  # near miss: no year known
        ("May we go? March on.", 1950, []),  # near miss: a bare month name is a verb here
        ("On 31 February 1950", None, []),  # near miss: no such day
    ],
)
def test_dates_in_prose_become_edtf(text, year, dates):
    assert [d.edtf for d in text_dates(text, year)] == dates


@pytest.mark.parametrize(
    "a, b, differ",
    [
        (("1 November", 1952), ("November 1, 1950", None), False),  # a year the text carried is not the passage's
        (("November 1, 1950", None), ("31 October 1950", None), True),
        (("early October 1950", None), ("October 5, 1950", None), False),  # the interval contains the day
        (("around October 15", 1950), ("October 16, 1950", None), False),  # about a day either way
        (("October 19, 1950", None), ("October 25, 1950", None), True),
    ],
)
def test_dates_are_compared_as_intervals(a, b, differ):
    first, second = (tuple(text_dates(text, year)) for text, year in (a, b))
    assert (_dates_differ(first, second) is not None) == differ


@pytest.mark.parametrize(
    "text, counts",
    [
        ("the guns shot down two planes", [(2, 2, "plane")]),
        ("hit another two aircraft", [(2, 2, "aircraft")]),
        ("at least five or six divisions of volunteers", [(5, float("inf"), "division")]),
        ("1,500 maps in all", [(1500, 1500, "map")]),
        ("about 120 aircraft", [(108, 132, "aircraft")]),
        ("On 12 October 1950 he wrote", []),  # near miss: a date is not a count
        ("twelve days later", []),  # near miss: a span of time is not a count
    ],
)
def test_numbers_in_words_and_digits(text, counts):
    assert [(round(n.low), n.high if n.high == float("inf") else round(n.high), n.unit) for n in text_numbers(text)] == counts


@pytest.mark.parametrize(
    "text, found",
    [
        ("Moscow had agreed that the Soviet Air Force would operate", {"consent+"}),
        ("Stalin refused to provide air cover", {"consent-"}),
        ("he did not refuse", {"consent+"}),  # a denial denied
        ("the Soviet air force would not be ready for two months", {"readiness-"}),  # negation three words before
        ("Mao had demurred", {"readiness-"}),
        ("China had decided not to send troops", {"sending-"}),
        ("to temporarily delay the army's dispatch", {"sending-"}),
        ("China can send its troops", {"sending+"}),
        ("the reason is obviously an excuse", {"hedge"}),
        ("They agreed at first and then refused", set()),  # near miss: both at once say nothing either way
    ],
)
def test_cues_of_assent_and_denial(text, found):
    assert cues(text) == found
