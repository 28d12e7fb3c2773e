"""A rebuild while `provenance serve` runs: readers never get answers from two builds."""

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from provenance import build_database

from .conftest import CORPUS

QUERY = "/provenance.json?_shape=array&sql=select+(select+seeds_digest+from+build_info)+as+d,+(select+count(*)+from+claims)+as+n"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ask(base: str):
    try:
        with urllib.request.urlopen(base + QUERY, timeout=2) as response:
            row = json.loads(response.read())[0]
            return row["d"], row["n"]
    except OSError:
        return None  # restarting


def _add_claim(seeds, n: int) -> None:
    path = seeds / "claims" / "extra.yaml"
    claims = "".join(
        f"- id: extra-{i}\n  statement: Extra claim {i}.\n  evidence:\n    - source: memo\n      stance: supports\n"
        f"      quote: The division moved to Andong within ten days.\n      locator: para. 2\n"
        for i in range(n)
    )
    path.write_text(claims)


def _wait_for(base, predicate, seen, timeout=40):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = _ask(base)
        if answer is not None:
            seen.append(answer)
            if predicate(answer):
                return answer
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting; seen {seen[-5:]}")


def test_rebuilds_while_serving_never_mix_builds(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(CORPUS, seeds)
    db = tmp_path / "provenance.db"
    port = _port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "provenance", "serve", str(seeds), "-o", str(db), "-p", str(port), "--watch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        seen: list = []
        first = _wait_for(base, lambda a: True, seen)
        assert first[1] == 3

        _add_claim(seeds, 2)  # the seeds change: --watch rebuilds, the server restarts
        second = _wait_for(base, lambda a: a[1] == 5, seen)

        build_database(seeds, db)  # an outside rebuild (same content) also restarts it
        _add_claim(seeds, 4)
        build_database(seeds, db)  # and an outside rebuild with new content
        _wait_for(base, lambda a: a[1] == 7, seen)

        # once a newer build has answered, no older one answers again
        counts = [n for _, n in seen]
        assert counts == sorted(counts), counts
        assert second[0] != first[0]
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert server.returncode == 0
    # the Datasette process it supervised is gone too: nothing answers any more
    time.sleep(0.5)
    assert _ask(base) is None


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            children = [int(c) for t in Path(f"/proc/{parent}/task").iterdir() for c in (t / "children").read_text().split()]
        except OSError:
            children = []
        found += children
        todo += children
    return found


@pytest.mark.slow
def test_serve_with_workers_answers_and_stops_them_all(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(CORPUS, seeds)
    port = _port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "provenance",
            "serve",
            str(seeds),
            "-o",
            str(tmp_path / "provenance.db"),
            "-p",
            str(port),
            "--workers",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(base, lambda a: True, [])[1] == 3
        workers = [p for p in _descendants(server.pid) if "provenance.asgi" in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")
                   or "multiprocessing.spawn" in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")]  # fmt: skip
        assert len(workers) >= 3  # uvicorn's supervisor and its two workers
        processes = _descendants(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.returncode == 0
    time.sleep(0.5)
    assert _ask(base) is None
    deadline = time.monotonic() + 10  # multiprocessing's resource tracker leaves once its pipe closes
    while (left := [p for p in processes if _alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == [], [Path(f"/proc/{p}/cmdline").read_bytes() for p in left]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
