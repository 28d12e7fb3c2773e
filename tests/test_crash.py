"""A handful of SIGKILLs at random points of a build (benchmarks/crash.py does 100)."""

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # run with everything in CI; skip with -m 'not slow'

spec = importlib.util.spec_from_file_location("crash", Path(__file__).parent.parent / "benchmarks" / "crash.py")
crash = importlib.util.module_from_spec(spec)
spec.loader.exec_module(crash)


def test_killed_builds_leave_the_previous_database_or_the_new_one(tmp_path):
    outcome = crash.kill_points(kills=5, seed=7, claims=1500, folder=tmp_path)
    assert outcome["bad"] == []
    assert outcome["kills"] == 5
    assert outcome["previous_intact"] + outcome["new_complete"] == 5
