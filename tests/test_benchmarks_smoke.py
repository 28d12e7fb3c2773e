"""The benchmark tools on a small corpus: generation is deterministic and the product finds
everything planted in it. Correctness only; speed is measured by benchmarks/run.py."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from provenance import build_database
from provenance.anchoring import normalise
from provenance.exchange import JsonlSeeds

pytestmark = pytest.mark.slow  # run with everything in CI; skip with -m 'not slow'

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generate = _load("generate")
run = _load("run")

SMALL = ["--claims", "300", "--sources", "20", "--seed", "7"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "corpus"
    generate.main([*SMALL, "--texts-beside", "--out", str(out)])
    return out


def test_generated_corpus_has_what_was_asked(corpus):
    manifest = json.loads((corpus / "manifest.json").read_text())
    counts = manifest["counts"]
    assert counts["claims"] == 300
    assert counts["evidence"] == 900
    assert counts["sources"] == 20
    assert counts["evidence_normalised"] > 0
    assert counts["planted_contradictions"] >= 7
    kinds = {p["kind"] for p in manifest["planted_contradictions"]}
    assert kinds == {"value-conflict", "stance-conflict", "asserted", "derived"}
    assert len(manifest["near_misses"]) == 10
    lines = (corpus / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    order = [json.loads(line)["type"] for line in lines]
    assert order == sorted(order, key=["source", "citation", "entity", "property", "claim"].index)


def test_generation_is_deterministic(corpus, tmp_path):
    again = tmp_path / "again"
    generate.main([*SMALL, "--texts-beside", "--out", str(again)])
    assert (again / "corpus.jsonl").read_bytes() == (corpus / "corpus.jsonl").read_bytes()
    for text in (corpus / "texts").iterdir():
        assert (again / "texts" / text.name).read_bytes() == text.read_bytes()


def test_generator_normalises_as_the_product_does():
    args = generate.build_parser().parse_args([*SMALL, "--out", "unused"])
    for name, value in generate.scaled_defaults(args.claims).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.max_text_kb = 40
    corpus = generate.Corpus(args)
    corpus.make_pool()
    for text in corpus.pool:
        assert "\u201c" in text.raw or "-\n" in text.raw
        assert normalise(text.raw).text == text.norm


def test_import_finds_every_planted_contradiction_and_rejects_near_misses(corpus):
    db = corpus / "provenance.db"
    build_database(JsonlSeeds(corpus / "corpus.jsonl"), db)
    # the build itself runs the quick checks; here, the full ones on every table
    conn = sqlite3.connect(db)
    assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
    assert conn.execute("pragma foreign_key_check").fetchall() == []
    conn.close()
    checks = run.check_correctness(corpus, db, timeout=60)
    failed = {name: c["detail"] for name, c in checks.items() if not c["ok"]}
    assert not failed
    assert set(checks) >= {
        "planted contradictions found",
        "no unplanted contradictions",
        "compatible pairs not flagged",
        "near misses rejected",
    }


def test_seeds_format_builds_the_same_claims(tmp_path):
    out = tmp_path / "seeds"
    generate.main(
        ["--claims", "120", "--sources", "20", "--seed", "3", "--format", "seeds", "--near-misses", "0", "--out", str(out)]
    )
    result = build_database(out, tmp_path / "seeds.db")
    manifest = json.loads((out / "manifest.json").read_text())
    assert result.counts["claims"] == manifest["counts"]["claims"] == 120
    assert result.counts["evidence"] == manifest["counts"]["evidence"]
    assert result.counts["contradictions"] == manifest["counts"]["planted_contradictions"]
