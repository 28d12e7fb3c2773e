"""Publish a built database with Datasette: metadata, settings and the command line.

``provenance serve`` and the tests use the same settings and metadata from here, so what
the tests check is what users are served. The database is opened immutable (read-only,
and Datasette may cache counts), with a time limit on SQL and facet suggestions off
(they cost most of a table page's time on a large database).
"""

from __future__ import annotations

import json
from pathlib import Path

from .tables import ALL_TABLES

__all__ = ["SETTINGS", "site_metadata", "datasette_args", "write_metadata"]

SETTINGS = {
    "sql_time_limit_ms": 2000,
    "suggest_facets": False,
    "default_page_size": 50,
    "max_returned_rows": 2000,
    "allow_download": True,
}

TITLE = "provenance"
DESCRIPTION = (
    "Claims, the sources that support or conflict with them, the exact passages, and the chains of "
    "citations behind them. The bundled corpus: five documents on the Soviet air force's secret "
    "entry into the Korean War (1950)."
)


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
        "databases": {database: {"description": DESCRIPTION, "tables": tables}},
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
