"""The analysis on built databases: status and reasons, origins written with their paths,
chains, grades, contradictions as one record per disagreement, and the bundled corpus end
to end. (The rules alone are tables in test_origins, test_status and test_contradictions.)"""

import json
import sqlite3

import pytest
import sqlite_utils

from provenance import build_database
from provenance.analysis import database as derive_module
from provenance.tables import DERIVED_TABLES

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


SOURCES = (
    "".join(
        f"- id: {s}\n  kind: book\n  title: {s.title()}\n  origin: secondary\n  text: texts/{s[0]}.txt\n"
        for s in ("a-book", "b-book")
    )
    + "- id: telegram\n  kind: telegram\n  title: The telegram\n  origin: primary\n"
)


def corpus(tmp_path, claims: str, extra_properties: str = "", citations: str = "", sources: str = SOURCES):
    seeds = tmp_path / "seeds"
    for folder in ("texts", "sources", "entities", "properties", "claims", "citations"):
        (seeds / folder).mkdir(parents=True)
    (seeds / "texts/a.txt").write_text(TEXT)
    (seeds / "texts/b.txt").write_text(TEXT)
    (seeds / "texts/c.txt").write_text(TEXT)
    (seeds / "sources/all.yaml").write_text(sources)
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
SECOND = "Our records show the air division first fought on 31 October 1950 near the river."


def test_shared_root_is_one_origin(tmp_path):
    conn = corpus(tmp_path, claim("c", ev("a-book", FIRST, via="a-n1") + ev("b-book", FIRST, via="b-n1")))
    status, sources, origins, reason = conn.execute(
        "select status, supporting_sources, independent_origins, reason from claim_status"
    ).fetchone()
    assert (status, sources, origins) == ("supported", 2, 1)
    assert reason == "1 independent origin supports it: The telegram (A-Book, n. 1; B-Book, n. 1) [unjudged]"
    assert conn.execute("select count(*) from evidence_assessments where computed_credibility is not null").fetchone()[0] == 0


def test_independent_sources_corroborate_and_are_graded(tmp_path):
    conn = corpus(tmp_path, claim("c", ev("a-book", FIRST, via="a-n1") + ev("b-book", FIRST)))
    assert conn.execute("select status, independent_origins from claim_status").fetchone() == ("corroborated", 2)
    grades = conn.execute("select weight, computed_credibility, reason from evidence_assessments").fetchall()
    assert grades == [("unjudged", 1, "confirmed by 1 other independent origin")] * 2
    # the curator's grade column is untouched
    assert conn.execute("select count(*) from evidence where credibility is not null").fetchone()[0] == 0


def test_citation_cycle_does_not_hang(tmp_path):
    cycle = (
        "- id: a-b\n  source: a-book\n  cites: b-book\n  relation: version-of\n"
        "- id: b-a\n  source: b-book\n  cites: a-book\n  relation: version-of\n"
    )
    conn = corpus(tmp_path, claim("c", ev("a-book", FIRST) + ev("b-book", FIRST)), citations=cycle)
    assert conn.execute("select status, independent_origins from claim_status").fetchone() == ("supported", 1)


GRADED = (
    "- id: a-book\n  kind: book\n  title: The history\n  authors: [{family: Zhang, given: Shiyao}]\n  issued: '2020'\n"
    "  origin: secondary\n  reliability: {grade: B, reason: A thesis with notes.}\n  text: texts/a.txt\n"
    "- id: b-book\n  kind: blog-post\n  title: A blog\n  issued: '2007'\n  origin: tertiary\n"
    "  reliability: {grade: D, reason: Unsigned.}\n  text: texts/b.txt\n"
    "- id: c-book\n  kind: book\n  title: The chapter\n  authors: [{family: Shen, given: Zhihua}]\n  issued: '2020'\n"
    "  origin: secondary\n  reliability: {grade: A, reason: A leading historian.}\n  text: texts/c.txt\n"
    "- id: telegram\n  kind: telegram\n  title: 'Zakharov to Stalin: air operations'\n  short_title: Zakharov's report to Stalin\n"
    "  issued: 1950-11-02\n  origin: primary\n  reliability: {grade: B, reason: An eyewitness.}\n"
)
NOTES = (
    "- id: a-n143\n  source: a-book\n  cites: telegram\n  footnote: 143\n"
    "- id: c-inferred\n  source: c-book\n  cites: telegram\n  inferred: true\n  note: The chapter gives no note; the thesis does.\n"
)


@pytest.mark.parametrize(
    "evidence, status, reason, weak",
    [
        pytest.param(
            ev("a-book", FIRST, via="a-n143") + ev("c-book", FIRST, via="c-inferred"),
            "supported",
            "1 independent origin supports it: Zakharov's report to Stalin (Zhang 2020, n. 143; Shen 2020, by an inferred link)",
            None,
            id="one-origin-named-with-its-passages",
        ),
        pytest.param(
            ev("a-book", FIRST, via="a-n143") + ev("c-book", SECOND) + ev("b-book", SECOND, "conflicts"),
            "corroborated",
            "2 independent origins support it: Zakharov's report to Stalin (Zhang 2020, n. 143); Shen 2020; "
            "disputed by a doubtful source: A blog (2007)",
            "A blog (2007) (doubtful)",
            id="weak-dissent-named-never-contests",
        ),
        pytest.param(
            ev("a-book", FIRST, via="a-n143") + ev("c-book", SECOND, "conflicts"),
            "contested",
            "1 independent origin supports it: Zakharov's report to Stalin (Zhang 2020, n. 143); 1 independent origin conflicts: Shen 2020",
            None,
            id="credible-dissent-contests",
        ),
        pytest.param(
            ev("a-book", FIRST, "reports", via="a-n143") + ev("c-book", SECOND, "reports"),
            "reported",
            "2 independent origins relay it without endorsing it: Zakharov's report to Stalin (Zhang 2020, n. 143); Shen 2020",
            None,
            id="relayed-by-two-independent-reports",
        ),
        pytest.param(
            ev("b-book", SECOND, "conflicts"),
            "unsupported",
            "disputed by a doubtful source: A blog (2007)",
            "A blog (2007) (doubtful)",
            id="near-miss-a-doubtful-source-alone-does-not-refute",
        ),
        pytest.param(
            ev("a-book", FIRST, via="a-n143") + ev("a-book", SECOND),
            "supported",
            "1 independent origin supports it: Zakharov's report to Stalin (Zhang 2020, n. 143)",
            None,
            id="near-miss-a-source-does-not-corroborate-itself",
        ),
    ],
)
def test_weighted_status_and_reasons_in_a_readers_words(tmp_path, evidence, status, reason, weak):
    conn = corpus(tmp_path, claim("c", evidence), sources=GRADED, citations=NOTES)
    assert conn.execute("select status, reason, weak_dissent from claim_status").fetchone() == (status, reason, weak)


def test_counts_of_independent_origins_on_each_side_are_stored_with_their_weights(tmp_path):
    evidence = (
        ev("a-book", FIRST, via="a-n143")
        + ev("c-book", SECOND)
        + ev("b-book", SECOND, "conflicts")
        + ev("b-book", FIRST, "reports")
    )
    conn = corpus(tmp_path, claim("c", evidence), sources=GRADED, citations=NOTES)
    row = conn.execute(
        "select independent_origins, credible_origins, conflicting_origins, reporting_origins, sides from claim_status"
    ).fetchone()
    assert row[:4] == (2, 2, 1, 1)
    sides = json.loads(row[4])
    assert [line["weight"] for line in sides["supports"]] == ["credible", "credible"]
    assert [(line["roots"], line["weight"]) for line in sides["conflicts"]] == [(["b-book"], "doubtful")]
    weights = dict(
        conn.execute("select e.source_id, a.weight from evidence_assessments a join evidence e on e.id = a.evidence_id")
    )
    assert weights == {"a-book": "credible", "b-book": "doubtful", "c-book": "credible"}


SHEN = (
    "- id: c-n4\n  source: c-book\n  cites: telegram\n  relation: quotes\n  footnote: 4\n"
    "- id: b-whole\n  source: b-book\n  cites: c-book\n  relation: summarises\n"
)


@pytest.mark.parametrize(
    "source, via, origins, inferred",
    [
        ("c-book", None, ["c-book"], 0),  # the abstract: note 4's quotation does not leak to it
        ("c-book", "c-n4", ["telegram"], 0),  # a passage citing note 4 rests on what the note quotes
        ("b-book", None, ["c-book"], 0),  # a whole-work summary makes every passage of the blog rest on the chapter
    ],
)
def test_a_derivation_at_a_footnote_belongs_to_the_passages_citing_it(tmp_path, source, via, origins, inferred):
    conn = corpus(tmp_path, claim("c", ev(source, FIRST, via=via)), sources=GRADED, citations=SHEN)
    assert [r for r in conn.execute("select origin_id, inferred from evidence_origins")] == [(o, inferred) for o in origins]
    hops = [r[0] for r in conn.execute("select citation_id from chain_links where citation_id is not null")]
    assert ("c-n4" in hops) == (via == "c-n4")


def test_an_inferred_link_is_marked_in_origins_and_chains(tmp_path):
    conn = corpus(tmp_path, claim("c", ev("c-book", FIRST, via="c-inferred")), sources=GRADED, citations=NOTES)
    assert conn.execute("select origin_id, inferred from evidence_origins").fetchall() == [("telegram", 1)]
    assert conn.execute("select citation_id, inferred from chain_links").fetchall() == [("c-inferred", 1)]


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
        pytest.param(
            claim("c", ev("a-book", FIRST) + ev("b-book", SECOND, "conflicts")), ["stance-conflict"], id="stance-conflict"
        ),
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
            claim("one", ev("a-book", FIRST), links="  links: [{relation: refines, claim: two}]\n")
            + claim("two", ev("b-book", SECOND)),
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
    found = sorted(k for (signals,) in conn.execute("select signals from contradictions") for k in json.loads(signals))
    assert found == sorted(kinds)
    assert conn.execute("select count(*) from contradictions").fetchone()[0] == (1 if kinds else 0)


def test_derived_contradiction_explains_the_arithmetic(tmp_path):
    conn = corpus(
        tmp_path,
        claim("crossed", ev("a-book", CROSSED), "volunteers", "crossing", '{date: "1950-10-19"}')
        + claim("twelve", ev("a-book", TWELVE), "division", "first-combat", "{relative: {claim: crossed, days: 12}}")
        + claim("first", ev("b-book", FIRST), "division", "first-combat", '{date: "1950-11-01"}'),
    )
    explanation, members = conn.execute(
        "select explanation, (select group_concat(claim_id) from contradiction_members m where m.contradiction_id = c.id "
        "and m.role = 'claim') from contradictions c"
    ).fetchone()
    assert (
        explanation
        == "the air division, date of first combat: 1950-11-01 and 12 days after crossed (1950-10-31) cannot be the same day"
    )
    assert members == "first,twelve"
    assert conn.execute("select value_date_earliest from claims where id = 'twelve'").fetchone() == ("1950-10-31",)


def test_contradiction_ids_are_stable(tmp_path):
    claims = claim("c", ev("a-book", FIRST) + ev("b-book", SECOND, "conflicts"))
    first = corpus(tmp_path / "1", claims).execute("select id from contradictions").fetchall()
    second = (
        corpus(tmp_path / "2", claims + claim("other", ev("a-book", CROSSED))).execute("select id from contradictions").fetchall()
    )
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
    tables = [t for t in DERIVED_TABLES if t != "source_notes"]

    def derived(limit: int) -> dict[str, list[tuple]]:
        monkeypatch.setattr(derive_module._Trails, "LIMIT", limit)
        conn = sqlite3.connect(db, isolation_level=None)
        for table in DERIVED_TABLES:
            conn.execute(f"drop table if exists [{table}]")
        derive_module.derive(sqlite_utils.Database(conn))
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
