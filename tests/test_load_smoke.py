"""The load benchmark, run for two seconds on the test corpus: every page answers under
load, with and without workers (the figures are in benchmarks/README.md, not here)."""

import json
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


def test_a_tiny_mixed_load_run(corpus_db, tmp_path):
    out = tmp_path / "load.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load.py"), "--db", str(corpus_db), "--workers", "1,2", "--seconds", "2",
         "--warmup", "1", "--concurrency", "4", "--client-processes", "2", "--json", str(out)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads(out.read_text())
    assert [r["workers"] for r in results["runs"]] == [1, 2]
    for r in results["runs"]:
        assert r["errors"] == 0 and r["requests"] > 20
        assert all(page["requests"] > 0 for page in r["pages"].values()), r["pages"]
        assert r["memory_mb"]["rss_max"] > 30
    assert "Datasette table" in run.stdout
