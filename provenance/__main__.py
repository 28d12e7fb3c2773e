"""python -m provenance: the same as the provenance command."""

from .cli import cli

cli(prog_name="provenance")
