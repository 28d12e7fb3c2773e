"""The published site as an ASGI application, for an ASGI server's worker processes.

Datasette serves with one process, whose Python runs on one core. The database is an
immutable file that any number of processes can read, so uvicorn's own workers (each
calls :func:`app` and serves the same socket) scale it over the cores::

    PROVENANCE_DB=provenance.db uvicorn --factory provenance.asgi:app --workers 4 --host 0.0.0.0 --port 8001

``provenance serve --workers N`` runs exactly this (see :func:`server_command`). The
application is the one the tests use: Datasette on the database, immutable, with the
settings and metadata of :mod:`provenance.publish`, and the plugin's hooks.

Environment: ``PROVENANCE_DB`` (default ``provenance.db``) and ``DATASETTE_SECRET``, which
every worker must share to accept each other's signed cookies and CSRF tokens
(``provenance serve`` makes one per run).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["app", "datasette", "server_command"]


def datasette(path: str | os.PathLike, secret: str | None = None):
    """Datasette on ``path``, configured as the site is published."""
    from datasette.app import Datasette

    from .publish import datasette_kwargs

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such database (set PROVENANCE_DB)")
    return Datasette([], immutables=[str(path)], secret=secret, **datasette_kwargs(path.stem))


def app():
    """The ASGI application of ``$PROVENANCE_DB``: uvicorn's ``--factory`` calls this once per worker.

    Datasette does its start-up work (plugins' start-up hooks, counting the immutable
    tables) on the first request it gets; here it is done when the server starts
    (the ASGI lifespan), so no reader waits for it and a worker serves only once ready.
    """
    ds = datasette(os.environ.get("PROVENANCE_DB", "provenance.db"), os.environ.get("DATASETTE_SECRET") or None)
    inner = ds.app()

    async def application(scope, receive, send):
        if scope["type"] != "lifespan":
            return await inner(scope, receive, send)
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await ds.invoke_startup()
                    for db in ds.databases.values():
                        if not db.is_mutable:
                            await db.table_counts(limit=60 * 60 * 1000)
                except Exception as ex:  # reported to the server, which stops
                    await send({"type": "lifespan.startup.failed", "message": repr(ex)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    return application


def server_command(db_path: str | os.PathLike, host: str, port: int, workers: int = 1) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that serve ``db_path`` with uvicorn's workers."""
    command = [sys.executable, "-m", "uvicorn", "--factory", "provenance.asgi:app", "--host", host, "--port", str(port)]
    command += ["--workers", str(workers), "--timeout-graceful-shutdown", "10"]
    env = {
        "PROVENANCE_DB": str(Path(db_path).resolve()),
        "DATASETTE_SECRET": os.environ.get("DATASETTE_SECRET") or os.urandom(32).hex(),
    }
    return command, env
