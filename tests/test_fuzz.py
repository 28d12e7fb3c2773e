"""A short atheris run of the seed-loader fuzz target: it must end without a crash."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # run with everything in CI; skip with -m 'not slow'

atheris = pytest.importorskip("atheris")

TARGET = Path(__file__).parent / "fuzz" / "fuzz_seeds.py"


def test_seed_loader_raises_only_its_own_errors(tmp_path):
    result = subprocess.run(
        [sys.executable, str(TARGET), "-runs=2000", "-seed=1", f"-artifact_prefix={tmp_path}/"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = "\n".join(line for line in result.stderr.splitlines() if "INFO: Instrumenting" not in line)
    assert result.returncode == 0, report[-3000:]
    assert "Done 2000 runs" in result.stderr
