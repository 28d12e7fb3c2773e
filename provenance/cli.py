"""The ``provenance`` command: a thin layer of click over the package."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from . import __version__, cli_exchange, cli_export, cli_ingest
from .build import build_database, database_digest
from .cli_common import (
    CONTEXT_SETTINGS,
    build_with_report,
    db_option,
    domain_errors,
    failed,
    open_db,
    print_summary,
    seeds_argument,
    show_warnings,
)
from .errors import ProvenanceError, SeedsInvalid
from .schema import SCHEMA_FOLDER, stale_schemas, write_schemas
from .seeds import Seeds, record_counts, seeds_digest

__all__ = ["cli"]


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="provenance")
def cli():
    """Track claims, the evidence for and against them, and the sources behind it.

    Seed files go in, an SQLite database comes out, and Datasette publishes it.
    """


# Each family of commands defined in its own module adds its commands to the group.
for _family in (cli_exchange, cli_export, cli_ingest):
    _family.register(cli)


@cli.command()
@seeds_argument
def check(seeds_dir: Path):
    """Validate the seeds and report every problem, without building.

    Example:

    \b
        provenance check seeds
    """
    seeds = Seeds(seeds_dir)
    try:
        counts = record_counts(seeds.records())
    except SeedsInvalid as ex:
        failed(seeds, ex)
    except ProvenanceError as ex:
        raise click.ClickException(str(ex)) from ex
    show_warnings(seeds.warnings)
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
    print_summary(build_with_report(seeds_dir, db_path))


@cli.command()
@seeds_argument
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("-p", "--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option("--get", "get_path", default=None, help="Print the response to this path and exit, instead of serving.")
@click.option("--watch", is_flag=True, help="Rebuild when the seeds change (the server restarts on the new build).")
@click.option(
    "-w",
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes (uvicorn's workers), about one per core.",
)
def serve(seeds_dir: Path, db_path: Path, host: str, port: int, get_path: str | None, watch: bool, workers: int):
    """Build the database if the seeds changed, then serve it with Datasette.

    Each worker is a Datasette process on the same immutable file (uvicorn's workers,
    see provenance/asgi.py). The server restarts whenever the database file is rebuilt,
    so no reader ever gets answers from two builds; with --watch it also rebuilds when
    the seeds change.

    Example:

    \b
        provenance serve seeds
        # then open http://127.0.0.1:8001/
        provenance serve seeds --workers 2   # one per core
    """
    from datasette.cli import cli as datasette_cli

    from .publish import datasette_args, supervise, write_metadata

    if database_digest(db_path) != seeds_digest(seeds_dir):
        print_summary(build_with_report(seeds_dir, db_path))
    else:
        click.echo(f"{db_path} is up to date with {seeds_dir}", err=True)
    if get_path:
        with tempfile.TemporaryDirectory(prefix="provenance-") as tmp:
            metadata = write_metadata(Path(tmp) / "metadata.json", db_path.stem)
            datasette_cli.main(datasette_args(db_path, metadata, host, port, ["--get", get_path]), prog_name="datasette")
        return

    def seeds_changed() -> bool:
        return database_digest(db_path) != seeds_digest(seeds_dir)

    def rebuild() -> None:
        try:
            result = build_database(seeds_dir, db_path)
            click.echo(f"rebuilt {db_path} in {result.seconds:.2f}s", err=True)
        except SeedsInvalid as ex:
            click.echo(str(ex), err=True)
            click.secho("the seeds have errors: still serving the previous build", fg="red", err=True)
        except ProvenanceError as ex:
            click.secho(f"rebuild failed: {ex}", fg="red", err=True)

    click.echo(f"Serving http://{host}:{port}/ with {workers} worker{'s' if workers != 1 else ''} (Ctrl-C to stop)", err=True)
    failed_digest = None

    def changed_and_not_failed() -> bool:
        # a broken edit is reported once, not rebuilt every second until it is fixed
        nonlocal failed_digest
        if not seeds_changed():
            return False
        current = seeds_digest(seeds_dir)
        if current == failed_digest:
            return False
        failed_digest = current
        return True

    code = supervise(
        db_path,
        host,
        port,
        workers=workers,
        seeds_changed=changed_and_not_failed if watch else None,
        rebuild=rebuild,
        echo=lambda message: click.echo(message, err=True),
    )
    sys.exit(code)


@cli.command()
@click.option("--check", "check_only", is_flag=True, help="Only report whether the files are up to date.")
@click.option("-d", "--dir", "folder", default=SCHEMA_FOLDER, show_default=True, type=click.Path(file_okay=False, path_type=Path))
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


# -- reading the built database ---------------------------------------------------------


@cli.command()
@click.argument("claim_id", required=False)
@db_option
@domain_errors
def status(claim_id: str | None, db_path: Path):
    """Show the status of every claim, or of one claim with its reason and evidence.

    Example:

    \b
        provenance status
        provenance status soviet-air-force-first-combat-1950-11-01
    """
    from .queries import claim_evidence, claim_statuses, get_claim, status_counts

    db = open_db(db_path)
    if claim_id is None:
        for row in claim_statuses(db):
            sides = f"{row['independent_origins']} for, {row['conflicting_origins']} against"
            if row["reporting_origins"]:
                sides += f", {row['reporting_origins']} relayed"
            click.echo(f"{row['status']:<13} {sides:<24} {row['id']}")
        counts = status_counts(db)
        click.echo("\n" + ", ".join(f"{n} {s}" for s, n in counts.items()) + f" ({sum(counts.values())} claims)")
        return
    claim = get_claim(db, claim_id)
    click.echo(claim["statement"])
    click.echo(f"status: {claim['status']}: {claim['reason']}")
    for e in claim_evidence(db, claim_id):
        click.echo(f'  {e["stance"]:<9} {e["source_id"]} ({e["locator"]}): "{e["quote"]}"')


@cli.command("contradictions")
@click.option(
    "--kind",
    type=click.Choice(["value-conflict", "stance-conflict", "asserted", "derived"]),
    help="Only disagreements flagged by this kind of signal.",
)
@click.option("--entity", help="Only contradictions about this entity (id or any alias).")
@db_option
def contradictions_command(kind: str | None, entity: str | None, db_path: Path):
    """List the disagreements found by the build: each with its signals, claims and passages.

    Example:

    \b
        provenance contradictions --kind value-conflict
        provenance contradictions --entity Anton
    """
    from .queries import contradictions

    rows = contradictions(open_db(db_path), kind, entity)
    for row in rows:
        weak = " (weak dissent only)" if row["weak"] else ""
        click.echo(f"{row['id']} [{', '.join(row['kinds'])}]{weak}: {row['explanation']}")
        for m in row["members"]:
            if m["evidence_id"]:
                click.echo(f'      {m["role"]:<9} {m["source_id"]}: "{m["quote"]}"')
            else:
                click.echo(f"    claim {m['claim_id']}: {m['statement']}")
    by_kind: dict[str, int] = {}
    for row in rows:
        for k in row["kinds"]:
            by_kind[k] = by_kind.get(k, 0) + 1
    summary = ": flagged by " + ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items())) if rows else ""
    click.echo(f"\n{len(rows)} disagreement{'s' if len(rows) != 1 else ''}{summary}")


@cli.command()
@click.argument("claim_id")
@db_option
@domain_errors
def chain(claim_id: str, db_path: Path):
    """Show the evidence chain of a claim, from each passage up to the works it rests on.

    Example:

    \b
        provenance chain soviet-air-force-first-combat-1950-11-01
    """
    from .queries import evidence_chain

    claim, items = evidence_chain(open_db(db_path), claim_id)
    click.echo(f"{claim['statement']}  [{claim['status']}]")
    for item in items:
        click.echo(f"├─ {item.stance}: {item.source_id} (read), {item.locator}")
        click.echo(f'│    "{item.quote}"')
        for hop in item.hops:
            indent = "│    " + "   " * hop.depth
            if hop.to_id is None:
                click.echo(f"{indent}└─ no citation given")
                continue
            pages = f", {hop.pages}" if hop.pages else ""
            kind = f", {hop.to_origin} source" if hop.to_origin else ""
            click.echo(f"{indent}└─ {hop.via} → {hop.to_id}{pages} ({hop.reading}{kind})")
        if item.origins:
            click.echo(f"│    origin: {', '.join(item.origin_labels())}")
    click.echo(f"└─ {claim['reason']}")


@cli.command()
@click.argument("claim_id")
@click.option(
    "--format", "fmt", type=click.Choice(["chicago", "bibtex", "csl-json", "markdown"]), default="chicago", show_default=True
)
@db_option
@domain_errors
def cite(claim_id: str, fmt: str, db_path: Path):
    """Cite the evidence chain of a claim: Chicago footnotes, or the sources as BibTeX, CSL-JSON or Markdown.

    Example:

    \b
        provenance cite soviet-air-force-first-combat-1950-11-01
        provenance cite soviet-air-force-first-combat-1950-11-01 --format bibtex
    """
    from .citing import cite_claim

    click.echo(cite_claim(open_db(db_path), claim_id, fmt), nl=False)


@cli.command()
@click.option("-o", "--output", default="metadata.json", show_default=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--database", default="provenance", show_default=True, help="The database's name in Datasette (its file name without .db)."
)
def metadata(output: Path, database: str):
    """Write the Datasette metadata (titles, licence, table and column descriptions) for deploying.

    Example:

    \b
        provenance metadata -o metadata.json
    """
    from .publish import write_metadata

    write_metadata(output, database)
    click.echo(f"wrote {output}")
