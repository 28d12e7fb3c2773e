#!/usr/bin/env python3
"""Generate a synthetic provenance corpus for the benchmarks: deterministic for a seed.

The corpus looks like a curated one, scaled up:

* **Sources.** A few primary "telegrams" (cited only, no text) that most footnotes end up
  citing; works cited only (books, articles), each deriving from a telegram or another work
  (quotes, summarises, translates), with a few version-of loops (A version-of B, B
  version-of A; and one three-way loop); and sources held as text (theses, chapters,
  reports), which the evidence quotes.
* **Texts.** Word-like text (a fixed vocabulary of made-up words plus some real ones) of
  5-500 KB (log-uniform), wrapped in OCR-style lines of 60-78 characters, with words
  hyphenated across line breaks ("sor-\\ntie"), typographic quotes and apostrophes, em
  dashes, superscript footnote markers and paragraph breaks. Holding a distinct text for
  every source would make 10 000 sources about 1 GB; instead a **pool** of distinct texts
  (``--text-pool``, 200 by default) is shared: text source *i* holds pool text *i mod P*.
  Only about one source in ten holds text (``--text-sources``), as in the bundled corpus.
* **Citations.** Footnotes of the text sources (one per citation id, numbered per source),
  half to the telegrams (Zipf-weighted: a few telegrams are cited by nearly everyone, the
  shared roots) and half to works; plus the derivation links above.
* **Entities** with aliases (unique names, so that two entities never share a name by
  accident) and **properties** (24 single-valued of every value type, 6 ``multiple``).
* **Claims**, grouped into topics of ``--claims-per-topic`` claims; each topic quotes a
  handful of text sources. Values are EDTF dates (days, months, ``~`` and ``?``), numbers
  (some with units and tolerances), entities and short texts; most claims have an event
  date. Ordinary claims never disagree: each has its own subject and property (or a
  ``multiple`` property, or none), or repeats an identical value.
* **Evidence**: ``--evidence-per-claim`` passages from distinct text sources of the topic,
  each a real span of 8-40 words of its source's text, unique in that text; a share
  (``--normalised-fraction``) is written as a curator would type it (single spaces,
  straight quotes, the hyphenated word joined), so it is found only after normalisation;
  the rest is copied verbatim (line breaks and typographic characters included). ``via``
  names 0-2 footnotes of the evidence's own source.
* **Planted contradictions** (``--contradictions``): value conflicts on dates, numbers,
  entities and texts; stance conflicts (a claim with supporting and conflicting passages);
  asserted (a curator's ``contradicts`` link); derived (a relative date that, resolved,
  disagrees). **Planted compatible pairs** (``--compatible``) that must *not* be flagged:
  a month against a day in it, numbers within a tolerance, an entity against its
  duplicate sharing a name as alias, texts differing in case, values in periods that
  cannot overlap, values of a ``multiple`` property, a claim only refuted.
* **Near misses** (``--near-misses``): quotes one letter off or missing a word, written
  to ``near-misses.jsonl`` beside the corpus (with the sources they quote), which an
  import must reject, each with its claim id.

Outputs in ``--out``: ``corpus.jsonl`` (the bulk format of ``provenance import``: one line
per record in dependency order, ``{"type": ..., "record": {...}}``, claims with a
``topic``), ``texts/`` (with ``--texts-beside``; otherwise texts travel inline as
``text_content``), ``near-misses.jsonl`` and ``manifest.json`` (counts, planted
contradictions and compatible pairs with their claim ids, near misses). With ``--format
seeds`` the same corpus is written as a seeds folder (``sources/``, ``citations/``,
``entities/``, ``properties/``, ``claims/<topic>.yaml``, ``texts/``) for ``provenance
build``. Claims are written as they are generated: memory holds the text pool, the
entity names and the footnote ids, never the claims.

    python benchmarks/generate.py --claims 10000 --out /tmp/corpus-10k --texts-beside
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import random
import shutil
import sys
import time
from array import array
from pathlib import Path

__all__ = ["generate", "scaled_defaults", "main"]

# -- vocabulary --------------------------------------------------------------------------

_CONSONANTS = "bdgklmnprstvz"
_VOWELS = "aeiou"
REAL_WORDS = (
    "the of and to in a was that on for by with as from at which were had not this their air "
    "division regiment telegram report troops river front command Soviet Chinese Korean Stalin "
    "Mao Zhou Beijing Moscow Pyongyang Andong Yalu bridge fighters aircraft sortie volunteers "
    "October November December cover decision meeting army general ministry archive document "
    "Chosŏn Malenkov operations"
).split()


def _made_up_words(rng: random.Random, count: int) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        syllables = rng.choice((1, 2, 2, 2, 3, 3, 4))
        word = "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(syllables))
        if rng.random() < 0.3:
            word += rng.choice("nrsk")
        words.add(word)
    return sorted(words)


class Vocabulary:
    """Made-up words plus real ones, drawn with Zipf-like weights."""

    def __init__(self, rng: random.Random, size: int = 3000):
        made_up = _made_up_words(rng, size)
        rng.shuffle(made_up)
        # the real function words are the most frequent, as in English
        self.words = REAL_WORDS[:20] + made_up[: size // 2] + REAL_WORDS[20:] + made_up[size // 2 :]
        self.cum = list(itertools.accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(len(self.words))))

    def word(self, rng: random.Random) -> str:
        return self.words[bisect.bisect(self.cum, rng.random() * self.cum[-1])]

    def phrase(self, rng: random.Random, n: int) -> str:
        return " ".join(self.word(rng) for _ in range(n))


GRAM = 6  # pieces of a quote checked for uniqueness in its text
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def _superscript(n: int) -> str:
    return "".join(_SUPERSCRIPTS[int(d)] for d in str(n))


# -- texts ---------------------------------------------------------------------------------


class PoolText:
    """One distinct text: as stored (OCR layout, typographic characters) and as normalised.

    ``norm`` is what :func:`provenance.anchoring.normalise` makes of ``raw`` (white space
    runs become one space, hyphenated line breaks are joined, quotes and dashes become
    ASCII, superscripts are dropped); it is built here alongside, token by token, and the
    smoke test checks it against the product's normalisation. Token *k* spans
    ``raw[rs[k]:re[k]]`` and ``norm[ns[k]:ne[k]]``.
    """

    def __init__(self, index: int, seed: int, vocab: Vocabulary, target_chars: int):
        rng = random.Random(f"{seed}-text-{index}")
        self.index = index
        raw: list[str] = []
        norm: list[str] = []
        self.rs, self.re, self.ns, self.ne = array("l"), array("l"), array("l"), array("l")
        self.splittable = array("b")  # 1 where the token is a plain lower-case word (near misses edit these)
        raw_len = norm_len = 0
        line_len = 0
        width = rng.randint(60, 78)
        lines_in_paragraph = 0
        paragraph_lines = rng.randint(5, 12)
        sentence_left = rng.randint(6, 20)
        capital = True
        footnote = 0
        while raw_len < target_chars:
            word = vocab.word(rng)
            plain = word.isalpha() and word.islower()
            if capital:
                word = word[:1].upper() + word[1:]
                capital = False
            sentence_left -= 1
            r = rng.random()
            raw_w = norm_w = word
            if r < 0.012:
                raw_w, norm_w = f"\u201c{word}\u201d", f'"{word}"'
                plain = False
            elif r < 0.018:
                raw_w, norm_w = f"{word}\u2019s", f"{word}'s"
                plain = False
            elif r < 0.024:
                raw_w, norm_w = "\u2014", "-"
                plain = False
            if sentence_left <= 0:
                raw_w += "."
                norm_w += "."
                capital = True
                sentence_left = rng.randint(6, 20)
                plain = False
                if rng.random() < 0.15:
                    footnote += 1
                    raw_w += _superscript(footnote)
            hyphenate = False
            if not raw:
                sep = ""
            elif line_len + 1 + len(raw_w) > width:
                lines_in_paragraph += 1
                if lines_in_paragraph >= paragraph_lines:
                    sep = "\n\n"
                    lines_in_paragraph = 0
                    paragraph_lines = rng.randint(5, 12)
                    line_len = 0
                elif plain and len(word) >= 6 and line_len + 5 < width and rng.random() < 0.4:
                    hyphenate = True
                    sep = " "
                else:
                    sep = "\n"
                    line_len = 0
            else:
                sep = " "
            if hyphenate:
                cut = rng.randint(3, len(word) - 3)
                raw_w = f"{word[:cut]}-\n{word[cut:]}"
                plain = False
            raw.append(sep)
            raw_len += len(sep)
            if norm:
                norm.append(" ")
                norm_len += 1
            self.rs.append(raw_len)
            self.ns.append(norm_len)
            raw.append(raw_w)
            norm.append(norm_w)
            raw_len += len(raw_w)
            norm_len += len(norm_w)
            self.re.append(raw_len)
            self.ne.append(norm_len)
            self.splittable.append(1 if plain and len(word) >= 4 else 0)
            line_len = len(word) - cut if hyphenate else line_len + len(sep.strip("\n")) + len(raw_w)
        raw.append("\n")
        self.raw = "".join(raw)
        self.norm = "".join(norm)
        self.tokens = len(self.rs)
        self.bank: list[tuple[str, str]] = []  # (verbatim quote, normalised quote), each unique in the text
        self._rng = random.Random(f"{seed}-bank-{index}")
        self._raw_repeated: set[int] | None = None
        self._norm_repeated: set[int] | None = None

    def span(self, start: int, words: int) -> tuple[str, str]:
        end = start + words - 1
        return self.raw[self.rs[start] : self.re[end]], self.norm[self.ns[start] : self.ne[end]]

    def _repeated(self, pieces: list[str]) -> set[int]:
        """Hashes of the runs of GRAM consecutive pieces that occur more than once."""
        seen: set[int] = set()
        repeated: set[int] = set()
        for i in range(len(pieces) - GRAM + 1):
            h = hash(tuple(pieces[i : i + GRAM]))
            if h in seen:
                repeated.add(h)
            else:
                seen.add(h)
        return repeated

    def _unique(self, raw_q: str, norm_q: str) -> bool:
        """True when each form of the quote occurs once in its text.

        Pieces 2 to GRAM+1 of a quote (split at white space) are whole pieces of the text
        wherever the quote occurs; if that run of pieces occurs once in the text, so does the
        quote. Hash collisions only make the test stricter.
        """
        if self._raw_repeated is None:
            self._raw_repeated = self._repeated(self.raw.split())
            self._norm_repeated = self._repeated(self.norm.split(" "))
        raw_p, norm_p = raw_q.split(), norm_q.split(" ")
        if len(raw_p) < GRAM + 2 or len(norm_p) < GRAM + 2:
            return False
        if hash(tuple(raw_p[1 : GRAM + 1])) in self._raw_repeated or hash(tuple(norm_p[1 : GRAM + 1])) in self._norm_repeated:
            return False
        # A quote whose verbatim form only adds a footnote marker at its end would be found
        # verbatim in its normalised form too: keep such quotes verbatim only.
        return not raw_q.startswith(norm_q) or raw_q == norm_q

    def quote(self, bank_size: int, rng: random.Random) -> tuple[str, str]:
        """A quote of 8-40 words unique in the text: from the bank, which grows up to bank_size."""
        if len(self.bank) < bank_size:
            while True:
                words = self._rng.randint(8, 40)
                start = self._rng.randrange(0, self.tokens - words)
                raw_q, norm_q = self.span(start, words)
                if self._unique(raw_q, norm_q):
                    self.bank.append((raw_q, norm_q))
                    return raw_q, norm_q
        return self.bank[rng.randrange(len(self.bank))]

    def near_miss(self, rng: random.Random, mode: str) -> tuple[str, str]:
        """A quote one letter off (or missing a word) of a real passage: (near miss, original)."""
        while True:
            words = rng.randint(12, 30)
            start = rng.randrange(0, self.tokens - words)
            _, original = self.span(start, words)
            tokens = original.split(" ")
            inner = [i for i in range(2, len(tokens) - 2) if self.splittable[start + i]]
            if not inner:
                continue
            i = rng.choice(inner)
            if mode == "letter":
                word = tokens[i]
                j = rng.randrange(1, len(word) - 1)
                letter = rng.choice([c for c in "bdgklmnprstvz" if c != word[j]])
                tokens[i] = word[:j] + letter + word[j + 1 :]
            else:
                del tokens[i]
            missed = " ".join(tokens)
            if self.raw.find(missed) == -1 and self.norm.find(missed) == -1 and self.norm.count(original) == 1:
                return missed, original


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


# -- the corpus ----------------------------------------------------------------------------

# 24 single-valued properties (8 dates, 6 numbers, 6 entities, 4 texts), types interleaved so
# that planted groups (which take subject/property keys from the last properties) find all types
SINGLE_PROPERTIES = ["date", "number", "entity", "text"] * 4 + [
    "date",
    "number",
    "entity",
    "date",
    "number",
    "entity",
    "date",
    "date",
]
MULTIPLE_PROPERTIES = ["entity", "entity", "entity", "text", "text", "date"]
ENTITY_TYPES = ("person", "place", "unit", "organisation", "event", "operation")
SOURCE_KINDS_TEXT = ("thesis", "book-chapter", "book", "article", "report", "memoir", "blog-post", "intelligence-report")
SOURCE_KINDS_WORK = ("book", "article", "documentary-collection", "memoir", "edited-volume", "newspaper-article")
DERIVING = ("quotes", "summarises", "translates")
PLANTED_KINDS = ("value-date", "value-number", "value-entity", "value-text", "stance-conflict", "asserted", "derived")
COMPATIBLE_KINDS = (
    "date-precision",
    "number-tolerance",
    "entity-alias",
    "text-case",
    "different-periods",
    "multiple",
    "refuted-only",
    "agreeing-duplicate",
)
GRADES = "ABCDEF"


def scaled_defaults(claims: int) -> dict:
    """Sources, citations and texts for a corpus of ``claims`` claims (1M -> 10k sources, 50k citations)."""
    sources = min(10_000, max(20, claims // 100))
    text_sources = max(6, sources // 10)
    return {
        "sources": sources,
        "citations": 5 * sources,
        "text_sources": text_sources,
        "text_pool": min(200, text_sources),
        "contradictions": max(14, claims // 1000),
        "compatible": max(16, claims // 1000),
        "near_misses": 10,
    }


def _iso(day: int) -> str:
    """Day number (0 = 1950-01-01) to an ISO date, on the proleptic calendar."""
    import datetime as dt

    return (dt.date(1950, 1, 1) + dt.timedelta(days=day)).isoformat()


class Corpus:
    def __init__(self, args: argparse.Namespace):
        self.a = args
        self.seed = args.seed
        self.rng = random.Random(args.seed)
        self.vocab = Vocabulary(random.Random(f"{args.seed}-vocab"))
        self.out = Path(args.out)
        self.counts: dict[str, int] = {}
        self.planted: list[dict] = []
        self.compatible: list[dict] = []
        self.near_misses: list[dict] = []

    # -- sources and texts ---------------------------------------------------------------

    def make_pool(self) -> None:
        a = self.a
        sizes = [
            int(_log_uniform(random.Random(f"{self.seed}-size-{i}"), a.min_text_kb, a.max_text_kb) * 1024)
            for i in range(a.text_pool)
        ]
        self.pool = [PoolText(i, self.seed, self.vocab, size) for i, size in enumerate(sizes)]
        evidence = a.claims * a.evidence_per_claim
        self.bank_size = max(50, min(a.bank_size, math.ceil(evidence / max(1, len(self.pool)))))

    def plan_sources(self) -> None:
        a = self.a
        rng = random.Random(f"{self.seed}-sources")
        self.n_primary = max(3, a.sources // 100)
        self.n_text = min(a.text_sources, a.sources - self.n_primary - 2)
        self.n_work = a.sources - self.n_primary - self.n_text
        if self.n_text < 1 or self.n_work < 2:
            raise SystemExit("too few sources: give --sources of at least 20")
        self.primaries = [f"tg-{i:06d}" for i in range(1, self.n_primary + 1)]
        self.text_ids = [f"doc-{i:06d}" for i in range(1, self.n_text + 1)]
        self.works = [f"work-{i:06d}" for i in range(1, self.n_work + 1)]
        self.text_of = {sid: self.pool[i % len(self.pool)] for i, sid in enumerate(self.text_ids)}
        # Zipf weights over telegrams: the shared roots
        self.primary_cum = list(itertools.accumulate(1.0 / (r + 1) for r in range(self.n_primary)))
        self.source_rng = rng

    def source_records(self):
        rng = self.source_rng
        for i, sid in enumerate(self.primaries, start=1):
            day = rng.randrange(0, 4 * 365)
            yield (
                {
                    "id": sid,
                    "kind": "telegram",
                    "title": f"Telegram No. {10000 + i} from {self.vocab.word(rng).title()} to {self.vocab.word(rng).title()}",
                    "authors": [f"{self.vocab.word(rng).title()}, {self.vocab.word(rng).title()}"],
                    "issued": _iso(day),
                    "archive": "Archive of the President of the Russian Federation",
                    "archive_location": f"f. 45, op. 1, d. {300 + i % 700}, l. {i % 150 + 1}",
                    "language": "ru",
                    "origin": "primary",
                    "reliability": {"grade": rng.choice("AB"), "reason": "Written at the time by the office that sent it."},
                },
                None,
            )
        for sid in self.text_ids:
            pool = self.text_of[sid]
            record = {
                "id": sid,
                "kind": rng.choice(SOURCE_KINDS_TEXT),
                "title": self.vocab.phrase(rng, rng.randint(3, 9)).capitalize(),
                "authors": [f"{self.vocab.word(rng).title()}, {self.vocab.word(rng).title()}" for _ in range(rng.randint(1, 2))],
                "issued": str(rng.randint(1955, 2023)),
                "publisher": f"{self.vocab.word(rng).title()} University Press",
                "language": "en",
                "origin": rng.choice(("secondary", "secondary", "tertiary")),
                "reliability": {"grade": rng.choice(GRADES[:4]), "reason": "A scholarly work citing archive documents."},
                "text": f"texts/pool-{pool.index:04d}.txt" if self.a.texts_beside else f"texts/{sid}.txt",
            }
            if rng.random() < 0.2:
                record["notes"] = self.vocab.phrase(rng, 12).capitalize() + "."
            yield record, pool
        for sid in self.works:
            yield (
                {
                    "id": sid,
                    "kind": rng.choice(SOURCE_KINDS_WORK),
                    "title": self.vocab.phrase(rng, rng.randint(3, 8)).capitalize(),
                    "authors": [f"{self.vocab.word(rng).title()}, {self.vocab.word(rng).title()}"],
                    "issued": str(rng.randint(1951, 2020)),
                    "origin": rng.choice(("secondary", "primary", "tertiary")),
                },
                None,
            )

    def citation_records(self):
        """Derivation links between works (with version-of loops), then footnotes of text sources."""
        a = self.a
        rng = random.Random(f"{self.seed}-citations")
        n = 0
        derivations = []
        cycles = max(1, self.n_work // 200)
        in_cycle = set()
        cycle_members = rng.sample(self.works, min(len(self.works), 2 * cycles + 3))
        pairs = [cycle_members[2 * k : 2 * k + 2] for k in range(cycles)]
        triple = cycle_members[2 * cycles : 2 * cycles + 3] if len(cycle_members) >= 2 * cycles + 3 else []
        for pair in pairs:
            if len(pair) == 2:
                derivations += [(pair[0], pair[1], "version-of"), (pair[1], pair[0], "version-of")]
                in_cycle.update(pair)
        if triple:
            derivations += [
                (triple[0], triple[1], "version-of"),
                (triple[1], triple[2], "version-of"),
                (triple[2], triple[0], "version-of"),
            ]
            in_cycle.update(triple)
        for k, work in enumerate(self.works):
            if work in in_cycle and rng.random() < 0.5:
                continue  # a loop of versions resting on nothing further: its own root
            if k > 0 and rng.random() < 0.3:
                target = self.works[rng.randrange(0, k)]  # an earlier work: chains of derivation
            else:
                target = self._telegram(rng)
            derivations.append((work, target, rng.choice(DERIVING)))
        for sid in rng.sample(self.text_ids, max(1, len(self.text_ids) // 10)):
            derivations.append((sid, rng.choice(self.works), "summarises"))
        if len(derivations) + len(self.text_ids) > a.citations:  # too few citations asked for: fewer derivations
            derivations = derivations[: max(0, a.citations - len(self.text_ids))]
        budget = max(len(self.text_ids), a.citations - len(derivations))  # footnotes: at least one per text source
        self.footnotes: dict[str, list[str]] = {sid: [] for sid in self.text_ids}
        for source, cited, relation in derivations:
            n += 1
            yield {
                "id": f"cit-{n:07d}",
                "source": source,
                "cites": cited,
                "relation": relation,
                "note": "Derivation between editions." if relation == "version-of" else None,
            }
        self.counts["derivation_citations"] = len(derivations)
        self.counts["version_of_loops"] = len(pairs) + (1 if triple else 0)
        per_source = budget // len(self.text_ids)
        extra = budget - per_source * len(self.text_ids)
        for i, sid in enumerate(self.text_ids):
            for note in range(1, per_source + (1 if i < extra else 0) + 1):
                n += 1
                cited = self._telegram(rng) if rng.random() < 0.5 else rng.choice(self.works)
                cid = f"cit-{n:07d}"
                self.footnotes[sid].append(cid)
                record = {
                    "id": cid,
                    "source": sid,
                    "cites": cited,
                    "footnote": note,
                    "pages": f"{rng.randint(1, 600)}",
                    "passage": f"{self.vocab.phrase(rng, rng.randint(3, 8)).capitalize()}, p. {rng.randint(1, 600)}.",
                }
                if rng.random() < 0.02:
                    record["inferred"] = True
                    record["note"] = "The passage gives no note but plainly rests on this work."
                yield record
        self.counts["footnote_citations"] = n - len(derivations)

    def _telegram(self, rng: random.Random) -> str:
        return self.primaries[bisect.bisect(self.primary_cum, rng.random() * self.primary_cum[-1])]

    # -- entities and properties ---------------------------------------------------------

    def make_entities(self) -> None:
        a = self.a
        rng = random.Random(f"{self.seed}-entities")
        self.n_entities = max(20, a.claims // 10)
        self.n_dup = max(1, a.compatible // len(COMPATIBLE_KINDS) + 1)
        used: set[str] = set()
        self.entity_names: list[str] = []

        def fresh(make) -> str:
            while True:
                name = make()
                if name.casefold() not in used:
                    used.add(name.casefold())
                    return name

        def person() -> str:
            return f"{self.vocab.word(rng).title()} {self.vocab.word(rng).title()}"

        self.entity_aliases: list[list] = []
        for _ in range(self.n_entities):
            name = fresh(person)
            self.entity_names.append(name)
            aliases: list = []
            for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
                alias = fresh(lambda name=name: name.replace("a", "ah", 1).replace("o", "ou", 1) + " " + self.vocab.word(rng))
                if rng.random() < 0.5:
                    aliases.append(alias)
                else:
                    aliases.append({"name": alias, "sources": [rng.choice(self.text_ids)], "note": "Transliteration."})
            self.entity_aliases.append(aliases)
        # duplicate entities (the same thing registered twice): the second has the first's name as alias
        self.dup_pairs = []
        for k in range(self.n_dup):
            name = fresh(person)
            other = fresh(person)
            self.dup_pairs.append((f"dup-{k:05d}-a", name, f"dup-{k:05d}-b", other))

    def entity_id(self, i: int) -> str:
        return f"e-{i:07d}"

    def entity_records(self):
        rng = random.Random(f"{self.seed}-entity-types")
        for i, name in enumerate(self.entity_names):
            record = {"id": self.entity_id(i), "type": rng.choice(ENTITY_TYPES), "name": name}
            if self.entity_aliases[i]:
                record["aliases"] = self.entity_aliases[i]
            if rng.random() < 0.3:
                record["description"] = self.vocab.phrase(rng, 8).capitalize() + "."
            yield record
        for a_id, a_name, b_id, b_name in self.dup_pairs:
            yield {"id": a_id, "type": "person", "name": a_name}
            yield {"id": b_id, "type": "person", "name": b_name, "aliases": [a_name], "description": "Registered twice."}

    def make_properties(self) -> None:
        self.single = []
        for k, vt in enumerate(SINGLE_PROPERTIES):
            self.single.append({"id": f"p-{vt}-{k:02d}", "label": f"{self.vocab.word(self.rng)} {vt}", "value_type": vt})
        self.multiple = []
        for k, vt in enumerate(MULTIPLE_PROPERTIES):
            self.multiple.append(
                {
                    "id": f"pm-{vt}-{k:02d}",
                    "label": f"{self.vocab.word(self.rng)} ({vt}, several)",
                    "value_type": vt,
                    "multiple": True,
                }
            )
        for p in self.single:
            if p["value_type"] == "number":
                p["unit"] = "aircraft"
        # Ordinary single-valued claims take keys (subject, property) in order: entity k mod E of
        # property row k div E, from row 0 up. Planted groups take keys from the last rows down,
        # so the two never share a key.
        self.planted_rows = {
            vt: [r for r in reversed(range(len(self.single))) if self.single[r]["value_type"] == vt]
            for vt in set(SINGLE_PROPERTIES)
        }
        self.planted_used: dict[int, int] = {}
        self.lowest_planted_row = len(self.single)

    # -- claims --------------------------------------------------------------------------

    def _value(self, rng: random.Random, vt: str) -> tuple[dict, str]:
        if vt == "date":
            r = rng.random()
            day = rng.randrange(0, 4 * 365)
            iso = _iso(day)
            if r < 0.7:
                return {"date": iso}, iso
            if r < 0.85:
                return {"date": iso[:7]}, iso[:7]
            if r < 0.95:
                return {"date": iso[:7] + "~", "as_written": f"about {iso[:7]}"}, iso[:7] + "~"
            return {"date": iso[:4] + "?"}, iso[:4] + "?"
        if vt == "number":
            n = rng.randint(1, 5000)
            value = {"number": n, "unit": "aircraft"}
            if rng.random() < 0.2:
                value["tolerance"] = rng.choice((1, 5, 10))
            return value, str(n)
        if vt == "entity":
            i = rng.randrange(self.n_entities)
            return {"entity": self.entity_id(i)}, self.entity_names[i]
        text = self.vocab.phrase(rng, rng.randint(2, 4))
        return {"text": text}, text

    def _key(self, k: int) -> tuple[str, dict]:
        return self.entity_id(k % self.n_entities), self.single[k // self.n_entities]

    def _evidence(self, rng: random.Random, topic_sources: list[str], stances: list[str]) -> list[dict]:
        a = self.a
        if len(topic_sources) >= len(stances):
            chosen = rng.sample(topic_sources, len(stances))
        else:
            chosen = [topic_sources[i % len(topic_sources)] for i in range(len(stances))]
        items = []
        seen = set()
        for stance, sid in zip(stances, chosen, strict=True):
            pool = self.text_of[sid]
            while True:
                raw_q, norm_q = pool.quote(self.bank_size, rng)
                if (sid, norm_q) not in seen:
                    seen.add((sid, norm_q))
                    break
            if norm_q != raw_q and rng.random() < a.normalised_fraction:
                quote = norm_q
                self.counts["evidence_normalised"] += 1
            else:
                quote = raw_q
            item = {"source": sid, "stance": stance, "quote": quote, "locator": f"p. {rng.randint(1, 400)}"}
            notes = self.footnotes[sid]
            r = rng.random()
            if notes and r < 0.7:
                item["via"] = sorted(set(rng.sample(notes, min(len(notes), 1 if r < 0.55 else 2))))
            if rng.random() < 0.1:
                item["credibility"] = rng.randint(1, 6)
            items.append(item)
            self.counts["evidence"] += 1
        return items

    def _stances(self, rng: random.Random) -> list[str]:
        out = []
        for _ in range(self.a.evidence_per_claim):
            r = rng.random()
            out.append("supports" if r < 0.7 else "qualifies" if r < 0.85 else "reports")
        return out

    def claim_lines(self):
        """Every claim, in topic order, with planted groups spread evenly among them."""
        a = self.a
        rng = random.Random(f"{self.seed}-claims")
        self.counts.update(evidence=0, evidence_normalised=0, claims=0)
        groups = [("planted", PLANTED_KINDS[i % len(PLANTED_KINDS)]) for i in range(a.contradictions)]
        groups += [("compatible", COMPATIBLE_KINDS[i % len(COMPATIBLE_KINDS)]) for i in range(a.compatible)]
        random.Random(f"{self.seed}-schedule").shuffle(groups)
        every = max(1, a.claims // (len(groups) + 1))
        positions = [every * (i + 1) for i in range(len(groups))]
        self.next_key = 0
        self.dup_next = 0
        pending = 0  # the next planted group to place
        topic_sources: list[str] = []
        topic = None

        def emit(claim: dict) -> str:
            self.counts["claims"] += 1
            return json.dumps({"type": "claim", "topic": topic, "record": claim}, ensure_ascii=False)

        while self.counts["claims"] < a.claims:
            t = self.counts["claims"] // a.claims_per_topic
            if f"topic-{t:05d}" != topic:
                topic = f"topic-{t:05d}"
                topic_sources = rng.sample(self.text_ids, min(len(self.text_ids), a.sources_per_topic))
            left = a.claims - self.counts["claims"]
            if pending < len(groups) and self.counts["claims"] >= positions[pending] and left >= 3:
                claims = self._group(rng, groups[pending], topic_sources)
                pending += 1
            else:
                claims = self._ordinary(rng, topic_sources, left)
            for claim in claims:
                yield emit(claim)
        self.counts["planted_contradictions"] = len(self.planted)
        self.counts["planted_compatible"] = len(self.compatible)

    def _claim_id(self) -> str:
        self.claim_counter = getattr(self, "claim_counter", 0) + 1
        return f"claim-{self.claim_counter:07d}"

    def _claim(
        self, rng, topic_sources, subject=None, prop=None, value=None, shown=None, event_date=None, stances=None, **extra
    ) -> dict:
        cid = self._claim_id()
        claim: dict = {"id": cid}
        if subject is not None:
            name = self.entity_names[int(subject[2:])] if subject.startswith("e-") else subject
            claim["statement"] = f"{name}: {prop['label']} {shown}." if prop else f"{name} {self.vocab.phrase(rng, 6)}."
            claim["subject"] = subject
        else:
            claim["statement"] = self.vocab.phrase(rng, rng.randint(6, 14)).capitalize() + "."
        if prop is not None:
            claim["property"] = prop["id"]
            claim["value"] = value
        if event_date:
            claim["event_date"] = event_date
        claim.update(extra)
        claim["evidence"] = self._evidence(rng, topic_sources, stances or self._stances(rng))
        return claim

    def _event_date(self, rng) -> str | None:
        if rng.random() < 0.8:
            return _iso(rng.randrange(0, 4 * 365))
        return None

    def _ordinary(self, rng, topic_sources, left: int) -> list[dict]:
        r = rng.random()
        if r < 0.1:
            subject = self.entity_id(rng.randrange(self.n_entities)) if rng.random() < 0.5 else None
            return [self._claim(rng, topic_sources, subject=subject, event_date=self._event_date(rng))]
        if r < 0.2:
            prop = rng.choice(self.multiple)
            value, shown = self._value(rng, prop["value_type"])
            subject = self.entity_id(rng.randrange(self.n_entities))
            return [self._claim(rng, topic_sources, subject, prop, value, shown, self._event_date(rng))]
        subject, prop = self._key(self._take_key())
        value, shown = self._value(rng, prop["value_type"])
        event = value["date"] if "date" in value and len(value["date"]) == 10 else self._event_date(rng)
        claims = [self._claim(rng, topic_sources, subject, prop, value, shown, event)]
        if left >= 2 and rng.random() < 0.05:  # another claim giving the same value: agreement, not conflict
            claims.append(self._claim(rng, topic_sources, subject, prop, dict(value), shown, event))
        return claims

    def _take_key(self) -> int:
        k = self.next_key
        self.next_key += 1
        if k // self.n_entities >= self.lowest_planted_row:
            raise SystemExit("ran out of subject/property keys; raise the number of entities")
        return k

    def _take_planted_key(self, value_type: str) -> tuple[str, dict]:
        ordinary_rows = self.next_key // self.n_entities
        for row in self.planted_rows[value_type]:
            used = self.planted_used.get(row, 0)
            if row > ordinary_rows and used < self.n_entities:
                self.planted_used[row] = used + 1
                self.lowest_planted_row = min(self.lowest_planted_row, row)
                return self.entity_id(used), self.single[row]
        raise SystemExit("ran out of subject/property keys for planted groups; raise the number of entities")

    def _supports(self) -> list[str]:
        return ["supports"] * self.a.evidence_per_claim

    def _group(self, rng, group: tuple[str, str], ts: list[str]) -> list[dict]:
        what, kind = group
        sup = self._supports()
        day = rng.randrange(0, 3 * 365)
        d1, d2 = _iso(day), _iso(day + rng.randint(40, 200))
        if what == "planted":
            if kind == "value-date":
                s, p = self._take_planted_key("date")
                claims = [
                    self._claim(rng, ts, s, p, {"date": d1}, d1, d1, sup),
                    self._claim(rng, ts, s, p, {"date": d2}, d2, d2, sup),
                ]
            elif kind == "value-number":
                s, p = self._take_planted_key("number")
                n = rng.randint(100, 900)
                claims = [
                    self._claim(rng, ts, s, p, {"number": n, "unit": "aircraft"}, str(n), d1, sup),
                    self._claim(rng, ts, s, p, {"number": 3 * n, "unit": "aircraft"}, str(3 * n), d1, sup),
                ]
            elif kind == "value-entity":
                s, p = self._take_planted_key("entity")
                i, j = rng.sample(range(self.n_entities), 2)
                claims = [
                    self._claim(rng, ts, s, p, {"entity": self.entity_id(i)}, self.entity_names[i], d1, sup),
                    self._claim(rng, ts, s, p, {"entity": self.entity_id(j)}, self.entity_names[j], d1, sup),
                ]
            elif kind == "value-text":
                s, p = self._take_planted_key("text")
                t1, t2 = "eager to intervene", "reluctant to intervene"
                claims = [
                    self._claim(rng, ts, s, p, {"text": t1}, t1, None, sup),
                    self._claim(rng, ts, s, p, {"text": t2}, t2, None, sup),
                ]
            elif kind == "stance-conflict":
                stances = ["supports", "conflicts"] + ["qualifies"] * (self.a.evidence_per_claim - 2)
                claims = [self._claim(rng, ts, event_date=d1, stances=stances[: max(2, self.a.evidence_per_claim)])]
            elif kind == "asserted":
                first = self._claim(rng, ts, event_date=d1, stances=sup)
                second_id = f"claim-{self.claim_counter + 1:07d}"
                first["links"] = [
                    {"relation": "contradicts", "claim": second_id, "note": "The curator judges these incompatible."}
                ]
                claims = [first, self._claim(rng, ts, event_date=d1, stances=sup)]
            else:  # derived: "12 days after" the base claim's date, against a date on the same subject and property
                sb, pb = self._take_planted_key("date")
                base = self._claim(rng, ts, sb, pb, {"date": d1}, d1, d1, sup)
                s, p = self._take_planted_key("date")
                days = rng.randint(5, 30)
                relative = self._claim(
                    rng,
                    ts,
                    s,
                    p,
                    {"relative": {"claim": base["id"], "days": days}, "as_written": f"{days} days after"},
                    f"{days} days after",
                    None,
                    sup,
                )
                other = _iso(day + days - rng.randint(2, 9))
                claims = [base, relative, self._claim(rng, ts, s, p, {"date": other}, other, other, sup)]
                self.planted.append({"kind": "derived", "claims": [relative["id"], claims[2]["id"]]})
                return claims
            kind_name = "value-conflict" if kind.startswith("value-") else kind
            self.planted.append(
                {
                    "kind": kind_name,
                    "value_type": kind[6:] if kind.startswith("value-") else None,
                    "claims": [c["id"] for c in claims],
                }
            )
            return claims
        # compatible: must not be flagged
        if kind == "date-precision":
            s, p = self._take_planted_key("date")
            claims = [
                self._claim(rng, ts, s, p, {"date": d1[:7]}, d1[:7], None, sup),
                self._claim(rng, ts, s, p, {"date": d1}, d1, d1, sup),
            ]
        elif kind == "number-tolerance":
            s, p = self._take_planted_key("number")
            claims = [
                self._claim(rng, ts, s, p, {"number": 900, "unit": "aircraft", "tolerance": 10}, "900", d1, sup),
                self._claim(rng, ts, s, p, {"number": 892, "unit": "aircraft"}, "892", d1, sup),
            ]
        elif kind == "entity-alias":
            s, p = self._take_planted_key("entity")
            a_id, a_name, b_id, b_name = self.dup_pairs[self.dup_next % len(self.dup_pairs)]
            self.dup_next += 1
            claims = [
                self._claim(rng, ts, s, p, {"entity": a_id}, a_name, d1, sup),
                self._claim(rng, ts, s, p, {"entity": b_id}, b_name, d1, sup),
            ]
        elif kind == "text-case":
            s, p = self._take_planted_key("text")
            claims = [
                self._claim(rng, ts, s, p, {"text": "Eager to intervene"}, "Eager", None, sup),
                self._claim(rng, ts, s, p, {"text": "eager  to intervene"}, "eager", None, sup),
            ]
        elif kind == "different-periods":
            s, p = self._take_planted_key("number")
            claims = [
                self._claim(rng, ts, s, p, {"number": 120, "unit": "aircraft"}, "120", "1950-11-01", sup),
                self._claim(rng, ts, s, p, {"number": 450, "unit": "aircraft"}, "450", "1952-06-01", sup),
            ]
        elif kind == "multiple":
            p = next(m for m in self.multiple if m["value_type"] == "entity")
            s = self.entity_id(rng.randrange(self.n_entities))
            i, j = rng.sample(range(self.n_entities), 2)
            claims = [
                self._claim(rng, ts, s, p, {"entity": self.entity_id(i)}, self.entity_names[i], d1, sup),
                self._claim(rng, ts, s, p, {"entity": self.entity_id(j)}, self.entity_names[j], d1, sup),
            ]
        elif kind == "refuted-only":
            claims = [self._claim(rng, ts, event_date=d1, stances=["conflicts"] * self.a.evidence_per_claim)]
        else:  # agreeing-duplicate
            s, p = self._take_planted_key("date")
            claims = [
                self._claim(rng, ts, s, p, {"date": d1}, d1, d1, sup),
                self._claim(rng, ts, s, p, {"date": d1}, d1, d1, sup),
            ]
        self.compatible.append({"kind": kind, "claims": [c["id"] for c in claims]})
        return claims

    # -- near misses ---------------------------------------------------------------------

    def near_miss_lines(self, source_lines: dict[str, str]) -> list[str]:
        rng = random.Random(f"{self.seed}-near-misses")
        lines = []
        used_sources = []
        claims = []
        for k in range(self.a.near_misses):
            sid = self.text_ids[k % len(self.text_ids)]
            mode = "letter" if k % 2 == 0 else "word"
            missed, original = self.text_of[sid].near_miss(rng, mode)
            cid = f"near-miss-{k + 1:04d}"
            claims.append(
                {
                    "id": cid,
                    "statement": f"A claim quoting {sid} nearly right.",
                    "evidence": [{"source": sid, "stance": "supports", "quote": missed, "locator": "p. 1"}],
                }
            )
            self.near_misses.append({"claim": cid, "source": sid, "mode": mode, "quote": missed, "original": original})
            if sid not in used_sources:
                used_sources.append(sid)
        for sid in used_sources:
            lines.append(source_lines[sid])
        for claim in claims:
            lines.append(json.dumps({"type": "claim", "topic": "near-misses", "record": claim}, ensure_ascii=False))
        return lines


def _clean(record: dict) -> dict:
    return {k: v for k, v in record.items() if v is not None}


# -- writers -------------------------------------------------------------------------------


def _yaml_scalar(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def _yaml(value, indent: int = 0) -> list[str]:
    """Block-style YAML for dicts, lists and scalars (strings JSON-quoted, which YAML reads)."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:")
                lines += _yaml(item, indent + 2)
            elif isinstance(item, list):
                lines.append(f"{pad}{key}: []")
            else:
                lines.append(f"{pad}{key}: {_yaml_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                sub = _yaml(item, indent + 2)
                lines.append(f"{pad}- {sub[0].lstrip()}")
                lines += sub[1:]
            else:
                lines.append(f"{pad}- {_yaml_scalar(item)}")
    return lines


class JsonlWriter:
    def __init__(self, out: Path, texts_beside: bool):
        self.out = out
        self.texts_beside = texts_beside
        self.handle = open(out / "corpus.jsonl", "w", encoding="utf-8", newline="\n")
        self.source_lines: dict[str, str] = {}

    def source(self, record: dict, pool: PoolText | None) -> None:
        envelope = {"type": "source", "record": _clean(record)}
        if pool is not None and not self.texts_beside:
            envelope["text_content"] = pool.raw
        line = json.dumps(envelope, ensure_ascii=False)
        if pool is not None:
            self.source_lines[record["id"]] = line
        self.handle.write(line + "\n")

    def record(self, kind: str, record: dict) -> None:
        self.handle.write(json.dumps({"type": kind, "record": _clean(record)}, ensure_ascii=False) + "\n")

    def claim_line(self, line: str) -> None:
        self.handle.write(line + "\n")

    def close(self) -> None:
        self.handle.close()


class SeedsWriter:
    """The corpus as a seeds folder: YAML lists, one claims file per topic."""

    CHUNK = 1000

    def __init__(self, out: Path, texts_beside: bool):
        self.out = out
        self.texts_beside = texts_beside
        for folder in ("sources", "citations", "entities", "properties", "claims", "texts"):
            (out / folder).mkdir(parents=True, exist_ok=True)
        self.buffers: dict[str, list[dict]] = {}
        self.files: dict[str, int] = {}
        self.source_lines: dict[str, str] = {}
        self.topic = None
        self.topic_handle = None

    def _add(self, folder: str, record: dict) -> None:
        buffer = self.buffers.setdefault(folder, [])
        buffer.append(_clean(record))
        if len(buffer) >= self.CHUNK:
            self._flush(folder)

    def _flush(self, folder: str) -> None:
        buffer = self.buffers.get(folder)
        if not buffer:
            return
        self.files[folder] = self.files.get(folder, 0) + 1
        path = self.out / folder / f"{folder}-{self.files[folder]:05d}.yaml"
        path.write_text("\n".join(_yaml(buffer)) + "\n", encoding="utf-8")
        buffer.clear()

    def source(self, record: dict, pool: PoolText | None) -> None:
        if pool is not None:
            record = dict(record, text=f"texts/pool-{pool.index:04d}.txt")
            self.source_lines[record["id"]] = json.dumps({"type": "source", "record": _clean(record)}, ensure_ascii=False)
        self._add("sources", record)

    def record(self, kind: str, record: dict) -> None:
        self._add({"citation": "citations", "entity": "entities", "property": "properties"}[kind], record)

    def claim_line(self, line: str) -> None:
        envelope = json.loads(line)
        if envelope["topic"] != self.topic:
            if self.topic_handle:
                self.topic_handle.close()
            self.topic = envelope["topic"]
            self.topic_handle = open(self.out / "claims" / f"{self.topic}.yaml", "w", encoding="utf-8")
        self.topic_handle.write("\n".join(_yaml([envelope["record"]])) + "\n")

    def close(self) -> None:
        for folder in list(self.buffers):
            self._flush(folder)
        if self.topic_handle:
            self.topic_handle.close()


def generate(args: argparse.Namespace) -> dict:
    """Write the corpus described by ``args``; return the manifest."""
    started = time.perf_counter()
    defaults = scaled_defaults(args.claims)
    for name, value in defaults.items():
        if getattr(args, name, None) is None:
            setattr(args, name, value)
    out = Path(args.out)
    if out.exists():
        for name in ("corpus.jsonl", "near-misses.jsonl", "manifest.json"):
            (out / name).unlink(missing_ok=True)
        for folder in ("texts", "sources", "citations", "entities", "properties", "claims"):
            shutil.rmtree(out / folder, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    texts_beside = args.texts_beside or args.format == "seeds"
    args.texts_beside = texts_beside
    corpus = Corpus(args)
    corpus.make_pool()
    corpus.plan_sources()
    if texts_beside:
        (out / "texts").mkdir(exist_ok=True)
    writer: JsonlWriter | SeedsWriter = SeedsWriter(out, True) if args.format == "seeds" else JsonlWriter(out, texts_beside)
    stored_text = 0
    if texts_beside:
        for pool in corpus.pool:
            (out / "texts" / f"pool-{pool.index:04d}.txt").write_text(pool.raw, encoding="utf-8", newline="")
    for record, pool in corpus.source_records():
        writer.source(record, pool)
        if pool is not None:
            stored_text += len(pool.raw.encode("utf-8"))
    n_citations = 0
    for record in corpus.citation_records():
        writer.record("citation", record)
        n_citations += 1
    corpus.make_entities()
    for record in corpus.entity_records():
        writer.record("entity", record)
    corpus.make_properties()
    for record in corpus.single + corpus.multiple:
        writer.record("property", record)
    for line in corpus.claim_lines():
        writer.claim_line(line)
    writer.close()
    near = corpus.near_miss_lines(writer.source_lines)
    if near:
        with open(out / "near-misses.jsonl", "w", encoding="utf-8", newline="\n") as handle:
            for line in near:
                handle.write(line + "\n")
    counts = corpus.counts
    manifest = {
        "generator": "benchmarks/generate.py",
        "seed": args.seed,
        "format": args.format,
        "parameters": {k: (str(v) if isinstance(v, Path) else v) for k, v in sorted(vars(args).items())},
        "counts": {
            "sources": args.sources,
            "primary_telegrams": corpus.n_primary,
            "text_sources": corpus.n_text,
            "cited_only_works": corpus.n_work,
            "distinct_texts": len(corpus.pool),
            "distinct_text_bytes": sum(len(p.raw.encode("utf-8")) for p in corpus.pool),
            "stored_text_bytes": stored_text,
            "citations": n_citations,
            "derivation_citations": counts["derivation_citations"],
            "footnote_citations": counts["footnote_citations"],
            "version_of_loops": counts["version_of_loops"],
            "entities": corpus.n_entities + 2 * len(corpus.dup_pairs),
            "properties": len(corpus.single) + len(corpus.multiple),
            "claims": counts["claims"],
            "evidence": counts["evidence"],
            "evidence_normalised": counts["evidence_normalised"],
            "topics": (counts["claims"] - 1) // args.claims_per_topic + 1,
            "quote_bank_per_text": corpus.bank_size,
            "planted_contradictions": len(corpus.planted),
            "planted_compatible": len(corpus.compatible),
            "near_misses": len(corpus.near_misses),
        },
        "planted_contradictions": corpus.planted,
        "planted_compatible": corpus.compatible,
        "near_misses": corpus.near_misses,
        "seconds": round(time.perf_counter() - started, 2),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Sizes not given scale with --claims: sources = claims/100 (20 to 10 000), citations = 5 x sources, "
        "text sources = sources/10, text pool = min(200, text sources), planted contradictions = claims/1000 (at least 14).",
    )
    p.add_argument("--claims", type=int, default=1000, help="number of claims (default 1000)")
    p.add_argument("--evidence-per-claim", type=int, default=3, help="passages per claim (default 3)")
    p.add_argument("--sources", type=int, help="number of sources (default claims/100, 20 to 10 000)")
    p.add_argument("--citations", type=int, help="number of citations (default 5 x sources)")
    p.add_argument("--text-sources", type=int, help="sources held as text (default sources/10, at least 6)")
    p.add_argument("--text-pool", type=int, help="distinct texts shared by the text sources (default min(200, text sources))")
    p.add_argument("--min-text-kb", type=float, default=5, help="smallest text, KB (default 5)")
    p.add_argument("--max-text-kb", type=float, default=500, help="largest text, KB (default 500)")
    p.add_argument("--contradictions", type=int, help="planted contradictions (default claims/1000, at least 14)")
    p.add_argument("--compatible", type=int, help="planted compatible pairs that must not be flagged (default as contradictions)")
    p.add_argument("--near-misses", type=int, help="near-miss quotes written to near-misses.jsonl (default 10)")
    p.add_argument(
        "--normalised-fraction",
        type=float,
        default=0.2,
        help="share of quotes typed as a curator would (found after normalisation; default 0.2)",
    )
    p.add_argument("--claims-per-topic", type=int, default=500, help="claims per topic (default 500)")
    p.add_argument("--sources-per-topic", type=int, default=6, help="text sources a topic quotes (default 6)")
    p.add_argument(
        "--bank-size",
        type=int,
        default=3000,
        help="most distinct quotes drawn per text; then they are reused by other claims (default 3000)",
    )
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument(
        "--format", choices=("jsonl", "seeds"), default="jsonl", help="corpus.jsonl for provenance import, or a seeds folder"
    )
    p.add_argument(
        "--texts-beside",
        action="store_true",
        help="write texts as files in OUT/texts/ (shared by the sources holding the same pool text) instead of inline",
    )
    p.add_argument("--out", required=True, type=Path, help="output folder")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    manifest = generate(args)
    c = manifest["counts"]
    print(
        f"wrote {args.out}: {c['claims']} claims, {c['evidence']} evidence ({c['evidence_normalised']} typed normalised), "
        f"{c['sources']} sources ({c['text_sources']} with text, {c['distinct_texts']} distinct texts, "
        f"{c['stored_text_bytes'] / 2**20:.1f} MiB stored), {c['citations']} citations, {c['entities']} entities; "
        f"planted {c['planted_contradictions']} contradictions, {c['planted_compatible']} compatible, {c['near_misses']} near misses; "
        f"{manifest['seconds']:.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
