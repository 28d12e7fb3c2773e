"""Bounds on what one SQL query may allocate, for the published site's arbitrary SQL.

Datasette stops a query at its time limit with SQLite's progress handler, which runs
between virtual-machine instructions: one instruction that builds a huge value
(``randomblob(900000000)``: about 1 GB and 3 to 4 s of CPU) runs to its end first, past
the limit (https://github.com/simonw/datasette/issues/1679 explains the handler). Bounding
every value keeps every instruction short, so the time limit holds, and memory with it:

- ``randomblob`` and ``zeroblob`` are replaced by functions that refuse more than
  MAX_BLOB_BYTES; on a read-only site they serve only to make big values;
- ``printf`` and ``format`` refuse a width or precision over MAX_BLOB_BYTES (SQLite's own
  would quietly answer NULL past the length limit), then run SQLite's own;
- SQLite's length limit (SQLITE_LIMIT_LENGTH) is set as low as the stored data allows:
  SQLite then refuses, before allocating, any string or blob longer than that, whatever
  makes it: ``replace``, ``hex``, ``||``, ``group_concat``, ``substr`` of anything.

Either way the query fails with SQLite's "string or blob too big" (a Python function can
only raise OverflowError for it to say so; its own message would be lost).
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from pathlib import Path

__all__ = ["MAX_BLOB_BYTES", "MIN_LENGTH_LIMIT", "TOO_BIG_NOTE", "bound_connection", "length_limit"]

MAX_BLOB_BYTES = 4 * 1024 * 1024
MIN_LENGTH_LIMIT = 8 * 1024 * 1024
TOO_BIG_NOTE = (
    f"this site refuses randomblob() and zeroblob() of more than {MAX_BLOB_BYTES // 2**20} MB, "
    "and any string or blob longer than its largest stored value needs"
)


def _count(value) -> int:
    """A SQL argument as SQLite's integer conversion reads it (non-numbers are 0)."""
    if isinstance(value, (int, float)):
        return int(value) if abs(value) < 2**63 else (2**63 - 1 if value > 0 else -(2**63))
    if isinstance(value, str):
        try:
            return _count(float(value.strip()))
        except ValueError:
            return 0
    return 0


def _randomblob(n) -> bytes:
    n = max(1, _count(n))
    if n > MAX_BLOB_BYTES:
        raise OverflowError(f"randomblob({n})")  # SQLite reports "string or blob too big"
    return os.urandom(n)


def _zeroblob(n) -> bytes:
    n = max(0, _count(n))
    if n > MAX_BLOB_BYTES:
        raise OverflowError(f"zeroblob({n})")
    return bytes(n)


# A conversion of printf: flags, then a width and a precision, each digits or "*" (an argument).
_CONVERSION = re.compile(r"%[-+ #0,!]*(\*|\d+)?(?:\.(\*|\d+))?([a-zA-Z%])")


class _Printf:
    """SQLite's printf()/format(), after checking that no width or precision asks for more
    than MAX_BLOB_BYTES. Runs the built-in on a connection of its own (the bounded one
    has this in its place)."""

    def __init__(self, limit: int | None):
        self._builtin = sqlite3.connect(":memory:", check_same_thread=False)
        if limit is not None:
            self._builtin.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)

    def __call__(self, *args):
        if not args or not isinstance(args[0], str):
            return self._builtin.execute(f"select printf({', '.join('?' * len(args))})", args).fetchone()[0]
        values = iter(args[1:])
        for width, precision, kind in _CONVERSION.findall(args[0]):
            for size in (width, precision):
                n = _count(next(values, 0)) if size == "*" else int(size or 0)
                if abs(n) > MAX_BLOB_BYTES:
                    raise OverflowError(f"printf width {n}")
            if kind != "%":
                next(values, None)
        return self._builtin.execute(f"select printf({', '.join('?' * len(args))})", args).fetchone()[0]


def length_limit(largest_text_chars: int | None) -> int:
    """SQLITE_LIMIT_LENGTH for a database whose longest stored text has this many characters.

    The limit applies to every value read, and to every row a query sorts, so it must hold
    the longest stored row: four bytes a character (UTF-8's most) and a megabyte more.
    """
    return max(MIN_LENGTH_LIMIT, 4 * (largest_text_chars or 0) + 2**20)


def largest_text(path: str | Path | None) -> int | None:
    """The longest source text of a provenance database, in characters, or None."""
    if not path:
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            return conn.execute("select max(text_length) from sources").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def _quiet_refusals(unraisable) -> None:
    """Datasette has SQLite report every exception raised in a SQL function (with a
    traceback, to stderr): not these refusals, which are the answer, not a fault."""
    if unraisable.exc_type is OverflowError and getattr(unraisable.object, "__module__", None) == __name__:
        return
    _reported(unraisable)


_reported = sys.unraisablehook


def bound_connection(conn: sqlite3.Connection, limit: int | None) -> None:
    """Apply the bounds to one of Datasette's connections (with SQLite's length limit unless None)."""
    global _reported
    if sys.unraisablehook is not _quiet_refusals:
        _reported, sys.unraisablehook = sys.unraisablehook, _quiet_refusals
    if limit is not None:
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)
    conn.create_function("randomblob", 1, _randomblob)
    conn.create_function("zeroblob", 1, _zeroblob)
    printf = _Printf(limit)
    conn.create_function("printf", -1, printf, deterministic=True)
    conn.create_function("format", -1, printf, deterministic=True)
