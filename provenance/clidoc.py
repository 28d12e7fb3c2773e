"""The CLI reference (docs/cli.md), generated from the commands' own help.

A test regenerates it and fails when docs/cli.md is stale, so the reference cannot drift
from the commands: run ``python -m provenance.clidoc`` to rewrite it.
"""

from __future__ import annotations

from pathlib import Path

import click

from .cli import cli

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def render() -> str:
    lines = [
        "# Command-line reference",
        "",
        "Generated from `provenance COMMAND --help` by `python -m provenance.clidoc`; a test keeps it current.",
        "",
    ]
    context = click.Context(cli, info_name="provenance", terminal_width=100, max_content_width=100, help_option_names=["-h", "--help"])
    for name in sorted(cli.commands):
        command = cli.commands[name]
        sub = click.Context(command, info_name=name, parent=context, terminal_width=100, max_content_width=100, help_option_names=["-h", "--help"])
        lines += [f"## provenance {name}", "", "```", command.get_help(sub).rstrip(), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}")
