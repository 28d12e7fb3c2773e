"""What the command families share: the options, the way a domain error becomes a click
error, and the reports of a check or a build. The families (``cli``, ``cli_export``,
``cli_exchange``, ``cli_ingest``) import from here, never from each other."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from .build import BuildResult, build_database
from .errors import Problem, ProvenanceError, SeedsInvalid
from .seeds import Seeds

__all__ = [
    "CONTEXT_SETTINGS",
    "seeds_argument",
    "db_option",
    "domain_errors",
    "show_warnings",
    "failed",
    "build_with_report",
    "print_summary",
    "open_db",
]

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}

F = TypeVar("F", bound=Callable[..., Any])


def seeds_argument(func: F) -> F:
    return click.argument("seeds_dir", default="seeds", type=click.Path(file_okay=False, path_type=Path))(func)


def db_option(func: F) -> F:
    return click.option(
        "-o",
        "--db",
        "db_path",
        default="provenance.db",
        show_default=True,
        type=click.Path(dir_okay=False),
        callback=_given_path,
        help="The database file.",
    )(func)


def _given_path(ctx: click.Context, param: click.Parameter, value: str) -> Path:
    # Checked before it becomes a Path: Path("") is "." (the current folder)
    if not value:
        raise click.BadParameter("the path is empty; give the database's file name, e.g. provenance.db")
    return Path(value)


def domain_errors(func: F) -> F:
    """A command whose ProvenanceError (an unknown id, a missing database, a refused
    export) ends it as a one-line click error, exit status 1, never a traceback."""

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ProvenanceError as ex:
            raise click.ClickException(str(ex)) from ex

    return command  # type: ignore[return-value]


def show_warnings(warnings: Iterable[Problem]) -> None:
    for problem in warnings:
        click.secho(str(problem), fg="yellow", err=True)


def failed(seeds: Seeds, ex: SeedsInvalid) -> NoReturn:
    """Report a failed check or build alike: the warnings, then every error (exit 1)."""
    show_warnings(seeds.warnings)
    for problem in ex.problems:
        click.echo(str(problem), err=True)
    count = len(ex.problems)
    click.secho(f"{count} error{'s' if count != 1 else ''} found; nothing was built.", fg="red", err=True)
    sys.exit(1)


def build_with_report(seeds_dir: Path | Seeds, db_path: Path) -> BuildResult:
    """Build as ``provenance build`` does, showing progress on a terminal; on bad seeds,
    the same report as ``check`` gives."""
    show = sys.stderr.isatty()
    seeds = seeds_dir if isinstance(seeds_dir, Seeds) else Seeds(seeds_dir)

    def progress(topic: str) -> None:
        if show:
            click.echo(f"\r\033[K  claims: {topic}", nl=False, err=True)

    try:
        result = build_database(seeds, db_path, progress=progress)
    except SeedsInvalid as ex:
        if show:
            click.echo("\r\033[K", nl=False, err=True)
        failed(seeds, ex)
    except ProvenanceError as ex:
        raise click.ClickException(str(ex)) from ex
    if show:
        click.echo("\r\033[K", nl=False, err=True)
    return result


def print_summary(result: BuildResult) -> None:
    show_warnings(result.warnings)
    counts = result.counts
    click.echo(f"Built {result.path} in {result.seconds:.2f}s")
    for table in sorted(counts):
        click.echo(f"  {table:<22}{counts[table]:>10,}")
    if result.warnings:
        click.secho(f"  {len(result.warnings)} warnings (above)", fg="yellow")


def open_db(db_path: Path) -> Any:
    """The built database, read-only; a clean error when it is missing or not ours."""
    from .queries import open_database

    try:
        return open_database(db_path)
    except ProvenanceError as ex:
        raise click.ClickException(str(ex)) from ex
