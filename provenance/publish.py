"""Publish a built database with Datasette: metadata, settings and the command line.

``provenance serve`` and the tests use the same settings and metadata from here, so what
the tests check is what users are served. The database is opened immutable (read-only,
and Datasette may cache counts), with a time limit on SQL and facet suggestions off
(they cost most of a table page's time on a large database), and table pages of 20 rows.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .tables import ALL_TABLES

__all__ = ["SETTINGS", "QUERIES", "site_metadata", "datasette_args", "datasette_kwargs", "write_metadata", "supervise"]

SETTINGS = {
    "sql_time_limit_ms": 2000,
    "suggest_facets": False,
    # Rows on a table page (?_size= asks for more). Datasette renders a wide table's page in
    # about 20 ms plus 0.8 ms a row (the claims table has 31 columns): 20 rows rather than 50
    # make it the cost of about two claim pages, not seven.
    "default_page_size": 20,
    "max_returned_rows": 2000,
    "allow_download": True,
}

TITLE = "provenance"
DESCRIPTION = (
    "Claims, the sources that support or conflict with them, the exact passages, and the chains of "
    "citations behind them. The bundled corpus: five documents on the Soviet air force's secret "
    "entry into the Korean War (1950)."
)


# Canned queries for the questions users ask; parameters are bound, never pasted into SQL.
QUERIES = {
    "contradictions_for_entity": {
        "title": "Contradictions about an entity",
        "description": "Every contradiction involving a claim about the entity, found by its id or any of its names.",
        "sql": """select distinct c.id, c.signals, c.weak, c.explanation
from contradictions c
join contradiction_members m on m.contradiction_id = c.id
join claims cl on cl.id = m.claim_id
join aliases a on a.entity_id in (cl.subject_id, cl.value_entity_id)
where a.entity_id = :entity or a.name = :entity collate nocase
order by c.weak, c.id""",
    },
    "claims_resting_on_one_origin": {
        "title": "Claims whose supporting sources rest on one origin",
        "description": "Several sources support these claims, but all of them rest on the same root: one line of evidence.",
        "sql": """select s.claim_id, c.statement, s.supporting_sources, s.independent_origins, s.reason
from claim_status s join claims c on c.id = s.claim_id
where s.supporting_sources >= 2 and s.independent_origins = 1
order by s.claim_id""",
    },
    "claims_by_source": {
        "title": "Claims a source supports or conflicts with",
        "description": "Every claim the source takes a side on, with the passage.",
        "sql": """select e.stance, c.id as claim_id, c.statement, e.quote, e.locator
from evidence e join claims c on c.id = e.claim_id
where e.source_id = :source and e.stance in ('supports', 'conflicts')
order by e.stance, c.id""",
    },
    "claim_chain": {
        "title": "The evidence chain of a claim, as rows",
        "description": "Each hop from a passage's source through footnotes and derivations to the works it rests on.",
        "sql": """select l.evidence_id, l.step, l.depth, l.from_id, l.citation_id, l.footnote, l.relation, l.to_id,
       s.title as to_title, l.pages, l.to_read, l.inferred, l.note
from chain_links l left join sources s on s.id = l.to_id
where l.claim_id = :claim
order by l.evidence_id, l.step""",
    },
}


def site_metadata(database: str = "provenance") -> dict:
    """Datasette metadata: the site's title and notes, and a description of every table and column."""
    tables = {}
    for table in ALL_TABLES.values():
        entry: dict = {
            "description": table.description,
            "columns": {c.name: c.description for c in table.columns if c.description},
        }
        if table.label_column:
            entry["label_column"] = table.label_column
        tables[table.name] = entry
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "license": "Curated data: CC BY 4.0. Source texts remain their authors' and are quoted for research.",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "source": "Each source's record gives its author, date, archive and licence notes",
        "databases": {database: {"description": DESCRIPTION, "tables": tables, "queries": QUERIES}},
    }


def write_metadata(path: Path, database: str) -> Path:
    path.write_text(json.dumps(site_metadata(database), indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def datasette_args(db_path: Path, metadata_path: Path, host: str, port: int, extra: list[str] | None = None) -> list[str]:
    """The arguments of ``datasette serve`` for a built database."""
    args = ["serve", "--immutable", str(db_path), "--metadata", str(metadata_path), "--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        args += ["--setting", name, ("on" if value else "off") if isinstance(value, bool) else str(value)]
    return args + (extra or [])


def datasette_kwargs(database: str = "provenance") -> dict:
    """Keyword arguments for ``Datasette(...)``, for the 0.65 line and for 1.0.

    Datasette 1.0 reads canned queries and table options from ``config`` (datasette.yaml)
    and keeps only descriptive metadata in ``metadata``; 0.65 reads both from metadata.
    """
    from datasette.version import __version__ as version

    metadata = site_metadata(database)
    if int(version.split(".")[0]) < 1:
        return {"metadata": metadata, "settings": SETTINGS}
    db = metadata["databases"][database]
    config = {
        "settings": SETTINGS,
        "databases": {
            database: {
                "queries": db.pop("queries"),
                "tables": {
                    name: {"label_column": t.pop("label_column")} for name, t in db["tables"].items() if "label_column" in t
                },
            }
        },
    }
    return {"metadata": metadata, "config": config}


def _stamp(path: Path) -> tuple | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def supervise(
    db_path: Path,
    host: str,
    port: int,
    *,
    workers: int = 1,
    seeds_changed=None,
    rebuild=None,
    interval: float = 1.0,
    echo=print,
) -> int:
    """Serve ``db_path`` with ``workers`` processes (uvicorn's workers, each running the
    site of :mod:`provenance.asgi`) and restart them whenever the file is replaced.

    Datasette opens a connection per thread, lazily: after a rebuild renames a new file
    over the old one, some threads would read the new database while others still read
    the old one, so answers would mix until a restart. Restarting the server (and so
    every worker) when the file changes means every answer comes from one build. With
    ``seeds_changed`` and ``rebuild``, the seeds are watched too and rebuilt when they
    change (a failed rebuild leaves the old database, and the old server, running).
    """
    import signal
    import subprocess
    import time

    from .asgi import server_command

    def stop(signum, frame):  # a terminated supervisor takes its server with it
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    command, env = server_command(db_path, host, port, workers)
    env = {**os.environ, **env}
    child = subprocess.Popen(command, env=env)
    stamp = _stamp(db_path)
    try:
        while True:
            time.sleep(interval)
            if child.poll() is not None:
                return child.returncode
            if seeds_changed is not None and seeds_changed():
                rebuild()
            if _stamp(db_path) != stamp:
                stamp = _stamp(db_path)
                echo(f"{db_path} was rebuilt: restarting the server so that every answer comes from one build")
                _stop(child)
                child = subprocess.Popen(command, env=env)
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(child)


def _stop(child) -> None:
    """Stop the server and wait for it; uvicorn's supervisor stops its workers first."""
    import subprocess

    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
