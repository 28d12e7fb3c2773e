"""``provenance import``: build the database from a JSON Lines file (the export's format)."""

from __future__ import annotations

from pathlib import Path

import click

from .cli_common import build_with_report, db_option, print_summary
from .exchange import JsonlSeeds


@click.command("import")
@click.argument("jsonl_file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def import_command(jsonl_file: Path, db_path: Path):
    """Build the database from a JSON Lines file, with the same checks as seed files.

    Each line is {"type": "source|citation|entity|property|claim", "record": {...}}; errors
    name the line. Write one with: provenance export --format jsonl.

    Example:

    \b
        provenance export --format jsonl --output corpus.jsonl
        provenance import corpus.jsonl -o imported.db
    """
    print_summary(build_with_report(JsonlSeeds(jsonl_file), db_path))


def register(group: click.Group) -> None:
    """Add the interchange commands to ``group``."""
    group.add_command(import_command)
