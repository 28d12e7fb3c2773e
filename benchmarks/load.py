"""A bounded load run against a local server: claim pages, claim JSON, search, contradictions.

Starts Datasette (as `provenance serve` configures it) on 127.0.0.1 with a built database,
sends a fixed number of requests per endpoint at a fixed concurrency, and reports errors,
median, p95 and p99 latency, and the server's memory (RSS) before, during and after, so a
leak shows as growth. Only 127.0.0.1; the run stops by itself.

    python benchmarks/load.py --db /tmp/corpus-100000/provenance.db --requests 2000 --concurrency 32
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.publish import datasette_args, write_metadata  # noqa: E402


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _get(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as ex:
        status = ex.code
    except OSError:
        status = 0
    return time.perf_counter() - started, status


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--requests", type=int, default=2000, help="requests per endpoint")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5, help="extra rounds of claim pages to watch memory settle")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    claims = [r[0] for r in conn.execute("select id from claims order by random() limit 5000")]
    words = [r[0].split()[0] for r in conn.execute("select statement from claims order by random() limit 200")]
    kinds = [r[0] for r in conn.execute("select distinct kind from contradictions")]
    total_claims = conn.execute("select count(*) from claims").fetchone()[0]
    conn.close()
    rng = random.Random(args.seed)

    port = _port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        metadata = write_metadata(Path(tmp) / "metadata.json", args.db.stem)
        server = subprocess.Popen(
            [sys.executable, "-m", "datasette", *datasette_args(args.db, metadata, "127.0.0.1", port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while _get(base + "/-/versions.json")[1] != 200:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            endpoints = {
                "claim page": lambda: f"{base}/claim/{rng.choice(claims)}",
                "claim JSON": lambda: f"{base}/claim/{rng.choice(claims)}.json",
                "search": lambda: f"{base}/search?q={rng.choice(words)}",
                "contradictions page": lambda: f"{base}/contradictions?kind={rng.choice(kinds or [''])}&page={rng.randint(1, 3)}",
            }
            results = {"claims": total_claims, "requests_per_endpoint": args.requests, "concurrency": args.concurrency, "endpoints": {}}
            rss = [_rss_mb(server.pid)]
            print(f"{total_claims:,} claims; {args.requests} requests per endpoint at concurrency {args.concurrency}")
            print(f"{'endpoint':<22}{'req/s':>8}{'median ms':>11}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'RSS MB':>9}")
            for name, make in endpoints.items():
                urls = [make() for _ in range(args.requests)]
                started = time.perf_counter()
                with ThreadPoolExecutor(args.concurrency) as pool:
                    outcomes = list(pool.map(_get, urls))
                elapsed = time.perf_counter() - started
                times = [t * 1000 for t, _ in outcomes]
                errors = sum(1 for _, status in outcomes if status != 200)
                rss.append(_rss_mb(server.pid))
                row = {
                    "requests_per_s": round(args.requests / elapsed, 1),
                    "median_ms": round(statistics.median(times), 1),
                    "p95_ms": round(_percentile(times, 0.95), 1),
                    "p99_ms": round(_percentile(times, 0.99), 1),
                    "errors": errors,
                    "rss_mb_after": round(rss[-1], 1),
                }
                results["endpoints"][name] = row
                print(f"{name:<22}{row['requests_per_s']:>8}{row['median_ms']:>11}{row['p95_ms']:>9}{row['p99_ms']:>9}{errors:>8}{row['rss_mb_after']:>9}")
            # more rounds of every endpoint: memory should settle, not keep growing
            extra_errors = 0
            for _ in range(args.rounds):
                urls = [make() for make in endpoints.values() for _ in range(args.requests // 4)]
                with ThreadPoolExecutor(args.concurrency) as pool:
                    extra_errors += sum(1 for _, status in pool.map(_get, urls) if status != 200)
                rss.append(_rss_mb(server.pid))
            results["rss_mb"] = [round(r, 1) for r in rss]
            results["errors"] = sum(e["errors"] for e in results["endpoints"].values()) + extra_errors
            print(f"server RSS, MB: start {rss[0]:.0f}; after each endpoint {', '.join(f'{r:.0f}' for r in rss[1:5])}; "
                  f"after each further round of all four {', '.join(f'{r:.0f}' for r in rss[5:])}")
            print(f"errors: {results['errors']}")
        finally:
            server.terminate()
            server.wait(timeout=20)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    sys.exit(1 if results["errors"] else 0)


if __name__ == "__main__":
    main()
