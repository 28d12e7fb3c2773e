"""Find the exact passages of a source's text that best match approximate words.

A quote in the seeds must be the source's exact words, but a curator remembers roughly
what a document says, or copies from a printout with a typo. :func:`find_passages` turns
approximate words into exact passages, ready to paste: each one is a span of the stored
text, cut at word boundaries, with its offsets (code points into the stored text, as the
build's anchors), its line and its similarity to the words asked for.

It has to be quick on a long text (a 500 KB thesis in well under 100 ms), so the text is
scanned cheaply and only a few places are examined closely:

1. **Index** (:class:`TextIndex`): the text is split into words with their offsets by one
   regular-expression split, after a folding that keeps every offset valid (lower case,
   typographic quotes and dashes made plain, line breaks made spaces: one character for
   one). Normalising the whole text as the build does would alone take longer than the
   search (some 170 ms for 500 KB, in Python), so it is done only where it matters, in 3.
2. **Rank**: windows of as many words as the query has, starting every quarter of that,
   are scored against the query by ``rapidfuzz.process.extract`` (``fuzz.ratio``, in C).
3. **Refine**: around the best windows that do not overlap much, the text is normalised
   exactly as the build normalises it (:func:`provenance.anchoring.normalise`), the query
   is aligned in it with ``fuzz.partial_ratio_alignment``, the alignment is widened or
   narrowed to whole words (whichever is more similar) and mapped back to the stored text
   (``NormalisedText.span``). The query as typed, wherever it occurs verbatim, is refined
   too, so an exact match is never missed by the ranking.
4. **Score**: 100 when the passage normalises to the query, i.e. the build would anchor
   the query itself there; otherwise ``fuzz.ratio`` of the two normalised (and folded)
   strings, at most 99.9, so that only an exact match shows 100. The best passages that
   do not overlap are returned, best first, then in the order of the text.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from rapidfuzz import fuzz, process

from .anchoring import EQUIVALENTS, normalise
from .errors import LocateError
from .ingest import source_entries

__all__ = ["LocateError", "Passage", "TextIndex", "find_passages", "load_source_text", "one_line", "MIN_SIMILARITY"]

MIN_SIMILARITY = 50.0  # below this a passage does not resemble the words asked for
_WHITE = re.compile(r"(\s+)")
# Typographic quotes and dashes made plain, the same table the anchoring uses, so that the
# ranking sees them as the build will. One character for one: offsets stay valid.
_FOLD = tuple(EQUIVALENTS.items())
_TOKEN = re.compile(r"\S+")  # a word with the punctuation around it ...
_CORE = re.compile(r"\w(?:.*\w)?")  # ... and without it
_LINE_HYPHEN = re.compile(r"(?<=[^\W\d_])-[^\S\n]*\n\s*(?=[^\W\d_])")


@dataclass(frozen=True)
class Passage:
    """An exact passage of the stored text, cut at word boundaries."""

    start: int  # offset of its first character (code points into the stored text)
    end: int  # offset just past its last character
    line: int  # the line it starts on, counting from 1
    similarity: float  # 0-100, to one decimal; 100 only when it is the query after normalisation
    exact: str  # the passage exactly as it stands in the text, white space included
    one_line: str  # the same words on one line, which anchors to the same place
    occurrences: int  # how often the exact passage occurs in the text
    occurrence: int  # which of them this one is (give `occurrence:` when occurrences > 1)


def _fold(text: str) -> str:
    """Lower case, plain quotes and dashes, when that keeps one character for one."""
    folded = text
    if not text.isascii():
        # str.replace per character present is some 50 times faster than str.translate here
        for typographic, plain in _FOLD:
            if typographic in folded:
                folded = folded.replace(typographic, plain)
    lowered = folded.lower()
    return lowered if len(lowered) == len(folded) else folded


def one_line(passage: str) -> str:
    """The passage on one line: words hyphenated across a line joined, white space single.

    It normalises to the same string as the passage (see :mod:`provenance.anchoring`), so
    pasted as a quote it anchors to the same place.
    """
    return " ".join(_LINE_HYPHEN.sub(_join, passage).split())


def _join(match: re.Match) -> str:
    """Drop a line-end hyphen and the break where the anchoring joins the halves of a word.

    It joins them only before a lower-case letter ("sor-\ntie"); before a capital
    ("Sino-\nSoviet") the hyphen and the break stay (and the break becomes a space).
    """
    following = match.string[match.end() : match.end() + 1]
    return "" if following.islower() else match.group(0)


class TextIndex:
    """A text split into words with their offsets, prepared once for any number of queries.

    ``folded`` is the text folded for comparison (see :func:`_fold`) with line breaks and
    tabs made spaces: the same length, so a window of words is one slice of it.
    """

    def __init__(self, text: str):
        self.text = text
        folded = _fold(text)
        for white in "\n\t\r\f\v":
            if white in folded:
                folded = folded.replace(white, " ")
        self.folded = folded
        parts = _WHITE.split(folded)
        offsets = list(accumulate(map(len, parts), initial=0))
        count = len(parts) // 2 + 1  # parts alternate word, white space, word ...
        starts, ends = offsets[0::2][:count], offsets[1::2]
        first = 1 if not parts[0] else 0  # the text begins with white space
        last = count - 1 if count > first and not parts[-1] else count  # ... or ends with it
        self.starts: list[int] = starts[first:last]
        self.ends: list[int] = ends[first:last]

    def __len__(self) -> int:
        """The number of words."""
        return len(self.starts)

    def windows(self, size: int, step: int = 1) -> list[str]:
        """The runs of ``size`` words starting at every ``step``-th word (the whole text if shorter).

        Window ``k`` starts at word ``k * step``.
        """
        count = len(self.starts)
        if count <= size:
            return [self.folded[self.starts[0] : self.ends[-1]]] if count else []
        folded = self.folded
        return [folded[a:b] for a, b in zip(self.starts[0 : count - size + 1 : step], self.ends[size - 1 :: step], strict=True)]

    def word_at(self, offset: int) -> int:
        """The index of the word at or before ``offset``."""
        return max(0, min(bisect.bisect_right(self.starts, offset) - 1, len(self.starts) - 1))


def find_passages(text: str | TextIndex, query: str, limit: int = 5, min_similarity: float = MIN_SIMILARITY) -> list[Passage]:
    """The ``limit`` passages of ``text`` most like ``query``, best first, none overlapping."""
    wanted = normalise(query).text
    if not wanted:
        raise LocateError("give some words to look for")
    if limit < 1:
        return []
    index = text if isinstance(text, TextIndex) else TextIndex(text)
    folded = _fold(wanted)
    size = len(wanted.split())
    if not len(index):
        return []

    # 2. rank windows; keep the best ones that overlap no better one by half or more. Windows
    # start every quarter of the query's length: the best one is then at most an eighth of
    # it off the passage, still well above unrelated text, and the refinement finds the
    # exact place.
    wanted_candidates = 2 * limit + 3
    apart = (size + 1) // 2
    step = max(1, size // 4)
    windows = index.windows(size, step)
    pool = max(200, wanted_candidates * (size // step + 1) * 2)
    ranked = process.extract(folded, windows, scorer=fuzz.ratio, limit=pool, score_cutoff=min_similarity * 0.8)
    picked: list[int] = []
    for _, _, k in ranked:
        i = k * step
        if all(abs(i - j) >= apart for j in picked):
            picked.append(i)
            if len(picked) == wanted_candidates:
                break
    # the query as typed, wherever it occurs verbatim, is always a candidate
    stripped = query.strip()
    at = index.text.find(stripped) if stripped else -1
    while at != -1 and len(picked) < wanted_candidates + limit:
        picked.append(index.word_at(at))
        at = index.text.find(stripped, at + 1)

    # 3. refine each candidate on the normalised text around it; 4. keep the best that do not overlap
    found: dict[tuple[int, int], float] = {}
    for i in picked:
        refined = _refine(index, i, size, wanted, folded)
        if refined is not None and refined[0] >= min_similarity:
            found.setdefault(refined[1:], refined[0])
    kept: list[tuple[float, int, int]] = []
    for (start, end), score in sorted(found.items(), key=lambda item: (-item[1], item[0])):
        if all(end <= s or start >= e for _, s, e in kept):
            kept.append((score, start, end))
            if len(kept) == limit:
                break
    return [_passage(index.text, score, start, end) for score, start, end in kept]


def _passage(text: str, score: float, start: int, end: int) -> Passage:
    """The passage as shown: line, occurrences and one-line form (computed for the few kept only)."""
    exact = text[start:end]
    occurrences, occurrence = _occurrences(text, exact, start)
    line = text.count("\n", 0, start) + 1
    return Passage(start, end, line, round(score, 1), exact, one_line(exact), occurrences, occurrence)


def _refine(index: TextIndex, first_word: int, size: int, wanted: str, folded: str) -> tuple[float, int, int] | None:
    """The similarity, start and end of the best word-bounded passage near window ``first_word``."""
    text = index.text
    # The window is at most half a step (an eighth of the query) off the passage, and the
    # passage may have a few words more or fewer than the query; a wider margin would let
    # a better passage next door capture a candidate of its own.
    pad = max(3, size // 3)
    low = max(0, first_word - pad)
    high = min(len(index), first_word + size + pad)
    region_start = index.starts[low]
    region = normalise(text[region_start : index.ends[high - 1]])
    norm = region.text
    if not norm:
        return None
    alignment = fuzz.partial_ratio_alignment(folded, _fold(norm))
    if alignment is None or alignment.dest_end <= alignment.dest_start:
        return None

    # The alignment has the query's length and may cut words at either end. Move each end
    # to word boundaries of the normalised text (where a word hyphenated across a line is
    # one word) while that makes the passage more like the query: "over" may become "over
    # the Yalu" when the query said "over Yalu".
    first, last = _trim(norm, alignment.dest_start, alignment.dest_end)
    if last <= first:
        return None
    starts, ends = _boundaries(norm)
    i = max(bisect.bisect_right(starts, first) - 1, 0)  # the start of the word cut, or of the first word
    j = min(bisect.bisect_left(ends, last), len(ends) - 1)  # the end of the word cut, or of the last word

    def score(a: int, b: int) -> float:
        """How like the query the passage from starts[a] to ends[b] is (-1: empty)."""
        if starts[a] >= ends[b]:
            return -1.0
        passage = norm[starts[a] : ends[b]]
        return 100.0 if passage == wanted else fuzz.ratio(folded, _fold(passage))

    # Each end moves by a few boundaries (about as many words) at most: the query's length is
    # about right, and an Indel ratio below some 70 improves by taking in almost any words,
    # running into the next passage.
    reach = pad
    i_range = range(max(0, i - reach), min(len(starts), i + reach + 1))
    j_range = range(max(0, j - reach), min(len(ends), j + reach + 1))
    # Coordinate search: the best end for this start, then the best start for that end, and
    # again; a single word at a time would stop at "over the" (worse than "over"), short
    # of "over the Yalu" (better).
    best = score(i, j)
    for _ in range(2):
        if best == 100.0:
            break
        best, j = max((score(i, b), b) for b in j_range)
        best, i = max((score(a, j), a) for a in i_range)
    if best < 0:
        return None
    start, end = region.span(starts[i], ends[j])
    start += region_start
    end += region_start
    return similarity(wanted, text[start:end], folded), start, end


def _boundaries(norm: str) -> tuple[list[int], list[int]]:
    """Where a passage may start and end: at a word, with or without the punctuation around it.

    Never inside a word, and "U.S." or "anti-aircraft" count as one word.
    """
    starts: set[int] = set()
    ends: set[int] = set()
    for token in _TOKEN.finditer(norm):
        starts.add(token.start())
        ends.add(token.end())
        core = _CORE.search(token.group())
        if core is not None:
            starts.add(token.start() + core.start())
            ends.add(token.start() + core.end())
    return sorted(starts), sorted(ends)


def _trim(norm: str, first: int, last: int) -> tuple[int, int]:
    """Drop white space, and punctuation standing alone (": the", "two *"), from both ends."""
    while first < last and (norm[first] == " " or (not norm[first].isalnum() and norm[first + 1 : first + 2] in (" ", ""))):
        first += 1
    while last > first and (norm[last - 1] == " " or (not norm[last - 1].isalnum() and norm[last - 2 : last - 1] in (" ", ""))):
        last -= 1
    return first, last


def similarity(wanted: str, passage: str, folded: str | None = None) -> float:
    """100 when ``passage`` normalises to ``wanted`` (already normalised), else at most 99.9.

    The build anchors a quote found after normalisation, with or without a line-end hyphen
    kept ("anti-aircraft" for "anti-\\naircraft"), so either form counts as exact.
    """
    plain = normalise(passage).text
    if plain == wanted:
        return 100.0
    if "\n" in passage and normalise(passage, keep_line_hyphens=True).text == wanted:
        return 100.0
    return min(99.9, fuzz.ratio(folded if folded is not None else _fold(wanted), _fold(plain)))


def _occurrences(text: str, passage: str, start: int) -> tuple[int, int]:
    """How many times ``passage`` occurs verbatim, and which of them starts at ``start``."""
    count = 0
    which = 0
    at = text.find(passage)
    while at != -1:
        count += 1
        if at == start:
            which = count
        at = text.find(passage, at + 1)
    return count, which or 1


# -- a source's text ------------------------------------------------------------------------


def load_source_text(seeds_dir: Path, source_id: str) -> tuple[str, str]:
    """The path (as written in the source's record) and the content of a source's text.

    Only ``sources/`` is read, not validated with the rest of the seeds: locating passages
    is what a curator does while writing claims, when the seeds may not check yet.
    """
    if not seeds_dir.is_dir():
        raise LocateError(f"the seeds folder {seeds_dir} does not exist")
    entries, unreadable = source_entries(seeds_dir)
    matching = [e for e in entries if e.id == source_id]
    if not matching:
        close = difflib.get_close_matches(source_id, sorted({e.id for e in entries}), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        also = f"; {len(unreadable)} source file(s) could not be read: run provenance check" if unreadable else ""
        raise LocateError(f"unknown source {source_id!r} in {seeds_dir / 'sources'}{hint}{also}")
    entry = matching[0]
    where = f"{seeds_dir / entry.file}:{entry.line}"
    if entry.text is None:
        with_text = sorted(e.id for e in entries if e.text)
        listed = ", ".join(with_text[:10]) + (", ..." if len(with_text) > 10 else "")
        raise LocateError(
            f"source {source_id!r} has no text ({where} has no text: field; it is only cited)"
            + (f"; sources with text: {listed}" if with_text else "")
        )
    root = seeds_dir.resolve()
    path = (seeds_dir / entry.text).resolve()
    if not path.is_relative_to(root):
        raise LocateError(f"{where}: text {entry.text!r} is outside the seeds folder")
    if not path.is_file():
        raise LocateError(f"{where}: text file {entry.text!r} not found")
    raw = path.read_bytes()
    try:
        return entry.text, raw.decode("utf-8")
    except UnicodeDecodeError as ex:
        raise LocateError(f"{entry.text} is not UTF-8 (byte offset {ex.start}); convert it to UTF-8") from ex
