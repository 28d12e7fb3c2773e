"""Chicago notes from the build's source_notes templates are exactly citeproc-py's own.

The claim page cites without running citeproc-py: each source's note is rendered by the
build, whole and with a mark where a page or note number goes (``source_notes``), and a
citation is the template with the mark replaced. These tests compare that, citation by
citation, with citeproc-py's rendering (``citing._render_one``, kept as the reference and
the fallback) on the bundled_db corpus and on a generated one, and check the build's
rendering process, its failures, and databases built before the table existed.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import pytest
import sqlite_utils

from provenance import build_database, citing, pages
from provenance.citing import CSL_TYPES, NOTE_MARK, _from_template, _render_one, csl_item
from provenance.errors import BuildError
from provenance.exchange import JsonlSeeds
from provenance.queries import evidence_chain

from .conftest import CORPUS, ROOT, table_rows


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """benchmarks/generate.py --claims 2000 --texts-beside, imported."""
    spec = importlib.util.spec_from_file_location("benchmarks_generate_notes", ROOT / "benchmarks" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate
    spec.loader.exec_module(generate)
    out = tmp_path_factory.mktemp("generated")
    generate.main(["--claims", "2000", "--texts-beside", "--out", str(out / "corpus")])
    build_database(JsonlSeeds(out / "corpus" / "corpus.jsonl"), out / "provenance.db")
    return out / "provenance.db"


def _open(path: Path) -> sqlite_utils.Database:
    return sqlite_utils.Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))


def _reference(source: dict, label: str | None, locator: str | None) -> str:
    return _render_one(json.dumps(csl_item(source), sort_keys=True, ensure_ascii=False), label, locator)


def _compare_every_citation(path: Path) -> Counter:
    """Every citation on every claim page, from the templates and by citeproc-py; how they went."""
    db = _open(path)
    seen: set[tuple] = set()
    tally: Counter = Counter()
    for (claim_id,) in db.execute("select id from claims order by id"):
        _, chain = evidence_chain(db, claim_id)
        sources = citing.chain_source_rows(db, chain)
        notes = citing.source_notes(db, list(sources))
        assert set(notes) == set(sources), claim_id  # a fresh build has every source's notes
        for _, cites in citing.chain_citations(chain):
            for key, label, locator in cites:
                tally["citations"] += 1
                if (key, label, locator) in seen:
                    continue
                seen.add((key, label, locator))
                fast = _from_template(notes[key], label, locator)
                if fast is None:
                    tally["left to citeproc-py"] += 1
                    continue
                assert fast == _reference(sources[key], label, locator), (claim_id, key, label, locator)
                tally["from templates", label] += 1
    return tally


def test_every_citation_of_the_bundled_corpus_equals_citeproc(bundled_db):
    tally = _compare_every_citation(bundled_db)
    assert tally["citations"] > 500
    # at the time of writing every one is served from the templates; a curator's odd
    # locator ("12 n.") would be left to citeproc-py, rightly, but should stay rare
    assert tally["left to citeproc-py"] <= tally["citations"] // 100
    assert tally["from templates", "page"] and tally["from templates", "note"] and tally["from templates", None]


def test_every_citation_of_a_generated_corpus_equals_citeproc(generated):
    tally = _compare_every_citation(generated)
    assert tally["citations"] > 10000
    assert tally["left to citeproc-py"] == 0
    assert tally["from templates", "page"] and tally["from templates", "note"] and tally["from templates", None]


def test_whole_footnotes_equal_the_full_rendering(bundled_db):
    db = _open(bundled_db)
    for (claim_id,) in db.execute("select id from claims order by id"):
        _, chain = evidence_chain(db, claim_id)
        assert citing.chain_notes(db, chain) == citing.chain_notes(db, chain, templates=False), claim_id


LOCATORS = [
    "5",
    "12",
    "143",
    "4-5",
    "613–614",
    "321-328",
    "1100-1123",
    "iv",
    "xii-xiv",
    "12a",
    "A3",
    "12, 14",
    "3 and 5",
    "fol. 12",
    "12-14, 16-18",
    "5 f",
    "Anhang 3",
    "л. 5",
]


@pytest.mark.parametrize("kind", sorted(CSL_TYPES) + ["something-else"])
def test_templates_of_every_kind_of_source(kind):
    """Each kind of source, with every field csl_item maps, at pages and notes of many shapes."""
    source = {
        "id": "s",
        "kind": kind,
        "title": "A Title: With a Subtitle",
        "authors": '[{"family": "Smith", "given": "J. K."}, {"literal": "The Office"}]',
        "editors": '[{"family": "Doe", "given": "A."}]',
        "issued": "1950-11-02",
        "container_title": "The Container",
        "publisher": "A Press",
        "place": "Moscow",
        "pages": "321-328",
        "volume": "3",
        "url": "https://example.org/x",
        "archive": "AVP RF",
        "archive_location": "f. 059a, op. 5, d. 3",
        "language": "ru",
    }
    [row] = citing.render_source_notes([source])
    assert row["note_template"].count(NOTE_MARK) == 1
    assert row["note"] == _reference(source, None, None)
    for locator in LOCATORS:
        for label in ("page", "note"):
            fast = _from_template(row, label, locator)
            if label == "page" or locator.isdigit():
                assert fast is not None, (label, locator)
            if fast is not None:
                assert fast == _reference(source, label, locator), (kind, label, locator)


@pytest.mark.parametrize(
    "label, locator",
    [
        ("page", " 5"),
        ("page", "5."),
        ("page", "4-5,"),
        ("page", "(5)"),
        ("page", "5 "),
        ("page", "№ 5"),
        ("note", "12-14"),
        ("note", "12a"),
        ("note", "١٢"),
        ("chapter", "3"),
    ],
)
def test_locators_citeproc_might_change_are_left_to_it(label, locator):
    source = {"id": "s", "kind": "book", "title": "A Book"}
    [row] = citing.render_source_notes([source])
    assert _from_template(row, label, locator) is None
    assert citing.render_citation(source, row, label, locator) == _reference(source, label, locator)


def test_a_source_holding_the_mark_has_no_template():
    source = {"id": "s", "kind": "book", "title": f"A Book {NOTE_MARK}"}
    [row] = citing.render_source_notes([source])
    assert row["note_template"] is None
    assert _from_template(row, "page", "5") is None
    assert citing.render_citation(source, row, "page", "5") == _reference(source, "page", "5")


def test_the_claim_page_runs_no_citeproc(bundled_db, monkeypatch):
    def refuse(*args):
        raise AssertionError("citeproc-py ran on the request path")

    monkeypatch.setattr(citing, "_cite", refuse)
    citing._render_one.cache_clear()
    conn = sqlite3.connect(f"file:{bundled_db}?mode=ro", uri=True)
    for (claim_id,) in conn.execute("select id from claims order by id").fetchall():
        context = pages.claim_context(conn, claim_id)
        assert len(context["notes"]) == sum(len(v) for k, v in context["by_stance"].items() if k in ("supports", "conflicts"))


def test_a_database_without_the_table_still_serves_claim_pages(bundled_db, tmp_path):
    old = tmp_path / "old.db"
    shutil.copy(bundled_db, old)
    conn = sqlite3.connect(old)
    conn.execute("drop table source_notes")
    conn.commit()
    conn.close()
    before = sqlite3.connect(f"file:{bundled_db}?mode=ro", uri=True)
    after = sqlite3.connect(f"file:{old}?mode=ro", uri=True)
    for (claim_id,) in before.execute("select id from claims order by id limit 30").fetchall():
        assert pages.claim_context(after, claim_id)["notes"] == pages.claim_context(before, claim_id)["notes"]


def test_the_build_renders_in_another_process_the_same_rows(tmp_path, monkeypatch):
    here = tmp_path / "in-process.db"
    build_database(CORPUS, here)
    monkeypatch.setattr(citing, "IN_PROCESS_BELOW", 0)  # the test corpus is small: force the worker
    there = tmp_path / "worker.db"
    result = build_database(CORPUS, there)
    assert result.counts["source_notes"] == result.counts["sources"]
    assert table_rows(there) == table_rows(here)


def test_a_failure_in_the_rendering_process_fails_the_build(monkeypatch):
    monkeypatch.setattr(citing, "IN_PROCESS_BELOW", 0)
    with pytest.raises(BuildError, match=r"rendering the sources' notes failed \(exit status 1\): KeyError: 'kind'"):
        with citing.rendering_source_notes([{"id": "no-kind"}]) as rows:
            rows()


def test_a_build_whose_rendering_fails_fails_and_leaves_no_database(tmp_path, monkeypatch):
    monkeypatch.setattr(citing, "IN_PROCESS_BELOW", 0)
    monkeypatch.setattr(citing, "CSL_COLUMNS", tuple(c for c in citing.CSL_COLUMNS if c != "kind"))  # the worker's rows lack it
    target = tmp_path / "provenance.db"
    with pytest.raises(BuildError, match="KeyError: 'kind'"):
        build_database(CORPUS, target)
    assert list(tmp_path.iterdir()) == []  # no database, no temporary file, no lock file


def test_a_failed_build_kills_the_rendering_process(monkeypatch):
    monkeypatch.setattr(citing, "IN_PROCESS_BELOW", 0)
    started = []
    real = citing.subprocess.Popen
    monkeypatch.setattr(citing.subprocess, "Popen", lambda *a, **k: started.append(real(*a, **k)) or started[-1])
    with pytest.raises(ZeroDivisionError):
        with citing.rendering_source_notes([{"id": "s", "kind": "book", "title": "A Book"}] * 2000):
            raise ZeroDivisionError  # the analysis failing while the worker renders
    assert started[0].returncode == -9  # killed, not waited for


def test_a_failure_rendering_in_process_fails_the_build():
    with pytest.raises(BuildError, match="rendering the sources' notes failed: KeyError"):
        with citing.rendering_source_notes([{"id": "no-kind"}]) as rows:
            rows()
