"""status, contradictions, chain and cite read the built database, as users call them."""

import json

import pytest
from click.testing import CliRunner

from provenance.cli import cli


def run(*args):
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def db(corpus_db):
    return str(corpus_db)


def test_status_of_all_claims(db):
    result = run("status", "-o", db)
    assert result.exit_code == 0
    assert "contested     1 for, 1 against         first-combat-1950-11-01" in result.output
    assert "0 corroborated, 2 supported, 0 reported, 1 contested, 0 refuted, 0 unsupported (3 claims)" in result.output


def test_status_of_one_claim_gives_the_reason(db):
    result = run("status", "first-combat-1950-11-01", "-o", db)
    assert (
        "status: contested: 1 independent origin supports it: Report of the commander (1950) (Central Office, 3 November 1950, n. 12); "
        "1 independent origin conflicts: Doe 1999 [unjudged]"
    ) in result.output


def test_unknown_claim_is_a_clean_error(db):
    result = run("status", "first-combat-1950-11-02", "-o", db)
    assert result.exit_code == 1
    assert "Error: no claim 'first-combat-1950-11-02' (did you mean 'first-combat-1950-11-01'?)" in result.output


def test_missing_database_is_a_clean_error(tmp_path):
    result = run("contradictions", "-o", str(tmp_path / "none.db"))
    assert result.exit_code == 1
    assert "does not exist; build it first" in result.output


def test_contradictions_filtered(db):
    everything = run("contradictions", "-o", db).output
    assert "disagreement-b29a5faae5 [stance-conflict]: Central Office, 3 November 1950 supports" in everything
    assert "1 disagreement: flagged by stance-conflict 1" in everything
    assert "1 disagreement" in run("contradictions", "--kind", "stance-conflict", "-o", db).output
    assert "0 disagreements" in run("contradictions", "--kind", "value-conflict", "-o", db).output
    # the entity filter matches any alias: Dandong is an alias of Andong, which is not in the stance conflict
    assert "0 disagreements" in run("contradictions", "--entity", "Dandong", "-o", db).output


def test_chain_marks_read_and_cited_and_ends_honestly(db):
    output = run("chain", "first-combat-1950-11-01", "-o", db).output
    assert "└─ note 12 → commander-report, pp. 4–5 (cited only, not read, primary source)" in output
    assert "└─ no citation given" in output


def test_cite_chicago_names_the_note_and_the_cited_work(db):
    output = run("cite", "first-combat-1950-11-01", "-o", db).output
    assert (
        "1. [supports] Central Office, Memorandum for the Record, Memorandum, (November 3, 1950), n. 12, citing Report of the Commander, November 2, 1950, 4–5."
        in output
    )


def test_cite_csl_json_keeps_name_and_date_parts(db):
    items = json.loads(run("cite", "first-combat-1950-11-01", "--format", "csl-json", "-o", db).output)
    by_id = {i["id"]: i for i in items}
    assert by_id["review"]["author"] == [{"family": "Doe", "given": "Jane"}]
    assert by_id["memo"]["author"] == [{"literal": "Central Office"}]
    assert by_id["memo"]["issued"] == {"date-parts": [[1950, 11, 3]]}


def test_cite_bibtex_and_markdown(db):
    bib = run("cite", "first-combat-1950-11-01", "--format", "bibtex", "-o", db).output
    assert "@article{review,\n  title = {{A review written in decomposed Unicode}},\n  author = {Doe, Jane}," in bib
    md = run("cite", "first-combat-1950-11-01", "--format", "markdown", "-o", db).output
    assert "- `commander-report`: **Report of the commander**, 1950-11-02, report, cited only" in md
