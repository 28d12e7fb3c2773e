"""The ``export`` and ``brief`` commands: the built database for other tools and for readers.

A thin layer over :mod:`provenance.export`; importing this module registers the commands
on the ``provenance`` group.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click

from .cli_common import db_option, domain_errors, open_db
from .export import DEFAULT_CURATOR, FORMATS, ExportOptions, claim_brief, export


class _FormatChoice(click.Choice):
    """The names in FORMATS when the command runs, so a format registered later is offered too."""

    def __init__(self) -> None:
        super().__init__([])

    @property  # type: ignore[override]  # click stores choices as a plain attribute; this one is read when used
    def choices(self) -> list[str]:
        return sorted(FORMATS)

    @choices.setter
    def choices(self, _value) -> None:
        """click.Choice assigns the list it was given; the registry stays the only source."""


def output_option(func):
    return click.option(
        "--output",
        "output",
        default="-",
        show_default="standard output",
        type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
        help="The file to write (replaced only once the export is complete).",
    )(func)


def _write(output: str, chunks: Iterable[str]) -> None:
    """Write the chunks as they come; a file is written atomically, so a failure leaves the old one."""
    with click.open_file(output, "w", encoding="utf-8", atomic=output != "-") as stream:
        for chunk in chunks:
            stream.write(chunk)


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=_FormatChoice(),
    required=True,
    help="csl-json or bibtex: the sources; prov-json, prov-n or prov-o: W3C PROV; web-annotation: the passages.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="ID",
    help="Only this source (repeat for more); csl-json, bibtex, web-annotation.",
)
@click.option(
    "--curator",
    default=DEFAULT_CURATOR,
    show_default=True,
    help="PROV and web annotations: the name of the agent claims are attributed to.",
)
@click.option("--jsonl", is_flag=True, help="web-annotation: one annotation per line instead of one AnnotationCollection.")
@db_option
@output_option
@domain_errors
def export_command(fmt: str, sources: tuple[str, ...], curator: str, jsonl: bool, db_path: Path, output: str):
    """Export the database: the sources as CSL-JSON or BibTeX, W3C PROV, or W3C Web Annotations.

    Example:

    \b
        provenance export --format bibtex --output sources.bib
        provenance export --format csl-json --source zhang-2020 --source shen-2020
        provenance export --format prov-o --output provenance.ttl
        provenance export --format web-annotation --jsonl --output annotations.jsonl
    """
    db = open_db(db_path)
    _write(output, export(db, fmt, ExportOptions(sources=sources, curator=curator, jsonl=jsonl)))


@click.command()
@click.argument("claim_id")
@db_option
@output_option
@domain_errors
def brief(claim_id: str, db_path: Path, output: str):
    """Write a Markdown brief of a claim: status, quotes with Chicago notes, contradictions, chain.

    Example:

    \b
        provenance brief soviet-air-force-first-combat-1950-11-01 --output brief.md
    """
    _write(output, [claim_brief(open_db(db_path), claim_id)])


def register(group: click.Group) -> None:
    """Add the export and brief commands to ``group``."""
    group.add_command(export_command)
    group.add_command(brief)
