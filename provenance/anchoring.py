"""Locate quotes in source texts: exactly, then after normalisation, never fuzzily.

A quote is found first as it is. Failing that, both the quote and the text are
normalised and compared again. Normalisation is a fixed list of rewrites that do not
change what a passage says:

* Unicode NFC (so text stored decomposed, NFD, matches a quote typed composed);
* zero-width and bidirectional control characters, and the soft hyphen, are dropped;
* superscript digits (footnote markers such as ¹⁴³) are dropped;
* typographic quotes become straight quotes, and every dash becomes a hyphen-minus;
* a word hyphenated across a line break is joined ("inter-\\nvene" -> "intervene");
  a quote that keeps the hyphen ("anti-aircraft" for "anti-\\naircraft") matches too;
* every run of white space (line breaks, tabs, no-break spaces) becomes one space.

Offsets always point into the stored text, so the passage can be highlighted exactly.
When a quote is not found, :func:`closest_passage` gives the most similar passage and
its similarity (rapidfuzz), for the error message only: a near miss is never accepted.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass

from rapidfuzz import fuzz

__all__ = [
    "EQUIVALENTS",
    "Anchor",
    "NormalisedText",
    "SourceText",
    "QuoteProblem",
    "normalise",
    "normalise_text",
    "locate",
    "closest_passage",
    "CONTEXT",
]

CONTEXT = 32  # characters of prefix and suffix kept with an anchor (W3C TextQuoteSelector)

_DROP = frozenset(
    "\u00ad"  # soft hyphen
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width space, non-joiner, joiner, word joiner, BOM
    "\u200e\u200f\u061c"  # directional marks
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # bidi embeddings and isolates
    "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"  # superscript digits
)
EQUIVALENTS = {  # a typographic character -> the plain one it matches (quotes, dashes, spaces)
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
}


@dataclass(frozen=True)
class NormalisedText:
    """A normalised string and, for each of its characters, the span it came from."""

    text: str
    starts: array  # starts[i]: offset in the original of the character text[i] came from
    ends: array  # ends[i]: offset just past it

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text back to the original."""
        return self.starts[start], self.ends[end - 1]


def _segments(text: str):
    """Yield (start, end, nfc) for each starter character with its combining marks."""
    n = len(text)
    i = 0
    combining = unicodedata.combining
    ascii_text = text.isascii()
    while i < n:
        j = i + 1
        if not ascii_text:
            while j < n and combining(text[j]):
                j += 1
        piece = text[i:j]
        if j - i > 1 or not piece.isascii():
            piece = unicodedata.normalize("NFC", piece)
        yield i, j, piece
        i = j


_ABOVE_LATIN = re.compile("[^\x00-\u02ff]")  # no character below U+0300 is a combining mark


def _simple(text: str) -> bool:
    """True when every character is its own NFC segment: the fast paths then give exactly
    what the character-by-character path gives."""
    if not unicodedata.is_normalized("NFC", text):
        return False
    return not any(unicodedata.combining(c) for c in set(_ABOVE_LATIN.findall(text)))


_REWRITES = {**dict.fromkeys(_DROP, ""), **EQUIVALENTS}
_REWRITTEN = re.compile("[" + "".join(sorted(_REWRITES)) + "]")


def _translate(text: str) -> str:
    """Drop and replace characters as listed above. What ``str.translate`` would give,
    several times faster: it looks every character up in a dict, while here each
    character present is replaced by one ``str.replace``."""
    for ch in set(_REWRITTEN.findall(text)):
        text = text.replace(ch, _REWRITES[ch])
    return text


_RUNS = re.compile(r"\s+|\S+")


def normalise(text: str, *, keep_line_hyphens: bool = False) -> NormalisedText:
    """Normalise ``text`` as described in the module docstring, keeping an offset map.

    With ``keep_line_hyphens`` a hyphen before a line break is kept (only the break is
    dropped), for quotes that spell a compound word with its hyphen.
    """
    if _simple(text):
        return _normalise_runs(text, keep_line_hyphens)
    return _normalise_chars(text, keep_line_hyphens)


_SPACES = re.compile(r"\s+")


def _normalise_runs(text: str, keep_line_hyphens: bool) -> NormalisedText:
    """The same as :func:`_normalise_chars` for simple text, much faster: replacements are
    one character for one, so the text is translated once (dropped characters removed and
    remembered by position), and only the white-space runs are visited in Python."""
    t = _translate(text)
    n = len(t)
    if n == len(text):
        pos, pos1 = array("i", range(n)), array("i", range(1, n + 1))
    else:  # a few dropped characters: map each kept character back to its place
        pos, pos1 = array("i"), array("i")
        kept = 0
        for match in _DROPPED.finditer(text):
            pos.extend(range(kept, match.start()))
            pos1.extend(range(kept + 1, match.start() + 1))
            kept = match.end()
        pos.extend(range(kept, len(text)))
        pos1.extend(range(kept + 1, len(text) + 1))
    out: list[str] = []
    starts = array("i")
    ends = array("i")
    lo, hi = n - len(t.lstrip()), len(t.rstrip())  # leading and trailing white space is dropped
    cursor = lo
    # Single spaces stay as they are, with their own offsets; only other white space (line
    # breaks, runs, no-break spaces) needs a decision, so only those runs are visited.
    for match in _SPECIAL_SPACES.finditer(t, lo, hi):
        begin, end = match.span()
        out.append(t[cursor:begin])
        starts.extend(pos[cursor:begin])
        ends.extend(pos1[cursor:begin])
        cursor = end
        if t[begin - 1] == "-" and begin - 2 >= lo and t[begin - 2].isalpha() and t[end].islower() and "\n" in t[begin:end]:
            # a word hyphenated across a line break
            if keep_line_hyphens:
                ends[-1] = pos1[end - 1]
            else:
                out[-1] = out[-1][:-1]
                starts.pop()
                ends.pop()
            continue
        out.append(" ")
        starts.append(pos[begin])
        ends.append(pos1[end - 1])
    if cursor < hi:
        out.append(t[cursor:hi])
        starts.extend(pos[cursor:hi])
        ends.extend(pos1[cursor:hi])
    return NormalisedText("".join(out), starts, ends)


_SPECIAL_SPACES = re.compile(r"\s{2,}|[^\S ]")
_DROPPED = re.compile("[" + "".join(sorted(_DROP)) + "]+")


def _normalise_chars(text: str, keep_line_hyphens: bool) -> NormalisedText:
    out: list[str] = []
    starts = array("i")  # 4 bytes an offset: texts are far below 2**31 characters
    ends = array("i")
    pending_space: tuple[int, int] | None = None  # span of a white-space run not yet written
    n = len(text)
    for i, j, piece in _segments(text):
        for ch in piece:
            if ch in _DROP:
                continue
            if ch.isspace():
                if pending_space is None:
                    pending_space = (i, j)
                else:
                    pending_space = (pending_space[0], j)
                continue
            ch = EQUIVALENTS.get(ch, ch)
            if pending_space is not None:
                if out and out[-1] == "-" and "\n" in text[pending_space[0] : pending_space[1]] and _joins(out, ch):
                    # a word hyphenated across a line break
                    if keep_line_hyphens:
                        ends[-1] = pending_space[1]
                    else:
                        out.pop()
                        starts.pop()
                        ends.pop()
                    pending_space = None
                elif out:
                    out.append(" ")
                    starts.append(pending_space[0])
                    ends.append(pending_space[1])
                    pending_space = None
                else:
                    pending_space = None  # leading white space is dropped
            out.append(ch)
            starts.append(i)
            ends.append(j)
    del n
    return NormalisedText("".join(out), starts, ends)


_ASCII_HYPHENATION = re.compile(r"(?<=[A-Za-z])-[^\S\n]*\n\s*(?=[a-z])")


_LINE_HYPHEN = re.compile(r"-(\s+)(?=(\S))")


def _join_line_hyphen(match: re.Match) -> str:
    text, at = match.string, match.start()
    if "\n" in match.group(1) and at > 0 and text[at - 1].isalpha() and match.group(2).islower():
        return ""
    return match.group(0)


def normalise_text(text: str) -> str:
    """``normalise(text).text`` without the offset map, by regular expressions where the
    text allows (much faster). Used where only the normalised string matters: quotes to
    look up, evidence ids."""
    if text.isascii():
        return " ".join((_ASCII_HYPHENATION.sub("", text) if "-" in text else text).split())
    if _simple(text):
        text = _translate(text)
        return " ".join((_LINE_HYPHEN.sub(_join_line_hyphen, text) if "-" in text else text).split())
    return normalise(text).text


def _joins(out: list[str], next_char: str) -> bool:
    """A line-end hyphen joins two halves of a word: a letter before it, a lower-case letter after."""
    return len(out) >= 2 and out[-2].isalpha() and next_char.islower()


@dataclass(frozen=True)
class Anchor:
    """Where a quote sits in its source text (W3C TextPosition- and TextQuoteSelector)."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    method: str  # "exact" or "normalised"


@dataclass(frozen=True)
class QuoteProblem(Exception):
    """Why a quote could not be anchored; ``message`` is written for the curator."""

    message: str

    def __str__(self) -> str:
        return self.message


class SourceText:
    """A source's stored text with its normalised forms computed once, on demand."""

    __slots__ = ("_norm", "text")

    def __init__(self, text: str):
        self.text = text
        self._norm: NormalisedText | None = None

    @property
    def norm(self) -> NormalisedText:
        if self._norm is None:
            self._norm = normalise(self.text)
        return self._norm


def _find_all(haystack: str, needle: str, limit: int) -> list[int]:
    found: list[int] = []
    at = haystack.find(needle)
    while at != -1 and len(found) < limit:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def _anchor(text: str, start: int, end: int, method: str) -> Anchor:
    return Anchor(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
        method=method,
    )


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def locate(quote: str, source: SourceText | str, occurrence: int | None = None) -> Anchor:
    """Anchor ``quote`` in ``source``; raise :class:`QuoteProblem` when it is absent or ambiguous."""
    if not isinstance(source, SourceText):
        source = SourceText(source)
    text = source.text
    limit = max(occurrence or 0, 5)  # enough to tell unique from ambiguous, and to list a few

    hits = _find_all(text, quote, limit)
    if hits:
        spans = [(h, h + len(quote)) for h in hits]
        method = "exact"
    else:
        spans = []
        method = "normalised"
        needle = normalise_text(quote)
        if needle:
            norm = source.norm
            found = [(h, h + len(needle)) for h in _find_all(norm.text, needle, limit)]
            if not found:
                found = _find_keeping_hyphens(text, norm, needle, limit)
            spans = [norm.span(a, b) for a, b in found]
        if not spans:
            raise QuoteProblem(_not_found_message(quote, source))

    if occurrence is None:
        if len(spans) > 1:
            lines = ", ".join(str(_line_of(text, s)) for s, _ in spans)
            raise QuoteProblem(
                f"the quote occurs more than once in the text (lines {lines}{', ...' if len(spans) >= limit else ''}); "
                "add words to make it unique, or set occurrence: N"
            )
        start, end = spans[0]
    else:
        if occurrence > len(spans):
            raise QuoteProblem(f"occurrence {occurrence} asked for, but the quote occurs {len(spans)} time(s)")
        start, end = spans[occurrence - 1]
    return _anchor(text, start, end, method)


def _find_keeping_hyphens(text: str, norm: NormalisedText, needle: str, limit: int) -> list[tuple[int, int]]:
    """Find a quote that keeps the hyphen of a word split at a line break ("anti-aircraft"
    for "anti-\naircraft"), where the normalised text has joined the word.

    Each hyphen of the quote that could be such a one is tried both ways (kept, as a real
    hyphen of the text, or dropped, as a joined line break); a match counts only where
    every dropped hyphen stands, in the stored text, at a line-end hyphenation.
    """
    candidates = [
        k for k in range(1, len(needle) - 1) if needle[k] == "-" and needle[k - 1].isalpha() and needle[k + 1].islower()
    ]
    if not candidates or len(candidates) > 6:
        return []
    found: list[tuple[int, int]] = []
    for mask in range(1, 2 ** len(candidates)):
        dropped = [k for bit, k in enumerate(candidates) if mask >> bit & 1]
        variant, joins = needle, []
        for removed, k in enumerate(dropped):
            position = k - removed
            variant = variant[:position] + variant[position + 1 :]
            joins.append(position)  # the character after the dropped hyphen
        at = norm.text.find(variant)
        while at != -1 and len(found) < limit:
            if all(_line_end_hyphen(text, norm, at + j - 1, at + j) for j in joins):
                found.append((at, at + len(variant)))
            at = norm.text.find(variant, at + 1)
    return sorted(set(found))[:limit]


def _line_end_hyphen(text: str, norm: NormalisedText, before: int, after: int) -> bool:
    gap = text[norm.ends[before] : norm.starts[after]]
    return "\n" in gap and any(EQUIVALENTS.get(c, c) == "-" for c in gap)


def closest_passage(quote: str, source: SourceText | str) -> tuple[str, float] | None:
    """The passage of the source most similar to ``quote``, and the similarity (0-100)."""
    if not isinstance(source, SourceText):
        source = SourceText(source)
    needle = normalise(quote).text
    norm = source.norm
    if not needle or not norm.text:
        return None
    result = fuzz.partial_ratio_alignment(needle, norm.text, score_cutoff=50)
    if result is None:
        return None
    start, end = norm.span(result.dest_start, max(result.dest_end, result.dest_start + 1))
    return source.text[start:end], result.score


def _not_found_message(quote: str, source: SourceText) -> str:
    near = closest_passage(quote, source)
    if near is None:
        return "the quote is not in the source's text, and no passage resembles it"
    passage, score = near
    passage = " ".join(passage.split())
    return (
        f"the quote is not in the source's text; the closest passage ({score:.1f}% similar) is: "
        f'"{passage}" - paste the exact words'
    )
