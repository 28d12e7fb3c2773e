"""The YAML reader keeps lines, follows YAML 1.2 for plain scalars and refuses surprises."""

import pytest

from provenance.yamlfile import read_yaml


def test_values_and_lines():
    parsed = read_yaml("f.yaml", "- id: a\n  n: 12\n  on: no\n  date: 1950-11-01\n  x: 1.5\n  t: true\n  e:\n")
    assert parsed.value == [{"id": "a", "n": 12, "on": "no", "date": "1950-11-01", "x": 1.5, "t": True, "e": None}]
    assert parsed.line((0, "date")) == 4
    assert parsed.line((0, "missing-field")) == 1
    assert parsed.problems == []


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("a: 1\na: 2\n", 2, "duplicate key 'a' (first given on line 1)"),
        ("? [1, 2]\n: 3\n", 1, "a key must be plain text, not a list or mapping"),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", 3, "merge keys (<<) are not supported: write the fields out"),
        ("a: &x [1, *x]\n", 1, "recursive alias: a value that contains itself"),
        ("a: 010\n", 1, "010 has a leading zero"),
        ("a: !!python/object:os.system x\n", 1, "unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system'"),
        ("a: [1\nb: 2\n", 2, "YAML syntax error: while parsing a flow sequence, did not find expected ',' or ']'"),
        ("a: 'unterminated\n", 2, "YAML syntax error: while scanning a quoted scalar, found unexpected end of stream"),
    ],
)
def test_problems(text, line, message):
    parsed = read_yaml("f.yaml", text)
    assert [(p.line, p.message[: len(message)]) for p in parsed.problems] == [(line, message)]


def test_alias_bomb_is_bounded(monkeypatch):
    import provenance.yamlfile as yamlfile

    monkeypatch.setattr(yamlfile, "MAX_NODES", 10_000)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for name, prev in zip("bcdefg", "abcdef", strict=True):
        bomb += f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    parsed = read_yaml("f.yaml", bomb)
    assert parsed.value is None
    assert "expands to more than 10,000 values" in parsed.problems[0].message
