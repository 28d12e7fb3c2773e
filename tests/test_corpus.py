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
    supporting = {r[0] for r in conn.execute("select source_id from evidence where claim_id = ? and stance = 'supports'", [CANONICAL])}
    assert supporting == {"zhang-2020", "shen-2020"}
    status, sources, origins, groups, reason = conn.execute(
        "select status, supporting_sources, independent_origins, origin_groups, reason from claim_status where claim_id = ?", [CANONICAL]
    ).fetchone()
    assert (status, sources, origins) == ("supported", 2, 1)
    assert json.loads(groups) == [["zakharov-to-stalin-1950-11"]]
    assert "rest on Zakharov to Stalin" in reason


def test_cite_names_the_thesis_footnote_and_the_telegram(db):
    output = CliRunner().invoke(cli, ["cite", CANONICAL, "-o", str(db)]).output
    first = output.splitlines()[2]
    assert "Shiyao Zhang" in first and "n. 143" in first
    assert "citing M. V. Zakharov, “Zakharov to Stalin about Soviet and North Korean Air Force operations”" in first


def _disagreements():
    text = (ROOT / "seeds" / "README.md").read_text(encoding="utf-8")
    table = text.split("### Disagreements found", 1)[1]
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[2] in ("value-conflict", "stance-conflict", "asserted", "derived"):
            yield pytest.param(re.findall(r"`([a-z0-9-]+)`", cells[1]), cells[2], id=cells[1].split("`")[1])


DISAGREEMENTS = list(_disagreements())


def test_the_readme_lists_the_named_disagreements():
    assert len(DISAGREEMENTS) >= 6


@pytest.mark.parametrize("claims, kind", DISAGREEMENTS)
def test_each_listed_disagreement_is_found(conn, claims, kind):
    found = conn.execute(
        "select c.id from contradictions c where c.kind = ? and "
        "(select group_concat(claim_id) from (select distinct claim_id from contradiction_members m "
        " where m.contradiction_id = c.id order by claim_id)) = ?",
        [kind, ",".join(sorted(claims))],
    ).fetchall()
    assert found, f"{kind} between {claims} not found"


def test_no_alias_pair_is_flagged(conn):
    # two entity values that share any name are never a value conflict
    rows = conn.execute(
        """select c.id from contradictions c
           join contradiction_members m1 on m1.contradiction_id = c.id
           join contradiction_members m2 on m2.contradiction_id = c.id and m2.claim_id > m1.claim_id
           join claims a on a.id = m1.claim_id join claims b on b.id = m2.claim_id
           where c.kind = 'value-conflict' and a.value_entity_id is not null and b.value_entity_id is not null
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
