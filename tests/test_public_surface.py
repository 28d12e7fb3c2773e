"""The public surface: what one module takes from another is in that module's __all__
(no private names across modules: ruff's PLC2701 checks the underscore; this checks __all__),
and the package's own __all__ names only what it has."""

import ast
import importlib
from pathlib import Path

import pytest

import provenance

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted([*(ROOT / "provenance").rglob("*.py"), *(ROOT / "datasette_plugins").glob("*.py")])


def _imports(path: Path):
    """(module imported from, name) for every `from X import name` of the project's own modules."""
    package = list(path.relative_to(ROOT).with_suffix("").parts)
    if package[-1] != "__init__":
        package = package[:-1]
    else:
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        if node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            module = ".".join([*base, node.module])
        elif node.module.split(".")[0] in ("provenance", "datasette_plugins"):
            module = node.module
        else:
            continue
        for alias in node.names:
            yield module, alias.name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_only_what_another_module_exports(path):
    for module_name, name in _imports(path):
        module = importlib.import_module(module_name)
        if hasattr(module, "__path__") and importlib.util.find_spec(f"{module_name}.{name}") is not None:
            continue  # a submodule of a package
        exported = getattr(module, "__all__", None)
        assert exported is not None, f"{module_name} has no __all__"
        assert name in exported, f"{path.relative_to(ROOT)} imports {name} from {module_name}, which does not export it"


def test_the_package_exports_what_it_says():
    for name in provenance.__all__:
        assert hasattr(provenance, name), name
