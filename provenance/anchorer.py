"""Anchoring the quotes of many claims, in this process or in a second one.

Reading a large corpus is two kinds of work: parsing and validating records (and, in a
build, writing rows), and searching source texts for quotes. They are independent for a
chunk of claims once its records are validated, so a large corpus anchors each chunk in a
second process while this one validates the next: on two cores the searching is then
mostly hidden behind the rest. A small corpus anchors in place, where starting a process
would cost more than it saves. Both ways give the same anchors and the same messages.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import typing
from collections import OrderedDict
from pathlib import Path

from .anchoring import Anchor, QuoteProblem, SourceText, locate
from .errors import BuildError

__all__ = ["TextCache", "Job", "Result", "Pending", "Anchorer", "anchor_jobs", "TEXT_CACHE_CHARS"]

# Characters of source text kept in memory with their normalised forms and offset maps
# (about 12 bytes a character in all, so at most about 1 GB): enough for the distinct texts
# of most corpora, so no text is normalised twice.
TEXT_CACHE_CHARS = 80_000_000

Job = tuple[str, str, str, int | None]  # text sha256, text path, quote, occurrence
Result = Anchor | str  # the anchor, or why the quote could not be anchored


class TextCache:
    """Source texts by content (sources that share a text share its normalised forms),
    least recently used first out, bounded by characters rather than by count."""

    def __init__(self, budget: int = TEXT_CACHE_CHARS):
        self.budget = budget
        self._texts: OrderedDict[str, SourceText] = OrderedDict()
        self._chars = 0

    def get(self, key: str, path: str | os.PathLike) -> SourceText:
        cached = self._texts.get(key)
        if cached is not None:
            self._texts.move_to_end(key)
            return cached
        cached = SourceText(Path(path).read_text(encoding="utf-8"))
        self._texts[key] = cached
        self._chars += len(cached.text)
        while self._chars > self.budget and len(self._texts) > 1:
            _, evicted = self._texts.popitem(last=False)
            self._chars -= len(evicted.text)
        return cached


def anchor_jobs(jobs: list[Job], cache: TextCache) -> list[Result]:
    """Anchor each quote in its text; a quote that cannot be anchored gives the reason."""
    out: list[Result] = []
    for key, path, quote, occurrence in jobs:
        try:
            out.append(locate(quote, cache.get(key, path), occurrence))
        except QuoteProblem as ex:
            out.append(str(ex))
    return out


class _Done:
    """Results already computed."""

    def __init__(self, value: list[Result]):
        self._value = value

    def result(self) -> list[Result]:
        return self._value


class _FromWorker:
    """Results the worker is computing; read once, when asked for."""

    def __init__(self, anchorer: Anchorer):
        self._anchorer = anchorer
        self._value: list[Result] | None = None

    def result(self) -> list[Result]:
        if self._value is None:
            self._value = [r if isinstance(r, str) else Anchor(*r) for r in self._anchorer._receive()]
        return self._value


class Pending(typing.Protocol):
    """The results of a chunk of jobs, ready or still being computed."""

    def result(self) -> list[Result]: ...


class Anchorer:
    """Takes chunks of jobs and hands back their results in order.

    With ``worker=True`` (and more than one CPU) the jobs run in a child process
    (:func:`_serve`), which reads chunks of jobs (pickled) on its standard
    input and writes their results on its standard output. It is a plain subprocess, not
    multiprocessing: nothing of this process is inherited (an open database, a server's
    threads) and the caller's ``__main__`` is never imported again. One chunk is in the
    worker at a time: :meth:`submit` collects the previous chunk's results first, so
    neither side can block on a full pipe.
    """

    def __init__(self, worker: bool = False):
        self._cache = TextCache()
        self._process: subprocess.Popen[bytes] | None = None
        self._pending: _FromWorker | None = None
        if worker and (os.cpu_count() or 1) > 1:
            package_root = str(Path(__file__).resolve().parent.parent)
            path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import sys; from provenance.anchorer import _serve; _serve(sys.stdin.buffer, sys.stdout.buffer)",
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": path},
            )

    @property
    def in_worker(self) -> bool:
        return self._process is not None

    def submit(self, jobs: list[Job]) -> Pending:
        if self._process is None:
            return _Done(anchor_jobs(jobs, self._cache))
        if self._pending is not None:
            self._pending.result()
        _, stdin, _ = self._pipes()
        try:
            pickle.dump(jobs, stdin, protocol=pickle.HIGHEST_PROTOCOL)
            stdin.flush()
        except BrokenPipeError:
            self._died()
        self._pending = _FromWorker(self)
        return self._pending

    def _receive(self) -> list:
        self._pending = None
        _, _, stdout = self._pipes()
        try:
            return pickle.load(stdout)
        except EOFError:
            self._died()

    def _pipes(self) -> tuple[subprocess.Popen[bytes], typing.IO[bytes], typing.IO[bytes]]:
        """The worker and its two pipes (only called while there is one)."""
        process = self._process
        assert process is not None and process.stdin is not None and process.stdout is not None
        return process, process.stdin, process.stdout

    def _died(self) -> typing.NoReturn:
        process, _, _ = self._pipes()
        code = process.wait()
        self._process = None
        raise BuildError(f"the process anchoring quotes ended unexpectedly (exit status {code}); its error is above")

    def kill(self) -> None:
        """Stop the worker at once (the reading failed or was abandoned)."""
        if self._process is not None:
            process, stdin, stdout = self._pipes()
            process.kill()
            process.wait()
            for pipe in (stdin, stdout):
                with contextlib.suppress(OSError):  # the other end is gone; nothing was left to write
                    pipe.close()
            self._process = None

    def close(self) -> None:
        """End the worker once every result has been read."""
        if self._process is not None:
            process, stdin, stdout = self._pipes()
            stdin.close()
            stdout.close()
            if process.wait(timeout=60) != 0:
                raise BuildError(f"the process anchoring quotes failed (exit status {process.returncode})")
            self._process = None


def _serve(stdin: typing.BinaryIO, stdout: typing.BinaryIO) -> None:
    """The worker: anchor each chunk of jobs read, until the input ends."""
    cache = TextCache()
    while True:
        try:
            jobs = pickle.load(stdin)
        except EOFError:
            return
        # plain tuples cross the process boundary several times faster than dataclasses
        results = [
            r if isinstance(r, str) else (r.start, r.end, r.exact, r.prefix, r.suffix, r.method) for r in anchor_jobs(jobs, cache)
        ]
        pickle.dump(results, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()
