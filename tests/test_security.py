"""Security rules checked on the code and on the site: no HTML from string formatting,
injection strings leak nothing, headers on every response."""

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

HTML_CODE = [ROOT / "provenance" / "pages.py", ROOT / "datasette_plugins" / "__init__.py"]


def _html_built_by_formatting(path: Path) -> list[str]:
    """f-strings, %-formatting and str.format whose literal text holds an HTML tag,
    except Markup(...).format, which escapes its arguments."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def has_tag(text: str) -> bool:
        return "<" in text and any(f"<{c}" in text for c in "abcdefghijklmnopqrstuvwxyz/!")

    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if has_tag(literal) and any(isinstance(v, ast.FormattedValue) for v in node.values):
                found.append(f"{path.name}:{node.lineno}: f-string with HTML")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
            if isinstance(node.left.value, str) and has_tag(node.left.value):
                found.append(f"{path.name}:{node.lineno}: %-formatting with HTML")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            target = node.func.value
            if isinstance(target, ast.Constant) and isinstance(target.value, str) and has_tag(target.value):
                found.append(f"{path.name}:{node.lineno}: str.format with HTML (use Markup(...).format)")
    return found


def test_no_html_is_built_with_string_formatting():
    problems = [p for path in HTML_CODE for p in _html_built_by_formatting(path)]
    assert problems == []


def test_the_rule_catches_what_it_should(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from markupsafe import Markup\n"
        'a = f"<b>{name}</b>"\n'
        'b = "<i>%s</i>" % name\n'
        'c = "<p>{}</p>".format(name)\n'
        'd = Markup("<p>{}</p>").format(name)\n'
    )
    assert len(_html_built_by_formatting(sample)) == 3


INJECTIONS = [
    "' or 1=1 --",
    '" or ""="',
    "x'; drop table claims; --",
    "*",
    "NEAR(a b)",
    '"unbalanced',
    "a) OR (b",
    "1 union select sql, name, 1 from sqlite_master",
]


@pytest.mark.asyncio
@pytest.mark.parametrize("payload", INJECTIONS)
async def test_injection_strings_in_plugin_routes_leak_nothing(ds, payload):
    from urllib.parse import quote

    for path in (
        f"/search?q={quote(payload)}",
        f"/search.json?q={quote(payload)}",
        f"/contradictions?kind={quote(payload)}",
        f"/contradictions?entity={quote(payload)}",
        f"/entity/{quote(payload, safe='')}",
        f"/claim/{quote(payload, safe='')}",
    ):
        response = await ds.client.get(path, follow_redirects=True)
        assert response.status_code in (200, 404), (path, response.status_code)
        assert "CREATE TABLE" not in response.text  # no schema leaked into the page
    claims = (await ds.client.get("/provenance/claims.json?_shape=array")).json()
    assert len(claims) == 3


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/", "/provenance", "/provenance/claims", "/claim/first-combat-1950-11-01", "/-/versions.json"])
async def test_headers_on_every_response(ds, path):
    response = await ds.client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
