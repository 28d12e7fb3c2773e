"""The build: content, atomicity (failed and killed builds), determinism and the lock."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from provenance import BuildLocked, SeedsInvalid, build_database
from provenance.build import _lock

from .conftest import table_rows


def test_tables_keys_and_anchors(corpus_db):
    conn = sqlite3.connect(corpus_db)
    counts = dict(conn.execute("select 'sources', count(*) from sources union all select 'evidence', count(*) from evidence"))
    assert counts == {"sources": 3, "evidence": 4}
    # every quote's anchor points at the passage in the stored text
    for text, start, end, exact in conn.execute(
        "select s.text, e.anchor_start, e.anchor_end, e.anchor_exact from evidence e join sources s on s.id = e.source_id"
    ):
        assert text[start:end] == exact
    sha, length = conn.execute("select text_sha256, text_length from sources where id = 'memo'").fetchone()
    assert len(sha) == 64 and length > 100
    assert conn.execute("pragma foreign_key_check").fetchall() == []
    assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
    fks = {(r[2], r[3]) for r in conn.execute("pragma foreign_key_list(evidence)")}
    assert fks == {("claims", "claim_id"), ("sources", "source_id")}
    indexed = {r[2] for r in conn.execute("pragma index_list(evidence)") for r in conn.execute(f"pragma index_info([{r[1]}])")}
    assert {"claim_id", "source_id"} <= indexed


def test_full_text_search(corpus_db):
    conn = sqlite3.connect(corpus_db)
    hits = conn.execute("select rowid from evidence_fts where evidence_fts match 'uniforms'").fetchall()
    assert len(hits) == 1
    assert conn.execute("select count(*) from sources_fts where sources_fts match 'Andong'").fetchone()[0] == 2
    assert conn.execute("select count(*) from claims_fts where claims_fts match 'fought'").fetchone()[0] == 1


def test_build_info(corpus_db):
    conn = sqlite3.connect(corpus_db)
    _, digest, counts = conn.execute("select package_version, seeds_digest, counts from build_info").fetchone()
    assert len(digest) == 64
    assert json.loads(counts)["claims"] == 3


def test_same_seeds_give_the_same_content(seeds, tmp_path):
    build_database(seeds, tmp_path / "a.db")
    build_database(seeds, tmp_path / "b.db")
    assert table_rows(tmp_path / "a.db") == table_rows(tmp_path / "b.db")


def test_failed_build_leaves_the_previous_database_untouched(seeds, tmp_path):
    db = tmp_path / "provenance.db"
    build_database(seeds, db)
    before = db.read_bytes()
    (seeds / "claims/combat.yaml").write_text("- id: Bad Id\n", encoding="utf-8")
    with pytest.raises(SeedsInvalid):
        build_database(seeds, db)
    assert db.read_bytes() == before
    assert list(tmp_path.glob(".provenance.db.tmp-*")) == []


def _big_corpus(seeds, claims=6000):
    lines = []
    for i in range(claims):
        lines += [
            f"- id: claim-{i}",
            f"  statement: Generated claim number {i}.",
            "  evidence:",
            "    - source: memo",
            "      stance: supports",
            "      quote: The division moved to Andong within ten days.",
            "      locator: para. 2",
        ]
    (seeds / "claims/generated.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_killed_build_leaves_the_previous_database_readable(seeds, tmp_path):
    db = tmp_path / "provenance.db"
    build_database(seeds, db)
    before = table_rows(db)
    _big_corpus(seeds)
    code = f"from provenance import build_database; build_database({str(seeds)!r}, {str(db)!r})"
    process = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".provenance.db.tmp-*")):
        assert process.poll() is None, "the build ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert list(tmp_path.glob(".provenance.db.tmp-*")), "the killed build should have left its temporary file"
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    conn.close()
    assert table_rows(db) == before
    # the next build cleans up after the killed one
    build_database(seeds, db)
    assert list(tmp_path.glob(".provenance.db.tmp-*")) == []
    assert sqlite3.connect(db).execute("select count(*) from claims").fetchone()[0] == 6003


def test_a_second_build_at_once_is_refused(seeds, tmp_path):
    db = tmp_path / "provenance.db"
    with _lock(db):
        with pytest.raises(BuildLocked, match=r"another build of .* is running"):
            build_database(seeds, db)
    build_database(seeds, db)  # the lock is released


def test_a_row_key_that_is_not_a_column_is_an_error_not_a_dropped_value():
    import sqlite_utils

    from provenance.tables import TABLES, create_tables, insert_rows

    db = sqlite_utils.Database(memory=True)
    create_tables(db, {"properties": TABLES["properties"]})
    with pytest.raises(
        ValueError, match=r"rows for properties have keys that are not its columns: 'lable' \(did you mean 'label'\?\)"
    ):
        insert_rows(db.conn, "properties", [{"id": "p", "lable": "a property"}])
    insert_rows(db.conn, "properties", [{"id": "p", "label": "a property"}])  # a column left out is NULL
    assert db.execute("select id, label, unit from properties").fetchall() == [("p", "a property", None)]
