"""What a sentence of a source says that can be compared: the passages of a text, and in
each the entities it names, the dates and numbers it states, and its cues of assent or
denial. Pure functions over strings; no model, nothing fetched.

* :func:`passages` cuts a text into sentences with their offsets and the footnote markers
  (superscript digits) that end them; footnote bodies are left out.
* :class:`EntityMatcher` finds every alias of every entity (an Aho-Corasick automaton from
  pyahocorasick, matched on whole words, case-insensitively).
* :func:`text_dates` reads dates in prose as EDTF: "1 November 1950", "November 1st",
  "October 1950", "early October", "mid-October", "around October 15", and relative ones
  ("the next day", "12 days later") from the date before them; a year left out is taken
  from the last year the text named.
* :func:`text_numbers` reads counts in digits or words ("1,500", "two", "five or six",
  "about 120") with the noun they count.
* :func:`cues` finds assent and denial ("agreed" against "refused", "ready" against
  "not ready", "eager" against "reluctant") and hedges ("obviously an excuse").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ahocorasick

__all__ = [
    "Passage",
    "passages",
    "EntityMatcher",
    "TextDate",
    "text_dates",
    "TextNumber",
    "text_numbers",
    "cues",
    "OPPOSITES",
]

_SUPERSCRIPT = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
_DIGIT_OF = {c: str(i) for i, c in enumerate(_SUPERSCRIPT)}
# A sentence ends at . ! ? (and any closing quote, bracket or footnote marker after it) before
# white space and a capital, a digit or an opening quote; common abbreviations do not end one.
_END = re.compile(rf"[.!?][\"'”’)\]]*[{_SUPERSCRIPT}]*(?=\s+[\"“‘(\[]?[A-Z0-9{_SUPERSCRIPT}])")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:[A-Z]|Mr|Mrs|Dr|Gen|Lt|Col|Maj|Capt|No|Nos|Vol|vol|pp?|ed|eds|St|Jr|Sr|cf|vs|etc|U\.S|U\.N)\.)$"
)
_MARKERS = re.compile(rf"[{_SUPERSCRIPT}]+")


@dataclass(frozen=True)
class Passage:
    """A sentence of a source's text."""

    source: str
    start: int
    end: int
    text: str
    footnotes: tuple[int, ...] = ()  # the notes whose markers stand in or after it


def passages(source: str, text: str, *, shortest: int = 40, longest: int = 1200) -> Iterator[Passage]:
    """The sentences of ``text`` worth comparing: not footnote bodies (a line that opens
    with a marker), not headings or fragments shorter than ``shortest`` characters; a run
    longer than ``longest`` without a sentence end is cut at it."""
    for paragraph in re.finditer(r"[^\n]+", text):
        body = paragraph.group()
        if not body.strip() or body.lstrip()[:1] in _SUPERSCRIPT:
            continue  # a footnote's own text
        offset = paragraph.start()
        begin = 0
        for end in _sentence_ends(body):
            yield from _passage(source, body, offset, begin, end, shortest, longest)
            begin = end
        yield from _passage(source, body, offset, begin, len(body), shortest, longest)


def _sentence_ends(body: str) -> Iterator[int]:
    for match in _END.finditer(body):
        if _ABBREVIATIONS.search(body[max(0, match.start() - 6) : match.start() + 1]):
            continue
        yield match.end()


def _passage(source: str, body: str, offset: int, begin: int, end: int, shortest: int, longest: int) -> Iterator[Passage]:
    while body[begin:end][:1].isspace():
        begin += 1
    if end - begin < shortest:
        return
    for cut in range(begin, end, longest):
        piece = body[cut : min(end, cut + longest)].rstrip()
        notes = tuple(int("".join(_DIGIT_OF[c] for c in m.group())) for m in _MARKERS.finditer(piece))
        yield Passage(source, offset + cut, offset + cut + len(piece), piece, notes)


class EntityMatcher:
    """Every name of every entity, found on word boundaries, case-insensitively."""

    def __init__(self, names: Iterable[tuple[str, str]], *, shortest: int = 3):
        """``names``: (entity id, name) pairs; names shorter than ``shortest`` are skipped
        (two-letter aliases match too much prose)."""
        self.automaton = ahocorasick.Automaton()
        entities: dict[str, set[str]] = {}
        for entity, name in names:
            key = " ".join(name.casefold().split())
            if len(key) >= shortest:
                entities.setdefault(key, set()).add(entity)
        for key, ids in entities.items():
            self.automaton.add_word(key, (len(key), frozenset(ids)))
        self.empty = not entities
        if not self.empty:
            self.automaton.make_automaton()

    def find(self, text: str) -> frozenset[str]:
        """The entities named in ``text``."""
        if self.empty:
            return frozenset()
        folded = " ".join(text.casefold().split())
        found: set[str] = set()
        for end, (length, ids) in self.automaton.iter(folded):
            start = end - length + 1
            before = folded[start - 1] if start else " "
            after = folded[end + 1] if end + 1 < len(folded) else " "
            if not before.isalnum() and not (after.isalnum() and after != "s"):  # "Soviets" names the Soviets
                found |= ids
        return frozenset(found)


_MONTHS = {name.casefold(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.casefold(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?(?![\d,]\d)"
_YEAR = r"(1[5-9]\d\d|20\d\d)"
_DATE = re.compile(
    rf"\b(?:(?P<part>early|mid|late|the end of|the beginning of|around|about|circa)[\s-]+)?"
    rf"(?:{_DAY}\s+{_MONTH}(?:,?\s+{_YEAR})?|{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?|{_MONTH}\s+{_YEAR}|{_MONTH}(?![\w-]))",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"\b(?:(?P<n>\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty|thirty)"
    r"\s+days?\s+(?P<dir>later|after(?:wards)?|before|earlier)|the (?P<next>next|following|previous) (?:day|morning|evening|night))\b",
    re.IGNORECASE,
)
_YEAR_ALONE = re.compile(rf"\b{_YEAR}\b")


@dataclass(frozen=True)
class TextDate:
    """A date stated in prose, as EDTF, with the words that state it."""

    edtf: str
    words: str
    start: int  # offset in the passage
    year_stated: bool = True  # False: the year was taken from the text before it


def text_dates(text: str, year: int | None = None) -> list[TextDate]:
    """The dates ``text`` states, as EDTF; ``year`` is the year the text last named before
    it, for dates that leave it out (a date without any year is not read)."""
    found: list[TextDate] = []
    last: tuple[dt.date, bool] | None = None  # the last day stated (and whether with its year), for "the next day"
    events = sorted(
        [(m.start(), "date", m) for m in _DATE.finditer(text)]
        + [(m.start(), "relative", m) for m in _RELATIVE.finditer(text)]
        + [(m.start(), "year", m) for m in _YEAR_ALONE.finditer(text)],
        key=lambda e: e[0],
    )
    for start, kind, m in events:
        if kind == "year":
            if not any(d.start <= start < d.start + len(d.words) for d in found):
                year = int(m.group(1))
            continue
        if kind == "relative":
            if last is None:
                continue
            n = m.group("n")
            days = (1 if m.group("next") != "previous" else -1) if m.group("next") else _count(n)
            if m.group("dir") and m.group("dir").casefold() in ("before", "earlier"):
                days = -days
            try:
                counted = last[0] + dt.timedelta(days=days)
            except OverflowError:
                continue
            found.append(TextDate(counted.isoformat(), m.group(), start, last[1]))
            continue
        d1, m1, y1, m2, d2, y2, m3, y3, m4 = m.groups()[1:]
        month_name = m1 or m2 or m3 or m4
        month = _MONTHS.get(
            month_name.casefold().rstrip(".")[:4]
            if month_name.casefold().startswith("sept")
            else month_name.casefold().rstrip(".")
        )
        if month is None:
            continue
        if m4 and not m.group("part"):
            continue  # a bare month name ("May", "March") is too often a verb or a name
        stated = bool(y1 or y2 or y3)
        y = int(y1 or y2 or y3) if stated else year
        if y is None:
            continue
        year = y
        day = int(d1 or d2) if (d1 or d2) else None
        edtf = _edtf(y, month, day, (m.group("part") or "").casefold())
        if edtf is None:
            continue
        found.append(TextDate(edtf, m.group(), start, stated))
        if day is not None and "~" not in edtf:
            last = (dt.date(y, month, day), stated)
    return found


def _edtf(year: int, month: int, day: int | None, part: str) -> str | None:
    last_day = calendar.monthrange(year, month)[1]
    if day is not None:
        if not 1 <= day <= last_day:
            return None
        value = f"{year:04d}-{month:02d}-{day:02d}"
        return value + "~" if part in ("around", "about", "circa") else value
    span = {"early": (1, 10), "the beginning of": (1, 10), "mid": (11, 20), "late": (21, last_day), "the end of": (21, last_day)}
    if part in span:
        lo, hi = span[part]
        return f"{year:04d}-{month:02d}-{lo:02d}/{year:04d}-{month:02d}-{hi:02d}"
    value = f"{year:04d}-{month:02d}"
    return value + "~" if part in ("around", "about", "circa") else value


_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
}
_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "hundred": 100, "a dozen": 12, "dozens": 24})


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _WORDS[word.casefold()]


@dataclass(frozen=True)
class TextNumber:
    """A count stated in prose: its least and greatest value and the noun it counts."""

    low: float
    high: float
    unit: str
    words: str


_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + ")"
_COUNT = re.compile(
    rf"\b(?P<approx>about|around|approximately|nearly|almost|some|over|more than|at least)?\s*"
    rf"(?P<a>{_NUMBER})(?:\s*(?:or|to|-|–)\s*(?P<b>{_NUMBER}))?\s+(?:(?:[a-z]+-)?[a-z]+\s+)?(?P<unit>[a-z]{{3,}})\b",
    re.IGNORECASE,
)
_NOT_UNITS = frozenset(
    "days day years year months month weeks week hours percent times of and the in on at to from with pm am".split()
)


def text_numbers(text: str) -> list[TextNumber]:
    """The counts ``text`` states, with the noun after them ("two aircraft", "five or six
    divisions", "1,500 maps"); years, dates and page numbers are not counts."""
    found = []
    dates = [(m.start(), m.end()) for m in _DATE.finditer(text)] + [(m.start(), m.end()) for m in _YEAR_ALONE.finditer(text)]
    for m in _COUNT.finditer(text):
        if any(lo <= m.start("a") < hi for lo, hi in dates):
            continue
        unit = m.group("unit").casefold()
        between = m.group()[m.end("b" if m.group("b") else "a") - m.start() : m.start("unit") - m.start()].split()
        if unit in _NOT_UNITS or unit in _MONTHS or any(w.casefold() in _NOT_UNITS for w in between):
            continue
        unit = unit[:-1] if unit.endswith("s") and not unit.endswith("ss") else unit
        low = _value(m.group("a"))
        high = _value(m.group("b")) if m.group("b") else low
        if low is None or high is None:
            continue
        if m.group("approx"):
            approx = m.group("approx").casefold()
            if approx in ("over", "more than", "at least"):
                high = float("inf")
            else:
                low, high = low * 0.9, high * 1.1
        found.append(TextNumber(min(low, high), max(low, high), unit, m.group().strip()))
    return found


def _value(word: str) -> float | None:
    word = word.replace(",", "")
    try:
        return float(word)
    except ValueError:
        return float(_WORDS[word.casefold()]) if word.casefold() in _WORDS else None


# Cues of assent and denial. Each kind has words that affirm and words that deny; a
# negation up to three words before a word turns it ("would not be ready", "did not refuse").
OPPOSITES: dict[str, tuple[str, str]] = {
    "consent": (
        "agree agreed agrees accept accepted approve approved allow allowed permit permitted consent consented promise promised",
        "refuse refused refuses refusal reject rejected decline declined deny denied forbid forbade",
    ),
    "readiness": ("ready prepared willing eager keen", "unready unwilling reluctant hesitant hesitated demurred"),
    "outcome": ("succeeded success saved won destroyed", "failed failure lost"),
    "sending": ("send sent sending dispatch dispatched", ""),
}
_NEGATORS = frozenset("not never no n't without neither nor cannot delay delayed suspend suspended postpone postponed".split())
_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?", re.IGNORECASE)
_CUE_WORDS = {
    word: (name, sign)
    for name, (yes, no) in OPPOSITES.items()
    for sign, words in (("+", yes), ("-", no))
    for word in words.split()
}
_HEDGES = re.compile(
    r"\b(?:obviously|allegedly|reportedly|supposedly|ostensibly|an excuse|it is said|rumou?red|claimed that)\b", re.IGNORECASE
)


def cues(text: str) -> frozenset[str]:
    """The cues in ``text``: "consent+" / "consent-", "readiness+" / ... and "hedge".

    A kind is affirmed or denied by its words, each turned by a negation up to three words
    before it; a passage that both affirms and denies one kind gives neither.
    """
    words = [w.casefold() for w in _WORD.findall(text)]
    signs: dict[str, set[str]] = {}
    for i, word in enumerate(words):
        cue = _CUE_WORDS.get(word)
        if cue is None:
            continue
        name, sign = cue
        if any(w in _NEGATORS or w.endswith(("n't", "n’t")) for w in words[max(0, i - 3) : i]):
            sign = "-" if sign == "+" else "+"
        signs.setdefault(name, set()).add(sign)
    found = {name + next(iter(s)) for name, s in signs.items() if len(s) == 1}
    if _HEDGES.search(text):
        found.add("hedge")
    return frozenset(found)
