"""The command line, through click's test runner, as a user types it."""

import pytest
from click.testing import CliRunner

from provenance.cli import cli

COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert cli.commands[name].help.split("\n")[0].strip()
    assert "Example:" in result.output


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("provenance, version ")


def test_build_prints_a_summary(seeds, tmp_path):
    result = CliRunner().invoke(cli, ["build", str(seeds), "-o", str(tmp_path / "p.db")])
    assert result.exit_code == 0, result.output
    assert f"Built {tmp_path / 'p.db'} in " in result.output
    assert "  claims                         3" in result.output
    assert "  evidence                       4" in result.output


def test_build_with_errors_exits_non_zero_without_traceback(seeds, tmp_path):
    (seeds / "entities/all.yaml").write_text("- id: x\n  type: planet\n  name: X\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(seeds), "-o", str(tmp_path / "p.db")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "entities/all.yaml:2: x: type: 'planet' is not one of" in result.output
    assert not (tmp_path / "p.db").exists()


def test_serve_builds_when_needed_then_serves(seeds, tmp_path):
    db = tmp_path / "provenance.db"
    args = ["serve", str(seeds), "-o", str(db), "--get", "/provenance/claims.json?_shape=array&_col=statement"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "Built " in first.output and "The air division first fought on 1 November 1950." in first.output
    second = CliRunner().invoke(cli, args)
    assert "is up to date" in second.output and "Built " not in second.output
    (seeds / "claims/combat.yaml").write_text(
        (seeds / "claims/combat.yaml").read_text().replace("first fought on 1 November", "first fought on 1 Nov."),
    )
    third = CliRunner().invoke(cli, args)
    assert "Built " in third.output and "first fought on 1 Nov." in third.output


def test_schema_check():
    result = CliRunner().invoke(cli, ["schema", "--check"])
    assert result.exit_code == 0, result.output


def test_cli_reference_is_current():
    import difflib

    from provenance.clidoc import DOC, render

    diff = "".join(difflib.unified_diff(DOC.read_text(encoding="utf-8").splitlines(True), render().splitlines(True)))
    assert diff == "", "run: python -m provenance.clidoc\n" + diff
    for name in COMMANDS:
        assert f"## provenance {name}\n" in render()


def test_readme_layout_is_current_and_names_every_module():
    import difflib

    from provenance.clidoc import README, readme_with_layout

    text = README.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(text.splitlines(True), readme_with_layout(text).splitlines(True)))
    assert diff == "", "run: python -m provenance.clidoc\n" + diff
    package = README.parent / "provenance"
    for path in package.rglob("*.py"):
        if path.stem not in ("__init__", "__main__"):
            assert f"  {path.name} " in text, f"{path} is not in the README's layout"


def test_no_command_family_imports_the_command_group():
    # the families register themselves on the group they are given (cli_common holds what
    # they share), so no module imports provenance.cli back: no import circle
    import ast

    from provenance.clidoc import ROOT

    for path in sorted((ROOT / "provenance").glob("cli_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.module not in ("cli", "provenance.cli"), f"{path.name} imports the cli module"
