"""Fuzz target for the seed loader (atheris): any bytes in any seed file raise nothing but
the project's own errors.

Short run (CI does this through tests/test_fuzz.py):
    python tests/fuzz/fuzz_seeds.py -runs=2000
Long run, with a corpus folder kept between runs:
    python tests/fuzz/fuzz_seeds.py -max_total_time=3600 fuzz-corpus/
"""

import collections
import contextlib
import shutil
import sys
import tempfile
from pathlib import Path

import atheris

# Third-party libraries are imported before instrumentation: only the project's own code
# is instrumented (instrumenting pydantic's internals crashes the interpreter).
import edtf  # noqa: F401
import pydantic  # noqa: F401
import rapidfuzz  # noqa: F401
import sqlite_utils  # noqa: F401
import yaml  # noqa: F401

with atheris.instrument_imports(include=["provenance"]):
    from provenance import ProvenanceError
    from provenance.seeds import Seeds

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "corpus"
WORK = Path(tempfile.mkdtemp(prefix="provenance-fuzz-"))
SEEDS = WORK / "seeds"
shutil.copytree(CORPUS, SEEDS)
TARGETS = ["claims/combat.yaml", "sources/memo.yaml", "entities/all.yaml", "citations/memo.yaml", "texts/memo.txt"]
ORIGINAL = {name: (SEEDS / name).read_bytes() for name in TARGETS}


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    target = TARGETS[provider.ConsumeIntInRange(0, len(TARGETS) - 1)]
    keep = provider.ConsumeBool()
    payload = provider.ConsumeBytes(provider.remaining_bytes())
    for name, content in ORIGINAL.items():
        (SEEDS / name).write_bytes(content)
    # Either a file made of fuzz, or the real file with fuzz spliced in: both reach deep.
    original = ORIGINAL[target]
    at = len(payload) % (len(original) + 1)
    (SEEDS / target).write_bytes(original[:at] + payload + original[at:] if keep else payload)
    with contextlib.suppress(ProvenanceError):  # the loader's own errors are the expected outcome
        collections.deque(Seeds(SEEDS).records(), maxlen=0)  # read every record


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    try:
        atheris.Fuzz()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
