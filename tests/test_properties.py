"""Property tests (hypothesis): normalisation and anchoring, date intervals, independence,
and edit-build cycles. Short runs here; HYPOTHESIS_PROFILE=long for the long ones."""

import os
import shutil
import sqlite3
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from provenance import SeedsInvalid, build_database
from provenance.analysis import CitationGraph, Link, find_origins, independent_groups
from provenance.anchoring import QuoteProblem, locate, normalise
from provenance.dates import edtf_interval, intervals_overlap

from .conftest import CORPUS

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

LETTERS = "abcdefghijklmnopqrstuvwxyzéèüçñ"
word = st.text(alphabet=LETTERS + "ABCDEFGXYZ0123456789", min_size=1, max_size=9).map(lambda w: unicodedata.normalize("NFC", w))
decorated = st.tuples(word, st.sampled_from(["", "“", "‘", "«"]), st.sampled_from(["", "”", "’", ",", "—x", "."])).map(
    lambda t: t[1] + t[0] + t[2]
)
separator = st.sampled_from([" ", "  ", "\n", " \n ", "\t", "\u00a0", " \u200b"])


@st.composite
def text_and_quote(draw):
    words = draw(st.lists(decorated, min_size=3, max_size=40))
    seps = [draw(separator) for _ in words[:-1]]
    start = draw(st.integers(0, len(words) - 2))
    end = draw(st.integers(start + 1, len(words)))
    decompose = draw(st.booleans())
    pieces = []
    for i, w in enumerate(words):
        pieces.append(unicodedata.normalize("NFD", w) if decompose else w)
        if i < len(seps):
            pieces.append(seps[i])
    text = "".join(pieces)
    # the curator's copy: single spaces, straight quotes and hyphens, composed characters
    quote = " ".join(words[start:end])
    for curly, straight in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"), ("«", '"'), ("—", "-")):
        quote = quote.replace(curly, straight)
    return text, quote


@given(text_and_quote())
def test_a_quote_cut_from_any_text_is_found_at_the_right_offsets(case):
    text, quote = case
    try:
        anchor = locate(quote, text)
    except QuoteProblem as ex:
        assert "more than once" in str(ex), str(ex)
        return
    assert normalise(text[anchor.start : anchor.end]).text == normalise(quote).text
    assert anchor.exact == text[anchor.start : anchor.end]


@given(st.text(max_size=200))
def test_normalise_offsets_are_monotonic_and_inside_the_text(text):
    norm = normalise(text)
    assert len(norm.starts) == len(norm.text)
    assert all(0 <= s < e <= len(text) for s, e in zip(norm.starts, norm.ends, strict=True))
    assert list(norm.starts) == sorted(norm.starts)
    assert normalise(norm.text).text == norm.text  # idempotent


days = st.dates(min_value=__import__("datetime").date(1900, 1, 1), max_value=__import__("datetime").date(2000, 12, 31))


@given(days, days)
def test_date_compatibility(a, b):
    da, db = a.isoformat(), b.isoformat()
    assert intervals_overlap(da, db) == (a == b)
    assert intervals_overlap(da, db) == intervals_overlap(db, da)
    assert intervals_overlap(da, da[:7]) and intervals_overlap(da, da[:4])  # a day is in its month and year
    assert intervals_overlap(da[:7], db[:7]) == (da[:7] == db[:7])
    lo, hi = edtf_interval(da[:7])
    assert lo <= da <= hi


@st.composite
def graph_and_items(draw):
    nodes = [f"s{i}" for i in range(draw(st.integers(2, 8)))]
    edges = draw(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)), max_size=12))
    items = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=6))
    extra = draw(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)))
    return nodes, [e for e in edges if e[0] != e[1]], items, extra


def _groups(edges, items):
    # whole-work derivations (no footnote, no locator): followed from every passage
    graph = CitationGraph(Link(f"{a}-{b}-{i}", a, b, "version-of") for i, (a, b) in enumerate(edges))
    roots = {f"item{i}": {o.root for o in find_origins(src, [], graph)} for i, src in enumerate(items)}
    return independent_groups(roots)


@given(graph_and_items())
def test_independence_never_increases_when_a_citation_is_added(case):
    _, edges, items, extra = case
    assume(extra[0] != extra[1])
    before = len(_groups(edges, items))
    after = len(_groups(edges + [extra], items))
    assert after <= before


QUOTES = [
    "On 1 November 1950 the air division flew its first sortie over the river.",
    "The division moved to Andong within ten days.",
]


class EditBuildCycles(RuleBasedStateMachine):
    """Curators edit, break and mend the seeds; every build is all-or-nothing."""

    def __init__(self):
        super().__init__()
        import tempfile
        from pathlib import Path

        self.root = Path(tempfile.mkdtemp())
        self.seeds = self.root / "seeds"
        shutil.copytree(CORPUS, self.seeds)
        (self.seeds / "claims/combat.yaml").unlink()
        self.claims: dict[str, int] = {}  # claim id -> quote index
        self.broken = False
        self.db = self.root / "provenance.db"
        self.good: list[str] | None = None

    def _write(self):
        lines = []
        for cid, q in sorted(self.claims.items()):
            stance = "conflict" if self.broken and q == 0 else "supports"
            lines += [
                f"- id: {cid}",
                f"  statement: Claim {cid}.",
                "  evidence:",
                "    - source: memo",
                f"      stance: {stance}",
                f"      quote: {QUOTES[q]}",
                "      locator: p. 1",
            ]
        (self.seeds / "claims/edits.yaml").write_text("\n".join(lines) + "\n")

    def _build(self):
        self._write()
        before = self.db.read_bytes() if self.db.exists() else None
        try:
            build_database(self.seeds, self.db)
        except SeedsInvalid:
            assert self.broken and any(q == 0 for q in self.claims.values())
            assert (self.db.read_bytes() if self.db.exists() else None) == before
            return
        self.good = sorted(self.claims)

    @rule(n=st.integers(0, 30), q=st.integers(0, 1))
    def add_claim(self, n, q):
        self.claims[f"claim-{n}"] = q
        self._build()

    @rule(n=st.integers(0, 30))
    def remove_claim(self, n):
        self.claims.pop(f"claim-{n}", None)
        self._build()

    @rule()
    def break_a_stance(self):
        self.broken = True
        self._build()

    @rule()
    def mend(self):
        self.broken = False
        self._build()

    @invariant()
    def database_holds_the_last_good_build(self):
        if self.good is None:
            return
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
            ids = [r[0] for r in conn.execute("select id from claims where topic = 'edits' order by id")]
        finally:
            conn.close()
        assert ids == self.good

    def teardown(self):
        shutil.rmtree(self.root, ignore_errors=True)


EditBuildCycles.TestCase.settings = settings(max_examples=8, stateful_step_count=8, deadline=None)
test_edit_build_cycles = pytest.mark.slow(EditBuildCycles.TestCase)


@given(st.text(alphabet=st.sampled_from(list("abcXYZ -\n\t.,'\"") + ["\r", "\u00a0", "é", "“"]), max_size=80))
def test_fast_normalisation_agrees_with_the_full_one(text):
    from provenance.anchoring import normalise_text

    assert normalise_text(text) == normalise(text).text


ODD = list("abcXYZé -\n\t.,'\"") + ["\r", "\u00a0", "“", "”", "—", "–", "\u200b", "\u00ad", "¹", "\u202e", "Å", "e\u0301", "ß"]


@given(st.lists(st.sampled_from(ODD), max_size=60).map("".join), st.booleans())
def test_word_at_a_time_normalisation_equals_character_at_a_time(text, keep):
    from provenance.anchoring import _normalise_chars, _normalise_runs, _simple, normalise_text

    assume(_simple(text))
    fast, slow = _normalise_runs(text, keep), _normalise_chars(text, keep)
    assert (fast.text, list(fast.starts), list(fast.ends)) == (slow.text, list(slow.starts), list(slow.ends))
    assert normalise_text(text) == _normalise_chars(text, False).text


@given(st.lists(st.sampled_from(ODD), max_size=60).map("".join))
def test_fast_normalise_text_agrees_on_any_text(text):
    from provenance.anchoring import _normalise_chars, normalise_text

    assert normalise_text(text) == _normalise_chars(text, False).text


@given(
    st.dates(min_value=__import__("datetime").date(1, 1, 1), max_value=__import__("datetime").date(9999, 12, 31)),
    st.sampled_from(["day", "month", "year"]),
    st.sampled_from(["", "~", "?", "%"]),
)
def test_plain_dates_agree_with_the_edtf_grammar(day, precision, qualifier):
    """The fast path for plain dates gives what the EDTF library's bounds give."""
    import datetime as dt

    from edtf import parse_edtf

    from provenance.dates import _PADDING, _precision, check_edtf

    text = {"day": day.isoformat(), "month": day.isoformat()[:7], "year": day.isoformat()[:4]}[precision] + qualifier
    assert check_edtf(text) == text
    parsed = parse_edtf(text)
    lo, hi = parsed.lower_strict(), parsed.upper_strict()
    lower, upper = dt.date(lo.tm_year, lo.tm_mon, lo.tm_mday), dt.date(hi.tm_year, hi.tm_mon, hi.tm_mday)
    if qualifier:
        pad = _PADDING[_precision(text)]
        lower = max(dt.date.min + pad, lower) - pad
        upper = min(dt.date.max - pad, upper) + pad
    assert edtf_interval(text) == (lower.isoformat(), upper.isoformat())
