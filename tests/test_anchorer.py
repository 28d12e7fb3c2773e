"""Quotes anchored in a second process give exactly what anchoring in place gives:
the same database, the same messages, and a clear error if the worker dies."""

from __future__ import annotations

import json
import shutil

import pytest

import provenance.exchange as exchange
import provenance.seeds as seeds
from provenance import build_database
from provenance.anchorer import Anchorer
from provenance.anchoring import Anchor
from provenance.errors import BuildError, SeedsInvalid
from provenance.exchange import JsonlSeeds

from .conftest import ROOT
from .test_exchange import content, export


@pytest.fixture
def corpus_jsonl(tmp_path):
    """The bundled corpus as JSON Lines, read in chunks of 9 claims."""
    build_database(ROOT / "seeds", tmp_path / "bundled.db")
    export(tmp_path / "bundled.db", tmp_path / "corpus.jsonl")
    return tmp_path / "corpus.jsonl"


def _build(path, db, monkeypatch, worker: bool):
    monkeypatch.setattr(exchange, "CHUNK", 9)
    monkeypatch.setattr(seeds, "ANCHOR_IN_WORKER_FROM", 0 if worker else 10**9)
    return build_database(JsonlSeeds(path), db)


def test_worker_builds_the_same_database(corpus_jsonl, tmp_path, monkeypatch):
    _build(corpus_jsonl, tmp_path / "here.db", monkeypatch, worker=False)
    _build(corpus_jsonl, tmp_path / "worker.db", monkeypatch, worker=True)
    assert content(tmp_path / "here.db") == content(tmp_path / "worker.db")


def test_worker_reports_the_same_problems(corpus_jsonl, tmp_path, monkeypatch):
    lines = corpus_jsonl.read_text(encoding="utf-8").splitlines()
    broken = []
    for number, line in enumerate(lines):
        envelope = json.loads(line)
        if envelope["type"] == "claim" and len(broken) < 3:
            item = envelope["record"]["evidence"][0]
            item["quote"] = item["quote"].replace(" ", "  ", 1)[::-1]  # no longer in the text
            broken.append(envelope["record"]["id"])
            lines[number] = json.dumps(envelope, ensure_ascii=False)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")

    messages = {}
    for worker in (False, True):
        with pytest.raises(SeedsInvalid) as caught:
            _build(bad, tmp_path / f"bad-{worker}.db", monkeypatch, worker=worker)
        messages[worker] = [str(p) for p in caught.value.problems]
        assert not (tmp_path / f"bad-{worker}.db").exists()
    assert messages[True] == messages[False]
    assert sum("the quote is not in the source's text" in m for m in messages[True]) == len(broken) == 3
    assert all(any(claim in m for m in messages[True]) for claim in broken)


def test_results_come_back_in_order(tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("alpha beta gamma delta\nepsilon zeta eta theta alpha beta gamma\n", encoding="utf-8")
    jobs = [
        ("k", str(text), "gamma delta epsilon", None),
        ("k", str(text), "alpha beta gamma", None),
        ("k", str(text), "zeta eta", None),
    ]
    for worker in (False, True):
        anchorer = Anchorer(worker=worker)
        first = anchorer.submit(jobs)
        second = anchorer.submit(jobs[2:])
        anchors = first.result()
        assert isinstance(anchors[0], Anchor) and (anchors[0].start, anchors[0].method) == (11, "normalised")
        assert "occurs more than once" in anchors[1]
        assert second.result()[0].exact == "zeta eta"
        anchorer.close()


def test_a_dead_worker_is_a_clear_error(tmp_path):
    anchorer = Anchorer(worker=True)
    assert anchorer.in_worker
    # a text that cannot be read ends the worker with its traceback (on stderr)
    pending = anchorer.submit([("k", str(tmp_path / "missing.txt"), "some words here", None)])
    with pytest.raises(BuildError, match="process anchoring quotes ended unexpectedly"):
        pending.result()
    anchorer.kill()


def test_an_abandoned_read_stops_the_worker(corpus_jsonl, monkeypatch):
    monkeypatch.setattr(exchange, "CHUNK", 9)
    monkeypatch.setattr(seeds, "ANCHOR_IN_WORKER_FROM", 0)
    started = []
    real = Anchorer.__init__

    def spy(self, worker=False):
        real(self, worker)
        started.append(self)

    monkeypatch.setattr(Anchorer, "__init__", spy)
    records = JsonlSeeds(corpus_jsonl).records()
    for record in records:
        if isinstance(record, seeds.ClaimRecord):
            break
    records.close()
    assert started and not started[0].in_worker  # killed and waited for


def test_small_corpora_anchor_in_place(tmp_path):
    copy = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", copy)
    assert (
        seeds.Seeds(copy)._claims_expected(["claims/" + p.name for p in (copy / "claims").glob("*.yaml")])
        < seeds.ANCHOR_IN_WORKER_FROM
    )
