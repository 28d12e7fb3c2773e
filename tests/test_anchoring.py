"""Quotes are found exactly or after normalisation, with offsets into the stored text."""

import unicodedata

import pytest

from provenance.anchoring import QuoteProblem, locate, normalise

OCR = "The air division flew its first sor-\ntie over the river.\nAnti-\naircraft guns fired."


@pytest.mark.parametrize(
    "text, quote, exact, method",
    [
        ("He said “no” — twice.", "He said “no” — twice.", "He said “no” — twice.", "exact"),
        # typographic quotes and dashes typed plainly
        ("He said “no” — twice.", 'He said "no" - twice.', "He said “no” — twice.", "normalised"),
        ("It’s the ‘Anton’ base.", "It's the 'Anton' base.", "It’s the ‘Anton’ base.", "normalised"),
        # OCR line breaks and a word hyphenated across them
        (OCR, "flew its first sortie over the river", "flew its first sor-\ntie over the river", "normalised"),
        # a compound word split at a line break still matches with its hyphen ...
        (OCR, "river. Anti-aircraft guns", "river.\nAnti-\naircraft guns", "normalised"),
        # ... and a capitalised half is not joined (not a hyphenated word)
        ("Sino-\nSoviet talks", "Sino- Soviet talks", "Sino-\nSoviet talks", "normalised"),
        # runs of white space, tabs, no-break spaces
        ("air  cover\t\u00a0over the Yalu", "air cover over the Yalu", "air  cover\t\u00a0over the Yalu", "normalised"),
        # text stored decomposed (NFD), quote typed composed (NFC)
        (
            unicodedata.normalize("NFD", "Zhou Enlái à Pékin"),
            "Zhou Enlái à Pékin",
            unicodedata.normalize("NFD", "Zhou Enlái à Pékin"),
            "normalised",
        ),
        # zero-width characters and a soft hyphen inside words
        ("Pyong\u200byang air de\u00adfence", "Pyongyang air defence", "Pyong\u200byang air de\u00adfence", "normalised"),
        # superscript footnote markers may be left out of a quote
        (
            "later.¹⁴² On November 1, the air force",
            "later. On November 1, the air force",
            "later.¹⁴² On November 1, the air force",
            "normalised",
        ),
    ],
)
def test_quote_is_anchored(text, quote, exact, method):
    anchor = locate(quote, text)
    assert anchor.exact == exact
    assert text[anchor.start : anchor.end] == exact
    assert anchor.method == method
    assert anchor.prefix == text[max(0, anchor.start - 32) : anchor.start]
    assert anchor.suffix == text[anchor.end : anchor.end + 32]


def test_prefix_and_suffix_are_32_characters():
    text = "x" * 40 + "the passage" + "y" * 40
    anchor = locate("the passage", text)
    assert (anchor.prefix, anchor.suffix) == ("x" * 32, "y" * 32)


@pytest.mark.parametrize(
    "text, quote, message",
    [
        # never fuzzy: one letter off is an error that shows the closest passage
        (
            "They flew to Andong that day.",
            "They flew to Antung that day.",
            'closest passage (93.1% similar) is: "They flew to Andong that day."',
        ),
        # case is not normalised
        ("The Soviet Air Force", "the soviet air force", "closest passage"),
        ("abc abc", "abc", "occurs more than once in the text (lines 1, 1)"),
    ],
)
def test_quote_problems(text, quote, message):
    with pytest.raises(QuoteProblem) as raised:
        locate(quote, text)
    assert message in str(raised.value)


def test_occurrence_picks_one_of_several():
    text = "one two three. one two three."
    assert locate("one two three", text, occurrence=2).start == 15
    with pytest.raises(QuoteProblem, match="occurrence 3 asked for, but the quote occurs 2 time"):
        locate("one two three", text, occurrence=3)


def test_normalise_keeps_an_offset_for_every_character():
    text = unicodedata.normalize("NFD", "é “x” \n\n y")
    norm = normalise(text)
    assert norm.text == 'é "x" y'
    assert len(norm.starts) == len(norm.ends) == len(norm.text)
    assert all(0 <= s < e <= len(text) for s, e in zip(norm.starts, norm.ends, strict=True))


@pytest.mark.parametrize(
    "text, quote, found",
    [
        ("the anti-\naircraft guns", "the anti-aircraft guns", True),  # hyphen at a line end, kept in the quote
        ("the antiaircraft guns", "the anti-aircraft guns", False),  # no hyphen in the text: never invented
        ("a Sino-Soviet anti-\naircraft unit", "a Sino-Soviet anti-aircraft unit", True),  # one real, one line-end
        ("the anti-\naircraft and re-\ncover", "anti-aircraft and recover", True),  # one kept, one joined
    ],
)
def test_line_end_hyphens_kept_in_quotes(text, quote, found):
    if found:
        anchor = locate(quote, text)
        assert normalise(text[anchor.start : anchor.end], keep_line_hyphens=True).text.replace("re-cover", "recover") in (
            quote,
            quote.replace("recover", "re-cover"),
        )
    else:
        with pytest.raises(QuoteProblem):
            locate(quote, text)
