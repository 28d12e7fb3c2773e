"""JSON Lines out of a database and back in: same checks as seed files, identical database."""

import json
import sqlite3

import pytest
from click.testing import CliRunner

import provenance.exchange as exchange
from provenance import build_database
from provenance.cli import cli
from provenance.exchange import JsonlSeeds

from .conftest import CORPUS, ROOT


def content(path) -> dict:
    """Every table but build_info, without the columns that say which file a record came from."""
    conn = sqlite3.connect(path)
    out = {}
    for (table,) in conn.execute("select name from sqlite_master where type = 'table' and name != 'build_info'"):
        columns = [r[1] for r in conn.execute(f"pragma table_info([{table}])") if r[1] not in ("seed_file", "seed_line")]
        out[table] = sorted(conn.execute(f"select {', '.join(f'[{c}]' for c in columns)} from [{table}]").fetchall(), key=repr)
    return out


def export(db_path, jsonl_path):
    """As a user does it: provenance export --format jsonl."""
    result = CliRunner().invoke(cli, ["export", "--format", "jsonl", "-o", str(db_path), "--output", str(jsonl_path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("seeds", [CORPUS, ROOT / "seeds"], ids=["fixture", "bundled"])
def test_round_trip_builds_an_identical_database(tmp_path, seeds, monkeypatch):
    monkeypatch.setattr(exchange, "CHUNK", 7)  # several batches even for the small corpus
    build_database(seeds, tmp_path / "a.db")
    export(tmp_path / "a.db", tmp_path / "corpus.jsonl")
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "corpus.jsonl"), "-o", str(tmp_path / "b.db")])
    assert result.exit_code == 0, result.output
    assert content(tmp_path / "a.db") == content(tmp_path / "b.db")


def test_lines_read_as_seed_records(tmp_path, corpus_db):
    export(corpus_db, tmp_path / "c.jsonl")
    lines = [json.loads(line) for line in (tmp_path / "c.jsonl").read_text().splitlines()]
    assert [r["type"] for r in lines][:3] == ["source", "source", "source"]
    claim = next(r for r in lines if r["type"] == "claim" and r["record"]["id"] == "first-combat-1950-11-01")
    assert claim["topic"] == "combat"
    assert claim["record"]["value"] == {"date": "1950-11-01"}
    assert claim["record"]["evidence"][0]["via"] == ["memo-n12"]
    assert "seed_file" not in json.dumps(claim)


BAD = [
    ('{"type": "source", "record": {"id": "s", "kind": "memo", "title": "T", "origin": "primary"}}', None),
    ("{not json", "bad.jsonl:2: invalid JSON: Expecting property name enclosed in double quotes (column 2)"),
    ('{"type": "claims", "record": {}}', "bad.jsonl:3: unknown record type 'claims' (did you mean 'claim'?)"),
    (
        '{"type": "claim", "record": {"id": "c", "statment": "x"}}',
        "bad.jsonl:4: c: statment: unknown field 'statment' (did you mean 'statement'?)",
    ),
    (
        '{"type": "claim", "record": {"id": "d", "statement": "x", "subject": "nobody"}}',
        "bad.jsonl:5: d: subject: unknown entity 'nobody'",
    ),
    ('"just a string"', 'bad.jsonl:6: expected {"type": ..., "record": {...}}'),
    # claim lines are parsed once, when claims are read: the same checks, the same lines
    ('{"type": "claim", "record": {"id": "e", "statement": "x"}, "topik": "t"}', "bad.jsonl:7: unknown envelope field(s): topik"),
    ('{"type": "claim", "record": {"id": "f", "statement": "x"', "bad.jsonl:8: invalid JSON: Expecting ',' delimiter (column"),
    ('{"type": "claim", "record": [], "topic": "t"}', 'bad.jsonl:9: expected {"type": ..., "record": {...}}'),
    (
        '{"type": "claim", "type": "source", "record": {"id": "g"}}',
        "bad.jsonl:10: \"type\" is given more than once (first 'claim', then 'source')",
    ),
    (
        '{"type": "claim", "record": {"id": "h", "statement": "x", "subject": "nobody"}}',
        "bad.jsonl:11: h: subject: unknown entity 'nobody'",
    ),
]


def test_errors_name_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(line for line, _ in BAD) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(path), "-o", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    output = result.output.replace(str(tmp_path) + "/", "")
    for _, expected in BAD:
        if expected:
            assert expected in output, output
    assert not (tmp_path / "x.db").exists()


def test_text_beside_the_file(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("The first sortie was flown on 1 November 1950 over the river.\n")
    lines = [
        {"type": "source", "record": {"id": "a", "kind": "memo", "title": "A", "origin": "primary", "text": "texts/a.txt"}},
        {
            "type": "claim",
            "record": {
                "id": "c",
                "statement": "s",
                "evidence": [
                    {
                        "source": "a",
                        "stance": "supports",
                        "quote": "The first sortie was flown on 1 November 1950",
                        "locator": "p. 1",
                    }
                ],
            },
        },
    ]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    build_database(JsonlSeeds(tmp_path / "in.jsonl"), tmp_path / "p.db")
    row = (
        sqlite3.connect(tmp_path / "p.db")
        .execute("select anchor_start, anchor_end, topic from evidence join claims on claims.id = claim_id")
        .fetchone()
    )
    assert row == (0, 45, "in")
