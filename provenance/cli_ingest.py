"""The ``add-source`` and ``locate`` commands: a thin layer of click over ingest and locating."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from .cli_common import domain_errors
from .ingest import ORIGINS, add_source
from .locating import find_passages, load_source_text
from .models import SOURCE_KINDS


def seeds_option(func):
    return click.option(
        "--seeds",
        "seeds_dir",
        default="seeds",
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="The seeds folder.",
    )(func)


@click.command("add-source")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--id", "source_id", required=True, help="The new source's id: lowercase letters, digits and single hyphens.")
@seeds_option
@click.option("--title", help="The title as published (default: the HTML <title>, the PDF's title, or the file name).")
@click.option(
    "--kind", type=click.Choice(SOURCE_KINDS), help="What sort of document it is (default: guessed from the file type)."
)
@click.option("--issued", help='When the document was issued, as EDTF: 1950-11-03, 1950-11, "1950?".')
@click.option("--author", "authors", multiple=True, help='An author, "Family, Given" or an organisation; repeat for several.')
@click.option("--origin", type=click.Choice(ORIGINS), help="primary, secondary or tertiary (default: secondary, to be checked).")
@click.option("--encoding", help="The encoding of a .txt or .html file that is not UTF-8 (cp1252, latin-1, utf-16 ...).")
@domain_errors
def add_source_command(
    file: Path,
    source_id: str,
    seeds_dir: Path,
    title: str | None,
    kind: str | None,
    issued: str | None,
    authors: tuple[str, ...],
    origin: str | None,
    encoding: str | None,
):
    """Add a .txt, .html or .pdf file to the seeds as a new source, with its text extracted.

    The text is stored as texts/ID.txt, exactly as extracted (line endings made \\n), and a
    source record as sources/ID.yaml, with the fields still to complete as comments. Nothing
    is written unless everything is right.

    Example:

    \b
        provenance add-source ~/Downloads/thesis.pdf --id zhang-2020 --kind thesis \\
            --author "Zhang, Shiyao" --issued 2020
        provenance add-source page.html --id blog-2007 --seeds seeds
    """
    added = add_source(
        seeds_dir,
        file,
        source_id,
        title=title,
        kind=kind,
        issued=issued,
        authors=authors,
        origin=origin,
        encoding=encoding,
    )
    text = added.extracted.text
    click.echo(f"added source {source_id!r}: {len(text):,} characters, {text.count(chr(10)) + 1:,} lines, {added.extracted.how}")
    click.echo(f"  wrote {added.text_path}")
    click.echo(f"  wrote {added.yaml_path}  (kind: {added.source.kind}; title: {added.source.title})")
    click.echo(f"next: complete the commented fields in {added.yaml_path}, then run: provenance check {seeds_dir}")


@click.command("locate")
@click.argument("source_id")
@click.argument("words")
@seeds_option
@click.option("-n", "--limit", default=5, show_default=True, type=click.IntRange(1, 100), help="How many passages to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the passages as JSON.")
@domain_errors
def locate_command(source_id: str, words: str, seeds_dir: Path, limit: int, as_json: bool):
    """Find the exact passages of a source's text that best match approximate words.

    Each passage is printed with its similarity (100: an exact match after normalisation),
    line and offsets, then exactly as it stands in the text, then on one line: paste that
    as the quote, it anchors to the same place.

    Example:

    \b
        provenance locate zhang-2020 "soviet air force entered combat first time over yalu"
        provenance locate memo "first sortie over the rivr" --seeds tests/corpus -n 1
    """
    text_path, text = load_source_text(seeds_dir, source_id)
    passages = find_passages(text, words, limit)
    if as_json:
        data = {"source": source_id, "text": text_path, "words": words, "passages": [dataclasses.asdict(p) for p in passages]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if not passages:
        raise click.ClickException(f"no passage of {source_id!r} ({text_path}) resembles {words!r}")
    for rank, p in enumerate(passages, 1):
        if rank > 1:
            click.echo()
        click.echo(f"{rank}. similarity {p.similarity:.1f}  line {p.line}  start {p.start}  end {p.end}")
        click.echo(p.exact)
        click.echo(f"   one line: {p.one_line}")
        if p.occurrences > 1:
            click.echo(f"   occurs {p.occurrences} times in the text: add occurrence: {p.occurrence}")


def register(group: click.Group) -> None:
    """Add the add-source and locate commands to ``group``."""
    group.add_command(add_source_command)
    group.add_command(locate_command)
