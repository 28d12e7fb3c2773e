"""Suggestions: pairs of passages that may disagree, found from the texts themselves, scored
and explained for a curator to accept or dismiss (DESIGN.md, "Suggestion").

A pair is a candidate when its two passages name the same entities (through every alias):
one entity that few passages name, or two together. Candidates are found through an index
of those keys, each capped, so the cost grows with the corpus and not with its square.
A candidate becomes a suggestion when it carries a sign of disagreement and a sign that
both passages speak of the same thing:

* ``date``: each states a date, as EDTF intervals, that cannot overlap;
* ``number``: each counts the same noun, and the counts cannot both be right;
* ``cue``: one assents where the other denies ("agreed" / "refused", "ready" / "not ready");
* ``hedge``: one reports as fact what the other hedges ("obviously an excuse");
* ``same-document``: both rest on one cited document (their footnotes cite it): a version
  or translation disagreement when they differ (a sign of "the same thing", never alone);
* ``similarity``: TF-IDF cosine of the two passages (scikit-learn): the same event told
  twice scores high, a different event on a different date low.

Pairs that a contradiction already covers are left out. A suggestion's id is a digest of
its two passages' sources and words, so a review keeps pointing at the same pair when
other text moves.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

from ...dates import edtf_interval
from .text import EntityMatcher, Passage, TextDate, TextNumber, cues, passages, text_dates, text_numbers

__all__ = ["Reading", "Suggestion", "read_texts", "suggest", "suggestion_id"]

_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


@dataclass(frozen=True)
class Reading:
    """A passage with what it says that can be compared."""

    passage: Passage
    entities: frozenset[str]
    dates: tuple[TextDate, ...]
    numbers: tuple[TextNumber, ...]
    cues: frozenset[str]
    documents: frozenset[str]  # the works its footnotes cite


@dataclass(frozen=True)
class Suggestion:
    id: str
    a: Reading
    b: Reading
    score: float
    similarity: float
    signals: tuple[tuple[str, str], ...]  # (signal, what it found)
    entities: tuple[str, ...]  # shared

    @property
    def explanation(self) -> str:
        return "; ".join(detail for _, detail in self.signals)


def suggestion_id(a: Passage, b: Passage) -> str:
    """Stable across builds: from the two passages' sources and words, in either order."""
    keys = sorted(f"{p.source}\n{' '.join(p.text.split())}" for p in (a, b))
    return "suggestion-" + hashlib.sha1("\n\n".join(keys).encode()).hexdigest()[:12]


def read_texts(
    texts: Iterable[tuple[str, str]], matcher: EntityMatcher, notes: Mapping[tuple[str, int], frozenset[str]]
) -> list[Reading]:
    """Every passage of ``texts`` ((source id, text) pairs) that names an entity, read.
    ``notes`` maps (source, footnote) to the works the note cites."""
    readings = []
    for source, text in texts:
        year: int | None = None
        for passage in passages(source, text):
            entities = matcher.find(passage.text)
            dates = tuple(text_dates(passage.text, year))
            for found in _YEAR.findall(passage.text):
                year = int(found)  # the last year named carries to the next passage
            for d in dates:
                year = int(d.edtf[:4])
            if not entities:
                continue
            documents = frozenset().union(*(notes.get((source, n), frozenset()) for n in passage.footnotes))
            readings.append(Reading(passage, entities, dates, tuple(text_numbers(passage.text)), cues(passage.text), documents))
    return readings


@dataclass
class _Index:
    """Candidate pairs through keys (an entity, or two together), each key capped."""

    cap: int
    keys: dict[tuple[str, ...], list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, i: int, entities: frozenset[str], rare: frozenset[str]) -> None:
        for entity in entities & rare:
            self.keys[(entity,)].append(i)
        for pair in combinations(sorted(entities), 2):
            self.keys[pair].append(i)

    def pairs(self) -> set[tuple[int, int]]:
        found: set[tuple[int, int]] = set()
        for members in self.keys.values():
            if 1 < len(members) <= self.cap:
                found.update(combinations(members, 2))
        return found


def suggest(
    readings: list[Reading],
    covered: Mapping[tuple[str, int, int], set[tuple[str, int, int]]] | None = None,
    *,
    cap: int = 150,
    same_event: float = 0.25,
) -> list[Suggestion]:
    """The suggestions among ``readings``, best first.

    ``covered`` maps a quoted passage (source, start, end) to the passages a contradiction
    already sets against it. ``cap`` bounds each key's passages; ``same_event`` is the
    similarity from which two passages are taken to tell the same thing (a shared cited
    document lowers it to half).
    """
    if len(readings) < 2:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(r.passage.text for r in readings).tocsr()
    frequency: dict[str, int] = defaultdict(int)
    for r in readings:
        for e in r.entities:
            frequency[e] += 1
    rare = frozenset(e for e, n in frequency.items() if n <= cap)
    index = _Index(cap)
    for i, r in enumerate(readings):
        index.add(i, r.entities, rare)
    quoted = _quoted(readings, covered or {})
    candidates = sorted(index.pairs())
    if not candidates:
        return []
    left, right = zip(*candidates, strict=True)
    similarities = vectors[list(left)].multiply(vectors[list(right)]).sum(axis=1).A1  # cosine: the rows are unit vectors
    out = []
    for (i, j), similarity in zip(candidates, similarities, strict=True):
        a, b = readings[i], readings[j]
        same_source = a.passage.source == b.passage.source
        if same_source and abs(a.passage.start - b.passage.start) < 1500:
            continue  # neighbouring sentences of one text tell one story
        found = _signals(a, b)
        same_document = any(kind == "same-document" for kind, _ in found)
        # how alike two passages must be to tell the same event: less when they cite one
        # document, more when one author is set against himself
        needed = same_event * (0.6 if same_document else 1.8 if same_source else 1.0)
        dated_apart = any(kind == "date" for kind, _ in found)
        kept = [
            (kind, detail)
            for kind, detail in found
            if kind in ("same-document", "hedge")
            or (kind == "date" and similarity >= needed * 1.2)
            or (kind == "number" and similarity >= needed)
            or (kind == "cue" and similarity >= needed and not dated_apart)  # at different times, minds change
        ]
        disagreeing = [kind for kind, _ in kept if kind in ("date", "number", "cue")]
        if not disagreeing or quoted[i] & quoted[j]:
            continue  # no disagreement; or a contradiction already sets these passages against each other
        hedged = any(kind == "hedge" for kind, _ in kept)
        score = similarity + 0.3 * len(disagreeing) + (0.3 if same_document else 0.0) + (0.1 if hedged else 0.0)
        first, second = sorted((a, b), key=lambda r: (r.passage.source, r.passage.start))
        shared = tuple(sorted(a.entities & b.entities))
        out.append(
            Suggestion(
                suggestion_id(a.passage, b.passage),
                first,
                second,
                round(score, 4),
                round(float(similarity), 4),
                tuple(kept),
                shared,
            )
        )
    return sorted(out, key=lambda s: (-s.score, s.id))


def _quoted(readings: list[Reading], covered: Mapping[tuple[str, int, int], set[tuple[str, int, int]]]) -> list[set[frozenset]]:
    """For each reading, the pairs of quotes a contradiction sets against each other of
    which it overlaps one: two readings that share such a pair are already covered."""
    by_source: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for key in covered:
        by_source[key[0]].append(key)
    out = []
    for r in readings:
        p = r.passage
        mine = [k for k in by_source.get(p.source, ()) if k[1] < p.end and p.start < k[2]]
        out.append({frozenset((key, other)) for key in mine for other in covered[key]})
    return out


def _signals(a: Reading, b: Reading) -> list[tuple[str, str]]:
    found = []
    date = _dates_differ(a.dates, b.dates)
    if date:
        found.append(("date", date))
    number = _numbers_differ(a.numbers, b.numbers)
    if number:
        found.append(("number", number))
    for name in sorted({c[:-1] for c in a.cues | b.cues if c != "hedge"}):
        if (
            {f"{name}+", f"{name}-"} <= (a.cues | b.cues)
            and not {f"{name}+", f"{name}-"} <= a.cues
            and not {f"{name}+", f"{name}-"} <= b.cues
        ):
            yes, no = (a, b) if f"{name}+" in a.cues else (b, a)
            found.append(("cue", f"{name}: {yes.passage.source} affirms, {no.passage.source} denies"))
    if ("hedge" in a.cues) != ("hedge" in b.cues):
        hedged = a if "hedge" in a.cues else b
        found.append(("hedge", f"{hedged.passage.source} hedges what the other states"))
    documents = a.documents & b.documents
    if documents and a.passage.source != b.passage.source:
        found.append(("same-document", "both rest on " + ", ".join(sorted(documents))))
    return found


def _dates_differ(a: tuple[TextDate, ...], b: tuple[TextDate, ...]) -> str | None:
    """The first date of each passage (what it is dated by), when they cannot be one day.
    A year the passage does not state is taken from the other date, so "1 November" and
    "November 1, 1950" are the same day whatever year the text before them named."""
    if not a or not b:
        return None
    x, y = a[0], b[0]
    ex, ey = x.edtf, y.edtf
    if x.year_stated and not y.year_stated:
        ey = _with_year(ey, ex[:4])
    elif y.year_stated and not x.year_stated:
        ex = _with_year(ex, ey[:4])
    elif not x.year_stated and not y.year_stated:
        ey = _with_year(ey, ex[:4])
    try:
        lo_x, hi_x = edtf_interval(ex)
        lo_y, hi_y = edtf_interval(ey)
    except ValueError:
        return None  # 29 February moved to a year without it
    if lo_x <= hi_y and lo_y <= hi_x:
        return None
    return f"“{x.words}” ({ex}) against “{y.words}” ({ey})"


def _with_year(edtf: str, year: str) -> str:
    return "/".join(year + part[4:] for part in edtf.split("/"))


def _numbers_differ(a: tuple[TextNumber, ...], b: tuple[TextNumber, ...]) -> str | None:
    units_b = {n.unit: n for n in b}
    for n in a:
        other = units_b.get(n.unit)
        if other is None:
            continue
        if n.low <= other.high and other.low <= n.high:
            return None  # they agree on this noun
        return f"“{n.words}” against “{other.words}”"
    return None
