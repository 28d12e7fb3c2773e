"""Facts of the bundled corpus that must stay true, so later edits cannot silently lose them."""

import json
import re
import sqlite3

import pytest
from click.testing import CliRunner

from provenance import build_database
from provenance.cli import cli

from .conftest import ROOT

CANONICAL = "soviet-air-force-first-combat-1950-11-01"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "provenance.db"
    build_database(ROOT / "seeds", path)
    return path


@pytest.fixture(scope="module")
def conn(db):
    return sqlite3.connect(db)


def test_counts(conn):
    counts = json.loads(conn.execute("select counts from build_info").fetchone()[0])
    with_text = conn.execute("select count(*) from sources where text is not null").fetchone()[0]
    assert with_text == 5
    assert counts["sources"] - with_text >= 30  # cited works
    assert counts["entities"] >= 25
    assert counts["claims"] >= 60
    assert counts["evidence"] >= 150


def test_texts_are_the_shared_seeds_unchanged(conn):
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for path, sha in conn.execute("select text_path, text_sha256 from sources where text is not null"):
        import hashlib

        assert hashlib.sha256((shared / path.removeprefix("texts/")).read_bytes()).hexdigest() == sha


def test_canonical_claim_rests_on_one_origin(conn):
    supporting = {
        r[0] for r in conn.execute("select source_id from evidence where claim_id = ? and stance = 'supports'", [CANONICAL])
    }
    assert supporting == {"zhang-2020", "shen-2020"}
    status, sources, origins, groups, reason = conn.execute(
        "select status, supporting_sources, independent_origins, origin_groups, reason from claim_status where claim_id = ?",
        [CANONICAL],
    ).fetchone()
    assert (status, sources, origins) == ("supported", 2, 1)
    assert json.loads(groups) == [["zakharov-to-stalin-1950-11"]]
    # named as a reader names it, with the passages that reach it: the thesis's note first, as curated
    assert reason.startswith("1 independent origin supports it: Zakharov's report to Stalin (Zhang 2020, n. 143; Shen 2020")
    assert "relays it without endorsing it: CIA information report of April 1954" in reason


def test_cite_names_the_thesis_footnote_and_the_telegram(db):
    output = CliRunner().invoke(cli, ["cite", CANONICAL, "-o", str(db)]).output
    first = output.splitlines()[2]
    assert "Shiyao Zhang" in first and "n. 143" in first
    assert "citing M. V. Zakharov, “Zakharov to Stalin about Soviet and North Korean Air Force operations”" in first


SIGNALS = ("asserted", "value-conflict", "derived", "stance-conflict")


def _disagreements():
    text = (ROOT / "seeds" / "README.md").read_text(encoding="utf-8")
    table = text.split("### Disagreements found", 1)[1]
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[2].split(", ")[0] in SIGNALS:
            yield pytest.param(re.findall(r"`([a-z0-9-]+)`", cells[1]), cells[2].split(", "), id=cells[1].split("`")[1])


DISAGREEMENTS = list(_disagreements())


def test_the_readme_lists_the_named_disagreements():
    assert len(DISAGREEMENTS) >= 6


def _claims_of(conn, contradiction_id):
    return sorted(
        r[0]
        for r in conn.execute(
            "select claim_id from contradiction_members where contradiction_id = ? and role = 'claim'", [contradiction_id]
        )
    )


@pytest.mark.parametrize("claims, signals", DISAGREEMENTS)
def test_each_listed_disagreement_is_one_record_with_its_signals(conn, claims, signals):
    found = [
        (cid, json.loads(kinds))
        for cid, kinds in conn.execute("select id, signals from contradictions")
        if _claims_of(conn, cid) == sorted(claims)
    ]
    assert len(found) == 1, f"{claims}: {len(found)} records"
    assert found[0][1] == signals


def test_the_readme_lists_every_disagreement(conn):
    listed = {tuple(sorted(p.values[0])) for p in DISAGREEMENTS}
    built = {tuple(_claims_of(conn, cid)) for (cid,) in conn.execute("select id from contradictions")}
    assert built == listed


def test_no_pair_of_claims_is_in_two_records_and_no_claim_contradicts_itself(conn):
    pairs = conn.execute(
        """select a.claim_id, b.claim_id, count(distinct a.contradiction_id) from contradiction_members a
           join contradiction_members b on b.contradiction_id = a.contradiction_id and b.claim_id > a.claim_id
           where a.role = 'claim' and b.role = 'claim' group by 1, 2 having count(distinct a.contradiction_id) > 1"""
    ).fetchall()
    assert pairs == []
    # a record of one claim is a claim whose own sources divide, never a claim against itself
    for cid, claims, signals in conn.execute("select id, claims, signals from contradictions"):
        assert claims == len(_claims_of(conn, cid))
        if claims == 1:
            assert json.loads(signals) == ["stance-conflict"]


def test_no_passage_rests_on_a_footnote_it_does_not_cite(conn):
    # every footnote-level derivation reached from a passage is one its via names
    leaks = conn.execute(
        """select l.evidence_id, l.citation_id from chain_links l join citations c on c.id = l.citation_id
           where c.footnote is not null and c.source_id = (select source_id from evidence where id = l.evidence_id)
             and not exists (select 1 from evidence_via v where v.evidence_id = l.evidence_id and v.citation_id = l.citation_id)"""
    ).fetchall()
    assert leaks == []
    # the Shen case: only the passages citing note 4 rest on Shen's 1996 article
    on_1996 = {
        r[0]
        for r in conn.execute(
            "select evidence_id from evidence_origins where origin_id = 'shen-1996-cwihp-discrepancy-mao-2-october'"
        )
    }
    citing_4 = {
        r[0]
        for r in conn.execute(
            "select v.evidence_id from evidence_via v join citations c on c.id = v.citation_id where c.source_id = 'shen-2020' and c.footnote = 4"
        )
    }
    assert on_1996 and on_1996 <= citing_4


def test_a_collection_is_reached_only_at_its_pages(conn):
    # the Zakharov report reaches only passages that cite it (or the collection at its pages)
    paths = [
        json.loads(r[0]) for r in conn.execute("select path from evidence_origins where origin_id = 'zakharov-to-stalin-1950-11'")
    ]
    assert paths and all(
        path[-2:] != ["shen-2003-declassified-files", "zakharov-to-stalin-1950-11"] or len(path) == 3 for path in paths
    )
    telegrams = conn.execute(
        "select count(*) from evidence_origins where path like '%-in-shen-2003%' or (origin_id = 'zakharov-to-stalin-1950-11' and path like '%telegram%')"
    ).fetchone()[0]
    assert telegrams == 0


def test_no_alias_pair_is_flagged(conn):
    # two entity values that share any name are never a value conflict
    rows = conn.execute(
        """select c.id from contradictions c
           join contradiction_members m1 on m1.contradiction_id = c.id
           join contradiction_members m2 on m2.contradiction_id = c.id and m2.claim_id > m1.claim_id
           join claims a on a.id = m1.claim_id join claims b on b.id = m2.claim_id
           where c.signals like '%value-conflict%' and m1.role = 'claim' and m2.role = 'claim' and a.value_entity_id is not null and b.value_entity_id is not null
             and exists (select 1 from aliases x join aliases y on lower(x.name) = lower(y.name)
                         where x.entity_id = a.value_entity_id and y.entity_id = b.value_entity_id)"""
    ).fetchall()
    assert rows == []


def test_spellings_are_recorded(conn):
    def names(entity):
        return {r[0] for r in conn.execute("select name from aliases where entity_id = ?", [entity])}

    assert {"Andong", "Anton"} <= names("andong")
    assert {"Mao Zedong", "Mao Tse-tung"} <= names("mao-zedong")
    assert "Roshen" in names("roshchin")
