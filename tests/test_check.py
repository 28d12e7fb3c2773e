"""Bad input: each kind of problem is reported as file:line: record: field: message, all in one run."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import cli


def run_check(seeds: Path):
    result = CliRunner().invoke(cli, ["check", str(seeds)])
    assert "Traceback" not in result.output
    return result


def problems(seeds: Path) -> list[str]:
    result = run_check(seeds)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert re.fullmatch(r"\d+ errors? found; nothing was built\.", lines[-1])
    prefix = f"{seeds}/"
    return [line.removeprefix(prefix) for line in lines[:-1] if "warning:" not in line]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_fixture_corpus_is_clean(seeds):
    result = run_check(seeds)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 3 sources, 2 sources with text, 1 citations, 2 entities, 2 properties, 3 claims")


# Each case: (file, old text, new text, the exact problem line expected).
CASES = [
    pytest.param(
        "claims/combat.yaml",
        "  statement: The air division first",
        "  statement: [The air division first",
        "claims/combat.yaml:3: YAML syntax error: while parsing a flow sequence, did not find expected ',' or ']'",
        id="yaml-syntax",
    ),
    pytest.param(
        "sources/memo.yaml",
        "kind: memo\n",
        "kind: memo\nkind: report\n",
        "sources/memo.yaml:3: memo: kind: duplicate key 'kind' (first given on line 2)",
        id="duplicate-key",
    ),
    pytest.param(
        "citations/memo.yaml",
        "footnote: 12",
        'footnote: "12"',
        "citations/memo.yaml:4: memo-n12: footnote: should be a valid integer, not the text '12'",
        id="wrong-type-no-coercion",
    ),
    pytest.param(
        "citations/memo.yaml",
        "footnote: 12",
        "footnote: 012",
        "citations/memo.yaml:4: memo-n12: footnote: 012 has a leading zero (octal in YAML 1.1, decimal in YAML 1.2): "
        "write 12 for the number, or put it in quotes for text",
        id="yaml11-octal",
    ),
    pytest.param(
        "sources/memo.yaml",
        "title: Memorandum",
        "titel: Memorandum",
        "sources/memo.yaml:3: memo: titel: unknown field 'titel' (did you mean 'title'?)",
        id="unknown-field",
    ),
    pytest.param(
        "claims/combat.yaml",
        "      stance: conflicts",
        "      stance: conflict",
        "claims/combat.yaml:15: first-combat-1950-11-01: evidence[2].stance: 'conflict' is not one of "
        "'supports', 'conflicts', 'qualifies' or 'reports' (did you mean 'conflicts'?)",
        id="bad-stance",
    ),
    pytest.param(
        "claims/combat.yaml",
        "- id: pilots-in-chinese-uniform",
        "- id: first-combat-1950-11-01",
        "claims/combat.yaml:18: first-combat-1950-11-01: id: duplicate id: already used at SEEDS/claims/combat.yaml:1",
        id="duplicate-id",
    ),
    pytest.param(
        "sources/others.yaml",
        "- id: review",
        "- id: Review",
        "sources/others.yaml:1: Review: id: 'Review' is not a valid id: use lowercase letters, digits and single hyphens",
        id="id-not-a-slug",
    ),
    pytest.param(
        "citations/memo.yaml",
        "cites: commander-report",
        "cites: commander-reports",
        "citations/memo.yaml:3: memo-n12: cites: unknown source 'commander-reports' (did you mean 'commander-report'?)",
        id="dangling-reference",
    ),
    pytest.param(
        "claims/combat.yaml",
        "  subject: air-division\n  property: first",
        "  subject: air-divison\n  property: first",
        "claims/combat.yaml:3: first-combat-1950-11-01: subject: unknown entity 'air-divison' (did you mean 'air-division'?)",
        id="dangling-entity",
    ),
    pytest.param(
        "claims/combat.yaml",
        'event_date: "1950-11-01"',
        'event_date: "1951-02-29"',
        "claims/combat.yaml:7: first-combat-1950-11-01: event_date: '1951-02-29' is not a date on the calendar "
        "(1951-02-29 does not exist)",
        id="impossible-date",
    ),
    pytest.param(
        "claims/combat.yaml",
        'event_date: "1950-11-01"',
        "event_date: early 1951",
        "claims/combat.yaml:7: first-combat-1950-11-01: event_date: 'early 1951' is not an EDTF date; write e.g. "
        "1950-11-01, 1950-11, 1950-10~ (about), 1950? (uncertain) or 1949/1950 (interval), and keep the source's "
        "wording in the 'as_written' field",
        id="invalid-date",
    ),
    pytest.param(
        "sources/memo.yaml",
        "text: texts/memo.txt",
        "text: texts/missing.txt",
        "sources/memo.yaml:11: memo: text: text file 'texts/missing.txt' not found",
        id="missing-text-file",
    ),
    pytest.param(
        "sources/memo.yaml",
        "text: texts/memo.txt",
        "text: ../../etc/passwd",
        "sources/memo.yaml:11: memo: text: '../../etc/passwd' is outside the seeds folder",
        id="path-escapes-seeds",
    ),
    pytest.param(
        "claims/combat.yaml",
        "quote: The division moved to Andong within ten days.",
        'quote: "  "',
        "claims/combat.yaml:34: division-moved-to-andong: evidence[1].quote: the quote is blank",
        id="empty-quote",
    ),
    pytest.param(
        "claims/combat.yaml",
        "quote: The division moved to Andong within ten days.",
        "quote: The division moved to Antung within ten days.",
        "claims/combat.yaml:34: division-moved-to-andong: evidence[1].quote: the quote is not in the source's text; "
        'the closest passage (95.6% similar) is: "The division moved to Andong within ten days." - paste the exact words',
        id="quote-near-miss",
    ),
    pytest.param(
        "claims/combat.yaml",
        "quote: The division moved to Andong within ten days.",
        "quote: Nothing like this sentence appears anywhere at all.",
        "claims/combat.yaml:34: division-moved-to-andong: evidence[1].quote: the quote is not in the source's text, "
        "and no passage resembles it",
        id="quote-absent",
    ),
    pytest.param(
        "claims/combat.yaml",
        "      via: [memo-n12]",
        "      via: [memo-n13]",
        "claims/combat.yaml:13: first-combat-1950-11-01: evidence[1].via[1]: unknown citation 'memo-n13' (did you mean 'memo-n12'?)",
        id="dangling-via",
    ),
    pytest.param(
        "claims/combat.yaml",
        "  value:\n    entity: andong",
        '  value:\n    date: "1950-11"',
        "claims/combat.yaml:29: division-moved-to-andong: value: property 'base' takes an entity value, not a date",
        id="value-kind-mismatch",
    ),
]


@pytest.mark.parametrize("file, old, new, expected", CASES)
def test_bad_input_is_reported_with_file_and_line(seeds, file, old, new, expected):
    edit(seeds / file, old, new)
    assert expected.replace("SEEDS", str(seeds)) in problems(seeds)


def test_every_problem_is_reported_in_one_run(seeds):
    edit(seeds / "sources/others.yaml", "  title: Report of the commander", "  titel: Report of the commander")
    edit(seeds / "citations/memo.yaml", "footnote: 12", 'footnote: "12"')
    edit(seeds / "claims/combat.yaml", "      stance: conflicts", "      stance: conflict")
    edit(seeds / "claims/combat.yaml", "quote: The division moved to Andong", "quote: The division moved to Antung")
    found = problems(seeds)
    # A record that fails validation is still known by its id, so references to it are not
    # reported a second time as unknown.
    assert [line.split(": ", 1)[0] for line in found] == [
        "citations/memo.yaml:4",
        "claims/combat.yaml:15",
        "claims/combat.yaml:34",
        "sources/others.yaml:11",  # the misspelt field (not also "title is missing")
    ]


def test_ambiguous_quote_needs_more_words_or_occurrence(seeds):
    (seeds / "texts/memo.txt").write_text(
        "The pilots flew over the river. The pilots flew over the river again.\n", encoding="utf-8"
    )
    claims = seeds / "claims/combat.yaml"
    claims.write_text(
        "- id: c\n  statement: s\n  evidence:\n"
        "    - source: memo\n      stance: supports\n      quote: The pilots flew over the river\n      locator: x\n",
        encoding="utf-8",
    )
    found = problems(seeds)
    assert any(
        "claims/combat.yaml:6: c: evidence[1].quote: the quote occurs more than once in the text (lines 1, 1); "
        "add words to make it unique, or set occurrence: N" in line
        for line in found
    ), found
    edit(claims, "      locator: x", "      locator: x\n      occurrence: 2")
    result = run_check(seeds)
    assert result.exit_code == 0, result.output


def test_non_utf8_text_file(seeds):
    (seeds / "texts/memo.txt").write_bytes("caf\xe9 au lait\n".encode("latin-1"))
    found = problems(seeds)
    assert "sources/memo.yaml:11: memo: text: texts/memo.txt is not UTF-8 (line 1, byte offset 3); convert it to UTF-8" in found


def test_warnings_do_not_fail_the_check(seeds):
    edit(
        seeds / "claims/combat.yaml",
        "- id: pilots-in-chinese-uniform\n",
        "- id: no-evidence\n  statement: Nothing backs this.\n- id: pilots-in-chinese-uniform\n",
    )
    result = run_check(seeds)
    assert result.exit_code == 0
    assert "claims/combat.yaml:18: no-evidence: evidence: warning: the claim has no evidence" in result.output
