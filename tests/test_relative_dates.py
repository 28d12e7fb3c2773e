"""Relative dates ("12 days after the CPV entered Korea") resolved and checked against the claim's event_date.

Each case writes claims files into a copy of the fixture corpus, one claim a line, and lists
every error `provenance check` must print for them (warnings, such as "the claim has no
evidence", are left out). claims/a.yaml is read before the corpus's combat.yaml and
claims/z.yaml after it, so a base claim may come before its relative claim (read again at
the end), after it, or in the same file.
"""

import json

import pytest
from click.testing import CliRunner

import provenance.exchange as exchange
from provenance.cli import cli
from provenance.seeds import Seeds

from .test_check import problems, run_check

# A date property and an entity for the claims below to state it of.
DAY = {
    "properties/day.yaml": "- {id: day, label: day, value_type: date}\n",
    "entities/e.yaml": "- {id: e, type: event, name: The event}\n",
}

FIX = "; fix the days or the event date"

# fmt: off
HITS = [
    pytest.param(
        {"claims/z.yaml":
            '- {id: base, statement: s, subject: e, property: day, value: {date: "1950-10-19"}}\n'
            '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 7}}, event_date: "1950-10-27"}\n'},
        ["claims/z.yaml:2: rel: value.relative.days: 7 days after base (1950-10-19) is 1950-10-26, but event_date is 1950-10-27" + FIX],
        id="one-day-late",
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: cpv-entered-korea, statement: s, subject: e, property: day, value: {date: "1950-10-19"}}\n'
            '- {id: seven-days-later, statement: s, subject: e, property: day, value: {relative: {claim: cpv-entered-korea, days: 7}}, event_date: "1950-11-08"}\n'},
        ["claims/z.yaml:2: seven-days-later: value.relative.days: 7 days after cpv-entered-korea (1950-10-19) is 1950-10-26, but event_date is 1950-11-08" + FIX],
        id="the-reported-bug",
    ),
    pytest.param(
        {"claims/a.yaml": '- {id: base, statement: s, event_date: "1950-10-19"}\n',
         "claims/z.yaml": '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 7}}, event_date: "1950-10-25"}\n'},
        ["claims/z.yaml:1: rel: value.relative.days: 7 days after base (event_date 1950-10-19) is 1950-10-26, but event_date is 1950-10-25" + FIX],
        id="base-by-event-date-read-earlier",
    ),
    pytest.param(
        {"claims/a.yaml":
            '- {id: other, statement: &s A statement., event_date: &d "1950-10-19"}\n'
            "# the base's date is an alias: its own lines cannot be read without the anchor\n"
            "- {id: base, statement: *s, event_date: *d}\n",
         "claims/z.yaml": '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 7}}, event_date: "1950-10-25"}\n'},
        ["claims/z.yaml:1: rel: value.relative.days: 7 days after base (event_date 1950-10-19) is 1950-10-26, but event_date is 1950-10-25" + FIX],
        id="base-read-earlier-by-alias",
    ),
    pytest.param(
        {"claims/a.yaml": '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 7}}, event_date: "1950-10-25"}\n',
         "claims/z.yaml": '- {id: base, statement: s, event_date: "1950-10-19"}\n'},
        ["claims/a.yaml:1: rel: value.relative.days: 7 days after base (event_date 1950-10-19) is 1950-10-26, but event_date is 1950-10-25" + FIX],
        id="base-by-event-date-read-later",
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 7}}, event_date: "1950-10-25"}\n'
            '- {id: base, statement: s, subject: e, property: day, value: {date: "1950-10-19"}, event_date: "1950-10"}\n'},
        ["claims/z.yaml:1: rel: value.relative.days: 7 days after base (1950-10-19) is 1950-10-26, but event_date is 1950-10-25" + FIX],
        id="value-date-before-event-date",
    ),
    pytest.param(
        {"claims/a.yaml": '- {id: a, statement: s, subject: e, property: day, value: {date: "1950-10-19"}}\n',
         "claims/z.yaml":
            '- {id: c, statement: s, subject: e, property: day, value: {relative: {claim: b, days: 7}}, event_date: "1950-11-08"}\n'
            '- {id: b, statement: s, subject: e, property: day, value: {relative: {claim: a, days: 12}}}\n'},
        ["claims/z.yaml:1: c: value.relative.days: 7 days after b (12 days after a: 1950-10-31) is 1950-11-07, but event_date is 1950-11-08" + FIX],
        id="chain-of-two",
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: a, statement: s, subject: e, property: day, value: {date: "1950-10-19"}}\n'
            '- {id: b, statement: s, subject: e, property: day, value: {relative: {claim: a, days: 12}}, event_date: "1950-11-01"}\n'
            '- {id: c, statement: s, subject: e, property: day, value: {relative: {claim: b, days: 7}}, event_date: "1950-11-08"}\n'},
        # b is wrong by a day; c, counted from b's value (31 October), is wrong too
        ["claims/z.yaml:2: b: value.relative.days: 12 days after a (1950-10-19) is 1950-10-31, but event_date is 1950-11-01" + FIX,
         "claims/z.yaml:3: c: value.relative.days: 7 days after b (12 days after a: 1950-10-31) is 1950-11-07, but event_date is 1950-11-08" + FIX],
        id="chain-both-wrong",
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: base, statement: s, subject: e, property: day, value: {date: "1950-11-01"}}\n'
            '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: -3}}, event_date: "1950-10-30"}\n'},
        ["claims/z.yaml:2: rel: value.relative.days: 3 days before base (1950-11-01) is 1950-10-29, but event_date is 1950-10-30" + FIX],
        id="negative-days",
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: base, statement: s, subject: e, property: day, value: {date: "1950-10"}}\n'
            '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 1}}, event_date: "1950-12"}\n'},
        ["claims/z.yaml:2: rel: value.relative.days: 1 day after base (1950-10) is 1950-10-02 to 1950-11-01, but event_date is 1950-12" + FIX],
        id="month-base-interval",
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: base, statement: s, subject: e, property: day, value: {date: "1950-10-19"}}\n'
            '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 7}}, event_date: "1950-10-28~"}\n'},
        ["claims/z.yaml:2: rel: value.relative.days: 7 days after base (1950-10-19) is 1950-10-26, "
         "but event_date is 1950-10-28~ (1950-10-27 to 1950-10-29)" + FIX],
        id="approximate-event-date-misses",
    ),
    pytest.param(
        {"claims/z.yaml":
            "- {id: base, statement: s}\n"
            "- id: rel\n"
            "  statement: s\n"
            "  subject: e\n"
            "  property: day\n"
            "  value:\n"
            "    relative:\n"
            "      claim: base\n"
            "      days: 7\n"},
        ["claims/z.yaml:8: rel: value.relative.claim: base has no date to count from (neither value.date nor event_date); "
         "give it one, or give this claim a date instead of a relative one"],
        id="base-without-date",
    ),
    pytest.param(
        {"claims/z.yaml": '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: bsae, days: 7}}, event_date: "1950-10-26"}\n'
                          '- {id: base, statement: s, subject: e, property: day, value: {date: "1950-10-19"}}\n'},
        ["claims/z.yaml:1: rel: value.relative.claim: unknown claim 'bsae' (did you mean 'base'?)"],  # and nothing more
        id="unknown-base-reported-once",
    ),
    pytest.param(
        {"claims/z.yaml": '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 7}}, event_date: "1950-10-26"}\n'
                          '- {id: base, statement: s, subject: e, property: day, value: {date: "1950-10-19"}, event_date: "1950-13"}\n'},
        ["claims/z.yaml:2: base: event_date: '1950-13' is not an EDTF date; write e.g. 1950-11-01, 1950-11, 1950-10~ (about), "
         "1950? (uncertain) or 1949/1950 (interval), and keep the source's wording in the 'as_written' field"],  # and nothing more
        id="broken-base-reported-once",
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: a, statement: s, subject: e, property: day, value: {relative: {claim: b, days: 1}}, event_date: "1950-10-26"}\n'
            '- {id: b, statement: s, subject: e, property: day, value: {relative: {claim: c, days: 1}}}\n'
            '- {id: c, statement: s, subject: e, property: day, value: {relative: {claim: b, days: 1}}}\n'},
        ["claims/z.yaml:2: b: value.relative.claim: the relative dates count from each other in a circle (b -> c -> b), "
         "so none of them has a date; count one of them from a claim with a date, or give it a date"],
        id="cycle",
    ),
    pytest.param(
        {"claims/z.yaml": '- {id: a, statement: s, subject: e, property: day, value: {relative: {claim: a, days: 1}}}\n'},
        ["claims/z.yaml:1: a: value.relative.claim: a claim cannot link to itself"],
        id="counted-from-itself",
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: base, statement: s, subject: e, property: day, value: {date: "9999-12-31"}}\n'
            "- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 1}}}\n"},
        ["claims/z.yaml:2: rel: value.relative.days: 1 day after base (9999-12-31) falls after 9999-12-31, "
         "the last day this tracker can compare; fix the days"],
        id="overflow-by-one-day",
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: base, statement: s, subject: e, property: day, value: {date: "1950-10-19"}}\n'
            '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 10000000}}, event_date: "1950-10"}\n'},
        ["claims/z.yaml:2: rel: value.relative.days: 10000000 days after base (1950-10-19) falls after 9999-12-31, "
         "the last day this tracker can compare; fix the days"],
        id="overflow-ten-million-days",
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: base, statement: s, subject: e, property: day, value: {date: "1950-10-19"}}\n'
            "- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: -100000000000}}}\n"},
        ["claims/z.yaml:2: rel: value.relative.days: 100000000000 days before base (1950-10-19) falls before 0001-01-01, "
         "the first day this tracker can compare; fix the days"],
        id="overflow-beyond-timedelta",
    ),
]

NEAR_MISSES = [
    pytest.param(
        {"claims/z.yaml":
            '- {id: base, statement: s, subject: e, property: day, value: {date: "1950-10-19"}}\n'
            '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 7}}, event_date: "1950-10-26"}\n'},
        id="exact-day",
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: base, statement: s, subject: e, property: day, value: {date: "1950-10-19"}}\n'
            '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 12}}, event_date: "1950-10"}\n'},
        id="month-contains-the-day",  # the bundled corpus's case: 31 October is in October
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: base, statement: s, subject: e, property: day, value: {date: "1950-10-15~"}}\n'
            '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 7}}, event_date: "1950-10-23"}\n'},
        id="approximate-base-overlaps",  # about 15 October: 14 to 16, plus 7: 21 to 23
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: base, statement: s, subject: e, property: day, value: {date: "1950?"}}\n'
            '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 30}}, event_date: "1951-01-15"}\n'},
        id="uncertain-year-base-overlaps",
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: base, statement: s, subject: e, property: day, value: {date: "1950-10-19"}}\n'
            "- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 7}}}\n"},
        id="no-event-date-nothing-to-check",
    ),
    pytest.param(
        {"claims/a.yaml": '- {id: base, statement: s, event_date: "1950-10-19"}\n',
         "claims/z.yaml": '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 7}}, event_date: "1950-10-26"}\n'},
        id="base-by-event-date",
    ),
    pytest.param(
        {"claims/a.yaml": '- {id: a, statement: s, subject: e, property: day, value: {date: "1950-10-19"}}\n',
         "claims/z.yaml":
            '- {id: c, statement: s, subject: e, property: day, value: {relative: {claim: b, days: 7}}, event_date: "1950-11-07"}\n'
            '- {id: b, statement: s, subject: e, property: day, value: {relative: {claim: a, days: 12}}, event_date: "1950-10-31"}\n'},
        id="chain-of-two",
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: base, statement: s, subject: e, property: day, value: {date: "1950-11-01"}}\n'
            '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: -3}}, event_date: "1950-10-29"}\n'},
        id="negative-days",
    ),
    pytest.param(
        {"claims/z.yaml":
            '- {id: base, statement: s, subject: e, property: day, value: {date: "9999-12-30"}}\n'
            '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: base, days: 1}}, event_date: "9999-12-31"}\n'},
        id="last-day-of-the-calendar",
    ),
]
# fmt: on


def write(seeds, files: dict[str, str]) -> None:
    for name, text in {**DAY, **files}.items():
        (seeds / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("files, expected", HITS)
def test_relative_date_problems(seeds, files, expected):
    write(seeds, files)
    assert problems(seeds) == expected


@pytest.mark.parametrize("files", NEAR_MISSES)
def test_relative_dates_that_agree(seeds, files):
    write(seeds, files)
    result = run_check(seeds)
    assert result.exit_code == 0, result.output


def test_a_long_chain_is_resolved_without_recursion(seeds):
    """A chain far deeper than Python's recursion limit, its base read last."""
    n = 5000
    lines = [
        f"- {{id: c{i}, statement: s, subject: e, property: day, value: {{relative: {{claim: c{i + 1}, days: 1}}}}}}\n"
        for i in range(n)
    ]
    lines[0] = lines[0].replace("}}}", '}}, event_date: "1950-01-01"}')
    lines.append(f'- {{id: c{n}, statement: s, subject: e, property: day, value: {{date: "1937-01-01"}}}}\n')
    write(seeds, {"claims/z.yaml": "".join(lines)})
    # 1937-01-01 + 5000 days is 1950-09-10
    expected = "claims/z.yaml:1: c0: value.relative.days: 1 day after c1 (1 day after c2: 1950-09-09) is 1950-09-10, but event_date is 1950-01-01"
    assert problems(seeds) == [expected + FIX]


def test_only_relative_values_and_their_bases_dates_are_kept(seeds):
    """Memory stays bounded by the relative values, not by the claims: no date is kept for other claims."""
    many = "".join(f'- {{id: c{i}, statement: s, event_date: "1950-10-19"}}\n' for i in range(200))
    rel = '- {id: rel, statement: s, subject: e, property: day, value: {relative: {claim: c7, days: 7}}, event_date: "1950-10-26"}\n'
    write(seeds, {"claims/a.yaml": many, "claims/z.yaml": rel})
    loader = Seeds(seeds)
    for _ in loader.records():
        pass
    assert list(loader._relatives) == ["rel"]
    assert loader._base_dates == {"c7": ("1950-10-19", "event_date")}  # read again, from its own line


@pytest.mark.parametrize("chunk", [1, 1000], ids=["base-in-an-earlier-chunk", "same-chunk"])
def test_jsonl_import_reports_the_mismatch_with_its_line(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(exchange, "CHUNK", chunk)  # 1: the base is read again at the end, from its line
    claim = {"statement": "s", "subject": "e", "property": "day"}
    lines = [
        {"type": "entity", "record": {"id": "e", "type": "event", "name": "The event"}},
        {"type": "property", "record": {"id": "day", "label": "day", "value_type": "date"}},
        {"type": "claim", "topic": "t", "record": {"id": "base", **claim, "value": {"date": "1950-10-19"}}},
        {
            "type": "claim",
            "topic": "t",
            "record": {"id": "rel", **claim, "value": {"relative": {"claim": "base", "days": 7}}, "event_date": "1950-11-08"},
        },
    ]
    path = tmp_path / "rel.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(path), "-o", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    output = result.output.replace(str(tmp_path) + "/", "")
    assert (
        "rel.jsonl:4: rel: value.relative.days: 7 days after base (1950-10-19) is 1950-10-26, but event_date is 1950-11-08" + FIX
        in output
    )
    assert not (tmp_path / "x.db").exists()
