"""Kill the build with SIGKILL at many random points; the previous database must survive.

After each kill the target is either the previous database, intact (integrity_check ok,
same rows), or the new one, complete; and the next build leaves no temporary file.

    python benchmarks/crash.py --kills 100          # the long run
    (tests/test_crash.py runs a handful of kill points in CI)
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"


def make_seeds(folder: Path, claims: int) -> Path:
    """The test corpus plus ``claims`` generated claims, so a build takes a second or so."""
    seeds = folder / "seeds"
    shutil.copytree(CORPUS, seeds)
    lines = []
    for i in range(claims):
        lines += [
            f"- id: generated-{i}",
            f"  statement: Generated claim {i}.",
            "  evidence:",
            "    - source: memo",
            "      stance: supports",
            "      quote: The division moved to Andong within ten days.",
            "      locator: para. 2",
        ]
    (seeds / "claims" / "generated.yaml").write_text("\n".join(lines) + "\n")
    return seeds


def fingerprint(db: Path) -> tuple[str, int]:
    """(integrity_check result, number of claims) of a database, read-only."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("pragma integrity_check").fetchone()[0], conn.execute("select count(*) from claims").fetchone()[0]
    finally:
        conn.close()


def _build_command(seeds: Path, db: Path) -> list[str]:
    code = f"from provenance import build_database; build_database({str(seeds)!r}, {str(db)!r})"
    return [sys.executable, "-c", code]


def kill_points(kills: int, seed: int = 1, claims: int = 3000, folder: Path | None = None) -> dict:
    """Run ``kills`` builds killed at random moments; return what was found after each."""
    from provenance import build_database

    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="provenance-crash-", dir=folder))
    try:
        seeds = make_seeds(work, claims)
        db = work / "provenance.db"
        # the previous database: the seeds without the generated claims
        generated = seeds / "claims" / "generated.yaml"
        held = generated.read_text()
        generated.unlink()
        build_database(seeds, db)
        old = fingerprint(db)
        generated.write_text(held)

        started = time.perf_counter()
        subprocess.run(_build_command(seeds, work / "timing.db"), check=True)
        full = time.perf_counter() - started
        (work / "timing.db").unlink()

        outcome = {"kills": 0, "previous_intact": 0, "new_complete": 0, "build_seconds": round(full, 3), "bad": []}
        for _ in range(kills):
            if fingerprint(db) != old:  # a kill landed after the rename: start again from the old one
                generated.unlink()
                build_database(seeds, db)
                generated.write_text(held)
            delay = rng.uniform(0.0, full * 1.1)
            process = subprocess.Popen(_build_command(seeds, db))
            time.sleep(delay)
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
            process.wait()
            outcome["kills"] += 1
            state = fingerprint(db)
            if state == old:
                outcome["previous_intact"] += 1
            elif state[0] == "ok" and state[1] == old[1] + claims:
                outcome["new_complete"] += 1
            else:
                outcome["bad"].append({"delay": delay, "state": state})
            # the next build (of the same target) must clean up what the killed one left
            leftovers_before = list(work.glob(".provenance.db.tmp-*"))
            build_database(seeds, db)
            if list(work.glob(".provenance.db.tmp-*")) or fingerprint(db) != ("ok", old[1] + claims):
                outcome["bad"].append({"delay": delay, "leftover": [str(p) for p in leftovers_before]})
            generated.unlink()
            build_database(seeds, db)  # back to the previous database for the next round
            generated.write_text(held)
        return outcome
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--claims", type=int, default=3000)
    args = parser.parse_args()
    started = time.perf_counter()
    outcome = kill_points(args.kills, args.seed, args.claims)
    print(
        f"kill points: {outcome['kills']}  previous intact: {outcome['previous_intact']}  "
        f"new complete: {outcome['new_complete']}  bad: {len(outcome['bad'])}  "
        f"(a build takes {outcome['build_seconds']} s; {time.perf_counter() - started:.0f} s in all)"
    )
    for bad in outcome["bad"]:
        print("BAD", bad)
    sys.exit(1 if outcome["bad"] else 0)


if __name__ == "__main__":
    main()
