"""A bounded load run against a local server: a mix of every page, with 1 and with N workers.

Starts the site as `provenance serve --workers N` does (uvicorn's workers running
provenance.asgi on a built database) on 127.0.0.1, warms it up (every source text asked for
a few times per worker, so each process has highlighted them, then `--warmup` seconds of
the mix), then for a fixed time
keeps `--concurrency` clients busy, each sending one request after another (HTTP/1.1,
keep-alive) to a page drawn at random, with equal weights, from:

    home, claim page, claim JSON, source with text (a page of passages in context),
    source without text, contradictions, entity, search, Datasette's table page,
    Datasette's row page, Datasette's SQL page

and reports per page requests/s, median, p95 and p99 latency and errors (any answer but
200), and the memory of all the server's processes (RSS and PSS, sampled every second)
over the run, so a leak shows as growth. Each `--workers` value gets a fresh server and
the same sequence of pages. The clients run on the same machine, in this process.

    python benchmarks/load.py --db /tmp/bench100k/corpus-100000/provenance.db --workers 1,2 --seconds 60

Only 127.0.0.1; the run stops by itself. Exit status 1 if any request failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import random
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.asgi import server_command  # noqa: E402

PAGES = [
    "home",
    "claim",
    "claim JSON",
    "source with text",
    "source without text",
    "contradictions",
    "entity",
    "search",
    "Datasette table",
    "Datasette row",
    "Datasette SQL",
]
DATASETTE_PAGES = {"Datasette table", "Datasette row", "Datasette SQL"}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Corpus:
    """Ids to ask for, sampled once from the database (the same for every run)."""

    def __init__(self, db: Path, seed: int):
        conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
        q = lambda sql: [r[0] for r in conn.execute(sql)]  # noqa: E731
        self.name = db.stem
        self.claims = q("select id from claims order by random() limit 5000")
        self.text_sources = q("select id from sources where text_length is not null")
        self.cited_sources = q("select id from sources where text_length is null order by random() limit 1000")
        self.passages = q("select id from evidence where anchor_start is not null order by random() limit 5000")
        self.entities = q("select id from entities order by random() limit 2000")
        self.signals = q("select distinct signal from contradiction_signals")
        words = [w for s in q("select statement from claims order by random() limit 300") for w in s.split()]
        self.words = [w.strip(".,;:") for w in words if len(w.strip(".,;:")) > 3][:500]
        self.total_claims = conn.execute("select count(*) from claims").fetchone()[0]
        conn.close()
        self.rng = random.Random(seed)

    def path(self, page: str) -> str:
        r, db = self.rng, self.name
        if page == "home":
            return "/"
        if page == "claim":
            return f"/claim/{quote(r.choice(self.claims), safe='')}"
        if page == "claim JSON":
            return f"/claim/{quote(r.choice(self.claims), safe='')}.json"
        if page == "source with text":  # as a reader arrives: from a claim's passage, or paging
            if r.random() < 0.5:
                return f"/source/{quote(r.choice(self.text_sources), safe='')}?page={r.randint(1, 20)}"
            return f"/source/{quote(r.choice(self.text_sources), safe='')}?ev={quote(r.choice(self.passages))}"
        if page == "source without text":
            return f"/source/{quote(r.choice(self.cited_sources or self.text_sources), safe='')}"
        if page == "contradictions":
            return "/contradictions?" + urlencode({"kind": r.choice(self.signals + [""]), "page": r.randint(1, 3)})
        if page == "entity":
            return f"/entity/{quote(r.choice(self.entities), safe='')}"
        if page == "search":
            return "/search?" + urlencode({"q": r.choice(self.words)})
        if page == "Datasette table":
            return f"/{db}/claims?" + urlencode({"_next": r.choice(self.claims)})
        if page == "Datasette row":
            return f"/{db}/claims/{quote(r.choice(self.claims), safe='')}"
        if page == "Datasette SQL":
            sql = "select c.id, c.statement, s.status from claims c join claim_status s on s.claim_id = c.id where c.id >= :id order by c.id limit 20"
            return f"/{db}?" + urlencode({"sql": sql, "id": r.choice(self.claims)})
        raise ValueError(page)


def _client(port: int, jobs: list[tuple[str, str]], lock: threading.Lock, deadline: float, results: list) -> None:
    """One client: takes the next (page, path) and GETs it on its keep-alive connection."""
    conn = None
    while time.monotonic() < deadline:
        with lock:
            if not jobs:
                return
            page, path = jobs.pop()
        started = time.perf_counter()
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            status, size = response.status, len(body)
            if response.getheader("connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            status, size = 0, 0
            if conn is not None:
                conn.close()
            conn = None
        results.append((page, time.perf_counter() - started, status, size, path))
    if conn is not None:
        conn.close()


def _processes(root: int) -> list[int]:
    """The process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _memory_mb(root: int) -> tuple[float, float]:
    """RSS and PSS (shared pages counted once, in shares) of a process tree, in MB."""
    rss = pss = 0
    for pid in _processes(root):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024


def _clients(port: int, jobs: list[tuple[str, str]], threads: int, duration: float) -> list:
    """``threads`` clients in this process, until the jobs run out or ``duration`` passes.

    The clients are split over a few processes: 32 threads in one Python process queue for
    its one interpreter lock and cannot keep a two-process server busy.
    """
    jobs = list(reversed(jobs))
    results: list = []
    lock = threading.Lock()
    deadline = time.monotonic() + duration
    running = [threading.Thread(target=_client, args=(port, jobs, lock, deadline, results)) for _ in range(threads)]
    for t in running:
        t.start()
    for t in running:
        t.join()
    return results


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _wait_until_up(port: int, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/-/versions.json")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def run(
    db: Path,
    corpus: Corpus,
    workers: int,
    seconds: float,
    warmup: float,
    concurrency: int,
    seed: int,
    processes: int,
    cost_seconds: float = 0,
    warm_texts: bool = True,
) -> dict:
    port = _port()
    command, env = server_command(db, "127.0.0.1", port, workers)
    command.append("--no-access-log")
    server = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_up(port, server)
        corpus.rng.seed(seed)
        rng = random.Random(seed)

        def phase(duration: float, pages: list[str] = PAGES, jobs: list | None = None) -> tuple[list, float]:
            jobs = jobs or [(p, corpus.path(p)) for p in (rng.choice(pages) for _ in range(int(duration * 1000)))]
            started = time.monotonic()
            with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
                parts = pool.map(
                    _clients,
                    [port] * processes,
                    [jobs[i::processes] for i in range(processes)],
                    [concurrency // processes] * processes,
                    [duration] * processes,
                )
                results = [r for part in parts for r in part]
            return results, time.monotonic() - started

        # Warm up: every source text a few times per worker (each process highlights a text
        # on its first request for it, and keeps it: a miss costs 30-100 ms at 100k claims),
        # then the mix. The run then measures the steady state.
        if warm_texts:
            texts = [("source with text", f"/source/{quote(s, safe='')}") for s in corpus.text_sources] * (4 * workers)
            rng.shuffle(texts)
            phase(600, jobs=texts)
        phase(warmup)
        samples: list[tuple[float, float, float]] = []
        stop = threading.Event()

        def sample() -> None:
            t0 = time.monotonic()
            while not stop.is_set():
                samples.append((time.monotonic() - t0, *_memory_mb(server.pid)))
                stop.wait(1.0)

        sampler = threading.Thread(target=sample)
        server_processes = _processes(server.pid)
        load_before = os.getloadavg()[0]
        busy, server_cpu, clients_cpu = (
            _busy_seconds(),
            _cpu_seconds(server_processes),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        sampler.start()
        results, elapsed = phase(seconds)
        stop.set()
        sampler.join()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = {
            "server": _cpu_seconds(server_processes) - server_cpu,
            "clients": after.ru_utime + after.ru_stime - clients_cpu.ru_utime - clients_cpu.ru_stime,
            "machine": _busy_seconds() - busy,
        }
        cpu["others"] = max(0.0, cpu["machine"] - cpu["server"] - cpu["clients"])
        # then each page alone: the server's CPU for one of it, whatever else runs on the machine
        cost = {}
        for page in PAGES if cost_seconds else []:
            before = _cpu_seconds(server_processes)
            alone, _ = phase(cost_seconds, [page])
            cost[page] = round(1000 * (_cpu_seconds(server_processes) - before) / max(1, len(alone)), 1)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    pages = {}
    for page in PAGES:
        rows = [r for r in results if r[0] == page]
        times = [r[1] * 1000 for r in rows]
        pages[page] = {
            "requests": len(rows),
            "requests_per_s": round(len(rows) / elapsed, 1),
            "median_ms": round(statistics.median(times), 1) if times else None,
            "p95_ms": round(_percentile(times, 0.95), 1) if times else None,
            "p99_ms": round(_percentile(times, 0.99), 1) if times else None,
            "errors": sum(1 for r in rows if r[2] != 200),
            "mean_kb": round(statistics.mean(r[3] for r in rows) / 1000, 1) if rows else None,
        }
    third = max(1, len(samples) // 3)
    return {
        "workers": workers,
        "seconds": round(elapsed, 1),
        "requests": len(results),
        "requests_per_s": round(len(results) / elapsed, 1),
        "errors": sum(1 for r in results if r[2] != 200),
        "error_examples": [(r[0], r[2], r[4]) for r in results if r[2] != 200][:5],
        # cores busy on average over the run: the server, the clients, and everything else on
        # the machine (other people's work on a shared machine shows here)
        "cores_busy": {k: round(v / elapsed, 2) for k, v in cpu.items()},
        "server_cpu_ms_per_request": round(1000 * cpu["server"] / max(1, len(results)), 1),
        "load_average_before": round(load_before, 2),
        "server_cpu_ms_per_request_alone": cost,
        "pages": pages,
        "memory_mb": {
            "rss_start": round(samples[0][1], 1),
            "rss_max": round(max(s[1] for s in samples), 1),
            "rss_end": round(samples[-1][1], 1),
            "rss_first_third_mean": round(statistics.mean(s[1] for s in samples[:third]), 1),
            "rss_last_third_mean": round(statistics.mean(s[1] for s in samples[-third:]), 1),
            "pss_start": round(samples[0][2], 1),
            "pss_end": round(samples[-1][2], 1),
            "samples": [(round(t), round(rss), round(pss)) for t, rss, pss in samples],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--workers", default="1,2", help="comma-separated numbers of server processes to compare (default 1,2)")
    parser.add_argument("--seconds", type=float, default=60, help="length of each measured run (default 60)")
    parser.add_argument("--warmup", type=float, default=10, help="unmeasured mixed load first (default 10 s)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--cost-seconds", type=float, default=0, help="then each page alone for this long, for its CPU a request (default 0: not)"
    )
    parser.add_argument(
        "--cold-texts",
        action="store_true",
        help="do not ask for every source text before the run (by default each is asked 4 times per worker)",
    )
    parser.add_argument("--client-processes", type=int, default=4, help="processes the clients are split over (default 4)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    corpus = Corpus(args.db, args.seed)
    runs = []
    print(
        f"{corpus.total_claims:,} claims; concurrency {args.concurrency}; {args.seconds:.0f} s per run after {args.warmup:.0f} s of warm-up"
    )
    for workers in [int(w) for w in args.workers.split(",")]:
        print(f"... {workers} worker{'s' if workers != 1 else ''}", flush=True)
        runs.append(
            run(
                args.db,
                corpus,
                workers,
                args.seconds,
                args.warmup,
                args.concurrency,
                args.seed,
                args.client_processes,
                args.cost_seconds,
                not args.cold_texts,
            )
        )

    head = "".join(f"{'workers ' + str(r['workers']):>36}" for r in runs)
    print(f"\n{'':<22}{head}")
    print(
        f"{'page':<22}"
        + "".join(f"{'req/s':>7}{'p50':>7}{'p95':>7}{'p99':>7}{'err':>5}{'KB':>3}" for _ in runs).replace("KB", "  ")
    )
    for page in PAGES:
        cells = "".join(
            f"{p['requests_per_s']:>7}{p['median_ms']:>7.0f}{p['p95_ms']:>7.0f}{p['p99_ms']:>7.0f}{p['errors']:>5}   "
            for p in (r["pages"][page] for r in runs)
        )
        print(f"{page:<22}{cells}")
    print(f"{'all':<22}" + "".join(f"{r['requests_per_s']:>7}{'':>21}{r['errors']:>5}   " for r in runs))
    for r in runs:
        m = r["memory_mb"]
        print(
            f"workers {r['workers']}: server RSS (all processes) {m['rss_start']:.0f} MB at start, {m['rss_max']:.0f} max, "
            f"{m['rss_end']:.0f} at end (mean {m['rss_first_third_mean']:.0f} in the first third, {m['rss_last_third_mean']:.0f} in the last); "
            f"PSS {m['pss_start']:.0f} -> {m['pss_end']:.0f} MB"
        )
        c = r["cores_busy"]
        print(
            f"  cores busy: server {c['server']}, clients {c['clients']}, other processes {c['others']} "
            f"(load average {r['load_average_before']} before); server CPU {r['server_cpu_ms_per_request']} ms a request"
        )
        if r["server_cpu_ms_per_request_alone"]:
            costs = r["server_cpu_ms_per_request_alone"]
            print("  server CPU ms a request, each page alone: " + ", ".join(f"{k} {v}" for k, v in costs.items()))
            print(
                f"  mean of the mix {statistics.mean(costs.values()):.1f} ms: at most {1000 * (os.cpu_count() or 1) / statistics.mean(costs.values()):.0f} requests/s on {os.cpu_count()} cores"
            )
        for example in r["error_examples"]:
            print(f"  error: {example}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
                    "db": str(args.db),
                    "claims": corpus.total_claims,
                    "concurrency": args.concurrency,
                    "runs": runs,
                },
                indent=2,
            )
        )
    sys.exit(1 if any(r["errors"] for r in runs) else 0)


if __name__ == "__main__":
    main()
