"""The analysis rules as tables: origins, independence, status, value comparison, contradictions."""

import sqlite3

import pytest
import sqlite_utils
from hypothesis import given
from hypothesis import strategies as st

from provenance import analysis, build_database
from provenance.analysis import Origin, Value, claim_status, find_origins, independent_groups, values_conflict
from provenance.dates import edtf_interval

# citation id -> (citing, cited, relation)
CITATIONS = {
    "thesis-n143": ("thesis", "telegram", "cites"),
    "chapter-inferred": ("chapter", "telegram", "cites"),
    "thesis-n12": ("thesis", "book", "cites"),
    "blog-sum": ("blog", "article", "summarises"),
    "article-tr": ("article", "russian-article", "translates"),
    "a-b": ("loop-a", "loop-b", "version-of"),
    "b-a": ("loop-b", "loop-a", "version-of"),
}
DERIVED = {"blog": ["article"], "article": ["russian-article"], "loop-a": ["loop-b"], "loop-b": ["loop-a"]}


@pytest.mark.parametrize(
    "source, via, roots",
    [
        ("thesis", ["thesis-n143"], ["telegram"]),  # a footnote leads to the cited work
        ("chapter", ["chapter-inferred"], ["telegram"]),  # an inferred note counts the same
        ("thesis", ["thesis-n143", "thesis-n12"], ["book", "telegram"]),  # two notes, two roots
        ("memo", [], ["memo"]),  # no via: the source is its own origin
        ("blog", [], ["russian-article"]),  # ... or what it derives from, transitively
        ("loop-a", [], ["loop-a"]),  # a cycle of versions is cut, not followed forever
        ("thesis", ["no-such-note"], ["thesis"]),  # an unknown note is ignored
    ],
)
def test_origins(source, via, roots):
    assert [o.root for o in find_origins(source, via, CITATIONS, DERIVED)] == roots


def test_origin_path_names_every_hop():
    [origin] = find_origins("blog", [], CITATIONS, DERIVED)
    assert origin.path == ("blog", "article", "russian-article")


@pytest.mark.parametrize(
    "via, path",
    [
        (["essay-blog", "essay-article"], ("essay", "blog", "article", "russian-article")),
        (["essay-article", "essay-blog"], ("essay", "article", "russian-article")),
    ],
)
def test_a_root_reached_through_two_notes_keeps_the_path_of_the_first(via, path):
    citations = {**CITATIONS, "essay-blog": ("essay", "blog", "cites"), "essay-article": ("essay", "article", "cites")}
    assert find_origins("essay", via, citations, DERIVED) == [Origin("russian-article", path)]


@pytest.mark.parametrize(
    "items, groups",
    [
        ({"thesis": {"telegram"}, "chapter": {"telegram"}}, [["chapter", "thesis"]]),  # shared root: one line
        ({"thesis": {"telegram"}, "memo": {"memo"}}, [["memo"], ["thesis"]]),  # independent
        ({"a": {"x"}, "b": {"x", "y"}, "c": {"y"}}, [["a", "b", "c"]]),  # joined through b
        ({}, []),
    ],
)
def test_independent_groups(items, groups):
    assert independent_groups(items) == groups


@given(st.dictionaries(st.sampled_from("abcdefgh"), st.sets(st.sampled_from("pqrstuvw"), max_size=3), max_size=8))
def test_independent_groups_are_the_connected_items(items):
    # the groups, found the slow way: merge any two that share a root until none do
    groups = [({item}, set(roots)) for item, roots in items.items()]
    merged = True
    while merged:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if groups[i][1] & groups[j][1]:
                    groups[i][0].update(groups[j][0])
                    groups[i][1].update(groups[j][1])
                    del groups[j]
                    merged = True
                    break
            if merged:
                break
    assert independent_groups(items) == sorted((sorted(g) for g, _ in groups), key=lambda g: g[0])


def test_adding_a_citation_never_increases_independence():
    before = independent_groups({"thesis": {"telegram"}, "memo": {"memo"}})
    after = independent_groups({"thesis": {"telegram"}, "memo": {"memo", "telegram"}})
    assert len(after) <= len(before)


@pytest.mark.parametrize(
    "origins, conflicting, status",
    [
        (2, 0, "corroborated"),
        (3, 0, "corroborated"),
        (1, 0, "supported"),
        (1, 1, "contested"),
        (2, 3, "contested"),
        (0, 1, "refuted"),
        (0, 0, "unsupported"),
    ],
)
def test_status(origins, conflicting, status):
    assert claim_status(origins, conflicting) == status


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


# -- on a built database ------------------------------------------------------------------

TEXT = (
    "The air division entered combat on 1 November 1950 over the river.\n"
    "Our records show the air division first fought on 31 October 1950 near the river.\n"
    "The volunteers crossed the river on 19 October 1950 in great secrecy.\n"
    "Twelve days after the volunteers crossed, the air division went into battle.\n"
    "The division was based at Anton from the first days of November.\n"
    "The division was based at Andong, the border city, that month.\n"
    "The division flew from Shenyang and later from Anshan airfields.\n"
)


def corpus(tmp_path, claims: str, extra_properties: str = "", citations: str = ""):
    seeds = tmp_path / "seeds"
    for folder in ("texts", "sources", "entities", "properties", "claims", "citations"):
        (seeds / folder).mkdir(parents=True)
    (seeds / "texts/a.txt").write_text(TEXT)
    (seeds / "texts/b.txt").write_text(TEXT)
    (seeds / "sources/all.yaml").write_text(
        "".join(
            f"- id: {s}\n  kind: book\n  title: {s.title()}\n  origin: secondary\n  text: texts/{s[0]}.txt\n" for s in ("a-book", "b-book")
        )
        + "- id: telegram\n  kind: telegram\n  title: The telegram\n  origin: primary\n"
    )
    (seeds / "citations/all.yaml").write_text(
        citations
        or "- id: a-n1\n  source: a-book\n  cites: telegram\n  footnote: 1\n- id: b-n1\n  source: b-book\n  cites: telegram\n  footnote: 1\n"
    )
    (seeds / "entities/all.yaml").write_text(
        "- id: division\n  type: unit\n  name: the air division\n"
        "- id: volunteers\n  type: unit\n  name: the volunteers\n"
        "- id: andong\n  type: place\n  name: Andong\n  aliases: [Anton]\n"
        "- id: anton\n  type: place\n  name: Anton\n"
        "- id: shenyang\n  type: place\n  name: Shenyang\n"
    )
    (seeds / "properties/all.yaml").write_text(
        "- {id: first-combat, label: date of first combat, value_type: date}\n"
        "- {id: crossing, label: date of crossing, value_type: date}\n"
        "- {id: base, label: base, value_type: entity}\n"
        "- {id: airfields, label: airfields used, value_type: entity, multiple: true}\n" + extra_properties
    )
    (seeds / "claims/all.yaml").write_text(claims)
    db = tmp_path / "p.db"
    build_database(seeds, db)
    return sqlite3.connect(db)


def ev(source, quote, stance="supports", via=None):
    v = f"\n      via: [{via}]" if via else ""
    return f"    - source: {source}\n      stance: {stance}\n      quote: {quote}\n      locator: p. 1{v}\n"


def claim(cid, evidence="", subject=None, prop=None, value=None, links="", when=None):
    out = f"- id: {cid}\n  statement: {cid}.\n"
    if subject:
        out += f"  subject: {subject}\n  property: {prop}\n  value: {value}\n"
    if when:
        out += f'  event_date: "{when}"\n'
    out += links
    return out + ("  evidence:\n" + evidence if evidence else "")


FIRST = "The air division entered combat on 1 November 1950 over the river."


def test_shared_root_is_one_origin(tmp_path):
    conn = corpus(tmp_path, claim("c", ev("a-book", FIRST, via="a-n1") + ev("b-book", FIRST, via="b-n1")))
    status, sources, origins, reason = conn.execute(
        "select status, supporting_sources, independent_origins, reason from claim_status"
    ).fetchone()
    assert (status, sources, origins) == ("supported", 2, 1)
    assert reason == "2 sources support; 1 independent origin: both of a-book, b-book rest on The telegram (telegram)"
    assert conn.execute("select count(*) from evidence_assessments").fetchone()[0] == 0


def test_independent_sources_corroborate_and_are_graded(tmp_path):
    conn = corpus(tmp_path, claim("c", ev("a-book", FIRST, via="a-n1") + ev("b-book", FIRST)))
    assert conn.execute("select status, independent_origins from claim_status").fetchone() == ("corroborated", 2)
    grades = conn.execute("select computed_credibility, reason from evidence_assessments").fetchall()
    assert grades == [(1, "confirmed by 1 other independent origin")] * 2
    # the curator's grade column is untouched
    assert conn.execute("select count(*) from evidence where credibility is not null").fetchone()[0] == 0


def test_citation_cycle_does_not_hang(tmp_path):
    cycle = (
        "- id: a-b\n  source: a-book\n  cites: b-book\n  relation: version-of\n"
        "- id: b-a\n  source: b-book\n  cites: a-book\n  relation: version-of\n"
    )
    conn = corpus(tmp_path, claim("c", ev("a-book", FIRST) + ev("b-book", FIRST)), citations=cycle)
    assert conn.execute("select status, independent_origins from claim_status").fetchone() == ("supported", 1)


SECOND = "Our records show the air division first fought on 31 October 1950 near the river."
CROSSED = "The volunteers crossed the river on 19 October 1950 in great secrecy."
TWELVE = "Twelve days after the volunteers crossed, the air division went into battle."
ANTON = "The division was based at Anton from the first days of November."
ANDONG = "The division was based at Andong, the border city, that month."
FIELDS = "The division flew from Shenyang and later from Anshan airfields."


@pytest.mark.parametrize(
    "claims, kinds",
    [
        pytest.param(
            claim("one", ev("a-book", FIRST), "division", "first-combat", '{date: "1950-11-01"}')
            + claim("two", ev("b-book", SECOND), "division", "first-combat", '{date: "1950-10-31"}'),
            ["value-conflict"],
            id="value-conflict-dates",
        ),
        pytest.param(
            claim("one", ev("a-book", FIRST), "division", "first-combat", '{date: "1950-11-01"}', when="1950-11-01")
            + claim("two", ev("b-book", SECOND), "division", "first-combat", '{date: "1950-10-31"}', when="1950-10-31"),
            ["value-conflict"],
            id="value-conflict-dates-dated-by-their-own-values",
        ),
        pytest.param(
            claim("one", ev("a-book", FIRST), "division", "first-combat", '{date: "1950-11-01"}')
            + claim("two", ev("b-book", FIRST), "division", "first-combat", '{date: "1950-11"}'),
            [],
            id="near-miss-month-contains-day",
        ),
        pytest.param(
            claim("one", ev("a-book", ANTON), "division", "base", "{entity: anton}")
            + claim("two", ev("b-book", ANDONG), "division", "base", "{entity: andong}"),
            [],
            id="near-miss-alias-anton-andong",
        ),
        pytest.param(
            claim("one", ev("a-book", ANTON), "division", "base", "{entity: shenyang}", when="1950-10")
            + claim("two", ev("b-book", ANDONG), "division", "base", "{entity: andong}", when="1950-11"),
            [],
            id="near-miss-different-periods",
        ),
        pytest.param(
            claim("one", ev("a-book", ANTON), "division", "base", "{entity: shenyang}", when="1950-11")
            + claim("two", ev("b-book", ANDONG), "division", "base", "{entity: andong}", when="1950-11-05"),
            ["value-conflict"],
            id="same-period-different-bases",
        ),
        pytest.param(
            claim("one", ev("a-book", FIELDS), "division", "airfields", "{entity: shenyang}")
            + claim("two", ev("b-book", ANDONG), "division", "airfields", "{entity: andong}"),
            [],
            id="near-miss-multiple-valued-property",
        ),
        pytest.param(
            claim("one", ev("a-book", FIRST), "division", "first-combat", '{date: "1950-11-01"}')
            + claim("two", ev("b-book", CROSSED), "volunteers", "crossing", '{date: "1950-10-19"}'),
            [],
            id="near-miss-different-events",
        ),
        pytest.param(claim("c", ev("a-book", FIRST) + ev("b-book", SECOND, "conflicts")), ["stance-conflict"], id="stance-conflict"),
        pytest.param(
            claim("c", ev("a-book", FIRST) + ev("b-book", SECOND, "qualifies") + ev("a-book", TWELVE, "reports")),
            [],
            id="near-miss-qualifies-and-reports-do-not-conflict",
        ),
        pytest.param(
            claim("one", ev("a-book", FIRST), links="  links: [{relation: contradicts, claim: two}]\n")
            + claim("two", ev("b-book", SECOND), links="  links: [{relation: contradicts, claim: one}]\n"),
            ["asserted"],
            id="asserted-both-ways-is-one",
        ),
        pytest.param(
            claim("one", ev("a-book", FIRST), links="  links: [{relation: refines, claim: two}]\n") + claim("two", ev("b-book", SECOND)),
            [],
            id="near-miss-refines-is-not-a-contradiction",
        ),
        pytest.param(
            claim("crossed", ev("a-book", CROSSED), "volunteers", "crossing", '{date: "1950-10-19"}')
            + claim("twelve", ev("a-book", TWELVE), "division", "first-combat", "{relative: {claim: crossed, days: 12}}")
            + claim("first", ev("b-book", FIRST), "division", "first-combat", '{date: "1950-11-01"}'),
            ["derived"],
            id="derived-12-days-after-is-31-october",
        ),
        pytest.param(
            claim("crossed", ev("a-book", CROSSED), "volunteers", "crossing", '{date: "1950-10-19"}')
            + claim("thirteen", ev("a-book", TWELVE), "division", "first-combat", "{relative: {claim: crossed, days: 13}}")
            + claim("first", ev("b-book", FIRST), "division", "first-combat", '{date: "1950-11-01"}'),
            [],
            id="near-miss-derived-arithmetic-agrees",
        ),
    ],
)
def test_contradictions(tmp_path, claims, kinds):
    conn = corpus(tmp_path, claims)
    assert [r[0] for r in conn.execute("select kind from contradictions order by kind")] == kinds


def test_derived_contradiction_explains_the_arithmetic(tmp_path):
    conn = corpus(
        tmp_path,
        claim("crossed", ev("a-book", CROSSED), "volunteers", "crossing", '{date: "1950-10-19"}')
        + claim("twelve", ev("a-book", TWELVE), "division", "first-combat", "{relative: {claim: crossed, days: 12}}")
        + claim("first", ev("b-book", FIRST), "division", "first-combat", '{date: "1950-11-01"}'),
    )
    explanation, members = conn.execute(
        "select explanation, (select group_concat(claim_id) from contradiction_members m where m.contradiction_id = c.id) from contradictions c"
    ).fetchone()
    assert explanation == "the air division, date of first combat: 1950-11-01 and 12 days after crossed (1950-10-31) cannot be the same day"
    assert members == "first,twelve"
    assert conn.execute("select value_date_earliest from claims where id = 'twelve'").fetchone() == ("1950-10-31",)


def test_contradiction_ids_are_stable(tmp_path):
    claims = claim("c", ev("a-book", FIRST) + ev("b-book", SECOND, "conflicts"))
    first = corpus(tmp_path / "1", claims).execute("select id from contradictions").fetchall()
    second = corpus(tmp_path / "2", claims + claim("other", ev("a-book", CROSSED))).execute("select id from contradictions").fetchall()
    assert first == second


def test_chain_ends_honestly(tmp_path):
    conn = corpus(tmp_path, claim("c", ev("a-book", FIRST, via="a-n1") + ev("b-book", FIRST)))
    rows = conn.execute("select from_id, citation_id, to_id, footnote, to_read, note from chain_links order by id").fetchall()
    assert rows == [("a-book", "a-n1", "telegram", 1, 0, None), ("b-book", None, None, None, 0, "no citation given")]


def test_derive_gives_the_same_rows_when_its_caches_are_emptied_every_time(tmp_path, monkeypatch):
    claims = (
        claim("c1", ev("a-book", FIRST, via="a-n1") + ev("b-book", FIRST, via="b-n1") + ev("a-book", SECOND, "conflicts"))
        + claim("c2", ev("a-book", FIRST, via="a-n1") + ev("b-book", FIRST))
        + claim("c3", ev("b-book", FIRST, via="b-n1") + ev("a-book", SECOND, via="a-n1", stance="qualifies"))
        + claim("c4")
    )
    db = tmp_path / "p.db"
    corpus(tmp_path, claims).close()
    tables = ["claim_status", "evidence_origins", "evidence_assessments", "chain_links", "contradictions", "contradiction_members"]

    def derived(limit: int) -> dict[str, list[tuple]]:
        monkeypatch.setattr(analysis._Trails, "LIMIT", limit)
        conn = sqlite3.connect(db, isolation_level=None)
        for table in analysis.DERIVED_TABLES:
            conn.execute(f"drop table if exists [{table}]")
        analysis.derive(sqlite_utils.Database(conn))
        rows = {t: conn.execute(f"select rowid, * from [{t}] order by rowid").fetchall() for t in tables}
        conn.close()
        return rows

    cached, uncached = derived(100_000), derived(1)
    assert cached == uncached
    assert len(cached["chain_links"]) == 7 and len(cached["claim_status"]) == 4


@pytest.mark.parametrize(
    "edtf, parts",
    [
        ("1950-11-01", {"date-parts": [[1950, 11, 1]]}),
        ("1950-11", {"date-parts": [[1950, 11]]}),
        ("1950~", {"date-parts": [[1950]], "circa": True}),
        ("1949/1950", {"date-parts": [[1949], [1950]]}),
    ],
)
def test_csl_dates_keep_precision(edtf, parts):
    from provenance.citing import csl_date

    assert csl_date(edtf) == parts
