"""The ``provenance`` command: a thin layer of click over the package."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from . import __version__
from .build import BuildResult, build_database, database_digest
from .errors import ProvenanceError, SeedsInvalid
from .schema import SCHEMA_FOLDER, stale_schemas, write_schemas
from .seeds import Seeds, seeds_digest

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


def seeds_argument(func):
    return click.argument(
        "seeds_dir",
        default="seeds",
        type=click.Path(file_okay=False, path_type=Path),
    )(func)


def db_option(func):
    return click.option(
        "-o",
        "--db",
        "db_path",
        default="provenance.db",
        show_default=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="The database file.",
    )(func)


def _report(ex: SeedsInvalid) -> None:
    for problem in ex.problems:
        click.echo(str(problem), err=True)
    count = len(ex.problems)
    click.secho(f"{count} error{'s' if count != 1 else ''} found; nothing was built.", fg="red", err=True)
    sys.exit(1)


def _warnings(warnings) -> None:
    for problem in warnings:
        click.secho(str(problem), fg="yellow", err=True)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="provenance")
def cli():
    """Track claims, the evidence for and against them, and the sources behind it.

    Seed files go in, an SQLite database comes out, and Datasette publishes it.
    """


@cli.command()
@seeds_argument
def check(seeds_dir: Path):
    """Validate the seeds and report every problem, without building.

    Example:

    \b
        provenance check seeds
    """
    seeds = Seeds(seeds_dir)
    counts = dict.fromkeys(["sources", "sources with text", "citations", "entities", "properties", "claims", "evidence"], 0)
    names = {"Source": "sources", "Citation": "citations", "Entity": "entities", "Property": "properties", "Claim": "claims"}
    try:
        for record in seeds.records():
            inner = getattr(record, "record", None) or getattr(record, "source", None) or record.claim
            counts[names[type(inner).__name__]] += 1
            if getattr(record, "text", None) is not None:
                counts["sources with text"] += 1
            counts["evidence"] += len(getattr(record, "evidence", ()))
    except SeedsInvalid as ex:
        _warnings(seeds.warnings)
        _report(ex)
    _warnings(seeds.warnings)
    summary = ", ".join(f"{n} {k}" for k, n in counts.items())
    click.secho(f"ok: {summary}; {len(seeds.warnings)} warning{'s' if len(seeds.warnings) != 1 else ''}", fg="green")


@cli.command()
@seeds_argument
@db_option
def build(seeds_dir: Path, db_path: Path):
    """Build the database from the seeds, atomically.

    The previous database stays in place until the new one is complete and checked.

    Example:

    \b
        provenance build seeds -o provenance.db
    """
    result = _build(seeds_dir, db_path)
    _summary(result)


def _build(seeds_dir: Path, db_path: Path) -> BuildResult:
    show = sys.stderr.isatty()

    def progress(topic: str) -> None:
        if show:
            click.echo(f"\r\033[K  claims: {topic}", nl=False, err=True)

    try:
        result = build_database(seeds_dir, db_path, progress=progress)
    except SeedsInvalid as ex:
        if show:
            click.echo("\r\033[K", nl=False, err=True)
        _report(ex)
    except ProvenanceError as ex:
        raise click.ClickException(str(ex)) from ex
    if show:
        click.echo("\r\033[K", nl=False, err=True)
    return result


def _summary(result: BuildResult) -> None:
    _warnings(result.warnings)
    counts = result.counts
    click.echo(f"Built {result.path} in {result.seconds:.2f}s")
    for table in sorted(counts):
        click.echo(f"  {table:<22}{counts[table]:>10,}")
    if result.warnings:
        click.secho(f"  {len(result.warnings)} warnings (above)", fg="yellow")


@cli.command()
@seeds_argument
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("-p", "--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option("--get", "get_path", default=None, help="Print the response to this path and exit, instead of serving.")
def serve(seeds_dir: Path, db_path: Path, host: str, port: int, get_path: str | None):
    """Build the database if the seeds changed, then serve it with Datasette.

    Example:

    \b
        provenance serve seeds
        # then open http://127.0.0.1:8001/
    """
    from datasette.cli import cli as datasette_cli

    from .publish import datasette_args, write_metadata

    if database_digest(db_path) != seeds_digest(seeds_dir):
        _summary(_build(seeds_dir, db_path))
    else:
        click.echo(f"{db_path} is up to date with {seeds_dir}", err=True)
    with tempfile.TemporaryDirectory(prefix="provenance-") as tmp:
        metadata = write_metadata(Path(tmp) / "metadata.json", db_path.stem)
        extra = ["--get", get_path] if get_path else []
        if not get_path:
            click.echo(f"Serving http://{host}:{port}/{db_path.stem} (Ctrl-C to stop)", err=True)
        datasette_cli.main(datasette_args(db_path, metadata, host, port, extra), prog_name="datasette")


@cli.command()
@click.option("--check", "check_only", is_flag=True, help="Only report whether the files are up to date.")
@click.option(
    "-d", "--dir", "folder", default=SCHEMA_FOLDER, show_default=True, type=click.Path(file_okay=False, path_type=Path)
)
def schema(check_only: bool, folder: Path):
    """Write the JSON Schema of the seed files, generated from the models.

    Example:

    \b
        provenance schema --check
    """
    if check_only:
        stale = stale_schemas(folder)
        if stale:
            raise click.ClickException(f"stale schema files in {folder}: {', '.join(stale)}; run: provenance schema")
        click.echo(f"{folder} is up to date")
        return
    for path in write_schemas(folder):
        click.echo(f"wrote {path}")
