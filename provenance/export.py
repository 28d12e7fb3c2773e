"""Export a built database for other tools: bibliographies, W3C PROV, Web Annotations, briefs.

Every export reads the built database only (never the seeds), so it shows exactly what
was checked and published. The formats of ``provenance export`` are the functions in
:data:`FORMATS`: each takes the database and an :class:`ExportOptions` and yields the
output in text chunks, so a large export can be written as it is produced and a new
format is one function and one entry in the dict.

Everything gets a stable URN under ``urn:provenance:`` (``urn:provenance:claim:ID``,
``urn:provenance:source:ID``, ``urn:provenance:evidence:ID`` ...): the ids are the
curated slugs, so the same thing has the same name in every export and every build,
and no web address is claimed that nobody serves.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import re
import textwrap
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlite_utils

from .citing import bibtex, csl_item, note_citations
from .errors import ExportError, NotFound
from .exchange import export_jsonl
from .queries import evidence_chain, get_claim

if TYPE_CHECKING:  # prov is imported when a PROV format is asked for: it is slow to import
    from prov.model import ProvDocument

__all__ = [
    "URN",
    "DEFAULT_CURATOR",
    "ExportError",
    "ExportOptions",
    "Exporter",
    "FORMATS",
    "export",
    "urn",
    "select_sources",
    "csl_json",
    "bibtex_export",
    "prov_document",
    "prov_json",
    "prov_n",
    "prov_o",
    "ANNOTATION_CONTEXT",
    "web_annotation",
    "web_annotations",
    "md_escape",
    "claim_brief",
]

URN = "urn:provenance:"
DEFAULT_CURATOR = "provenance curators"


@dataclass(frozen=True)
class ExportOptions:
    """What the user asked of an export; each format reads the fields that concern it.

    A new format with options of its own adds fields here (with defaults, so the other
    formats and their callers are unaffected).
    """

    sources: tuple[str, ...] = ()  # only these sources (bibliographies, annotations); empty: all
    curator: str = DEFAULT_CURATOR  # the name of the agent claims are attributed to
    jsonl: bool = False  # web annotations as JSON Lines instead of one AnnotationCollection


Exporter = Callable[[sqlite_utils.Database, ExportOptions], Iterable[str]]


def urn(kind: str, ident: str) -> str:
    """The stable name of a record: ``urn:provenance:claim:ID``, ``...:source:ID`` ..."""
    return f"{URN}{kind}:{ident}"


def export(db: sqlite_utils.Database, fmt: str, options: ExportOptions | None = None) -> Iterator[str]:
    """The chunks of ``db`` exported as ``fmt``.

    The first chunk is produced before this returns, so a bad option (an unknown source
    id) raises here, before the caller has opened, let alone written, its output.
    """
    try:
        exporter = FORMATS[fmt]
    except KeyError:
        raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}") from None
    chunks = iter(exporter(db, options or ExportOptions()))
    first = next(chunks, None)
    return itertools.chain([] if first is None else [first], chunks)


def select_sources(db: sqlite_utils.Database, ids: Iterable[str] = ()) -> list[dict]:
    """The sources rows with these ids, in the order given (all, by id, when none are given).

    Every unknown id is reported at once, with the closest known id as a hint.
    """
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return list(db.query("select * from sources order by id"))
    marks = ",".join("?" * len(wanted))
    found = {r["id"]: r for r in db.query(f"select * from sources where id in ({marks})", wanted)}
    missing = [i for i in wanted if i not in found]
    if missing:
        known = [r["id"] for r in db.query("select id from sources")]
        hints = []
        for ident in missing:
            close = difflib.get_close_matches(ident, known, n=1, cutoff=0.6)
            hints.append(f"{ident!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise NotFound(f"no source {', '.join(hints)}")
    return [found[i] for i in wanted]


def _reject_source_selection(options: ExportOptions, fmt: str) -> None:
    if options.sources:
        raise ExportError(f"--source cannot be used with {fmt}: a PROV document describes the whole database")


# -- bibliographies ------------------------------------------------------------------------


def csl_json(db: sqlite_utils.Database, options: ExportOptions) -> Iterator[str]:
    """The sources as a CSL-JSON array (the items of :func:`provenance.citing.csl_item`)."""
    sources = select_sources(db, options.sources)
    if not sources:
        yield "[]\n"
        return
    for number, source in enumerate(sources):
        item = json.dumps(csl_item(source), indent=2, ensure_ascii=False)
        yield ("[\n" if number == 0 else ",\n") + textwrap.indent(item, "  ")
    yield "\n]\n"


def bibtex_export(db: sqlite_utils.Database, options: ExportOptions) -> Iterator[str]:
    """The sources as BibTeX entries keyed by source id (:func:`provenance.citing.bibtex`)."""
    for number, source in enumerate(select_sources(db, options.sources)):
        yield ("\n" if number else "") + bibtex([source])


# -- W3C PROV ------------------------------------------------------------------------------

#: Prefixes of the PROV documents: one per kind of record, all under ``urn:provenance:``,
#: plus ``pv`` for the vocabulary (types, attributes) and the curator agent.
PROV_NAMESPACES = {
    "pv": URN,
    "claim": URN + "claim:",
    "evidence": URN + "evidence:",
    "source": URN + "source:",
    "agent": URN + "agent:",
    "citation": URN + "citation:",
}


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


class _Agents:
    """Agents named by a slug of their name, the same for every source that names them.

    Sources store their authors as name parts, not as ids; two spellings that reduce to
    the same slug but differ get a digest appended, so distinct names stay distinct.
    """

    def __init__(self) -> None:
        self.names: dict[str, str] = {}  # slug -> display name

    def ident(self, name: str) -> str:
        slug = _slug(name) or "agent"
        if self.names.setdefault(slug, name) != name:
            slug = f"{slug}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"
            self.names.setdefault(slug, name)
        return slug


def _name_parts(value: str | None) -> list[dict]:
    return json.loads(value) if value else []


def _display_name(parts: dict) -> str:
    if "literal" in parts:
        return parts["literal"]
    return " ".join(p for p in (parts.get("given"), parts.get("family")) if p)


def _attributes(pairs: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Drop empty values: PROV has no null, and an absent attribute says the same."""
    return [(key, value) for key, value in pairs if value is not None and value != ""]


def prov_document(db: sqlite_utils.Database, curator: str = DEFAULT_CURATOR) -> ProvDocument:
    """The database as a W3C PROV document.

    - every claim, evidence passage and source is a ``prov:Entity`` typed ``pv:Claim``,
      ``pv:Passage`` or ``pv:Source``;
    - authors and editors of sources are agents (``prov:Person``, or ``prov:Organization``
      for a name without parts), to which their sources are attributed;
    - each passage ``wasQuotedFrom`` its source (a derivation typed ``prov:Quotation``)
      when it is anchored in the source's text;
    - a claim ``wasDerivedFrom`` its supporting passages, and ``wasInfluencedBy`` its
      conflicting, qualifying and reporting ones; both carry ``pv:stance``;
    - each citation followed by an evidence chain is a derivation of the citing source
      from the cited one, identified ``citation:ID``; it is ``hadPrimarySource`` when the
      cited source is a primary source;
    - claims are attributed to the curator agent ``pv:curator``, named ``curator``.

    Records are added in id order, so the same database gives the same document.
    """
    from prov.model import PROV, ProvDocument

    doc = ProvDocument()
    ns = {prefix: doc.add_namespace(prefix, uri) for prefix, uri in PROV_NAMESPACES.items()}
    pv = ns["pv"]
    label, ptype, value = PROV["label"], PROV["type"], PROV["value"]

    curator_id = pv["curator"]
    doc.agent(curator_id, {label: curator})

    agents = _Agents()
    declared: set[str] = set()
    attributed: set[tuple[str, str]] = set()
    for s in db.query("select * from sources order by id"):
        doc.entity(
            ns["source"][s["id"]],
            _attributes(
                [
                    (ptype, pv["Source"]),
                    (label, s["title"]),
                    (pv["kind"], s["kind"]),
                    (pv["issued"], s["issued"]),
                    (pv["origin"], s["origin"]),
                    (pv["reliability"], s["reliability_grade"]),
                    (pv["url"], s["url"]),
                    (pv["heldAsText"], bool(s["text_sha256"])),
                ]
            ),
        )
        for role, column in (("author", "authors"), ("editor", "editors")):
            for parts in _name_parts(s[column]):
                name = _display_name(parts)
                agent = agents.ident(name)
                if (s["id"], agent) in attributed:
                    continue
                attributed.add((s["id"], agent))
                if agent not in declared:
                    declared.add(agent)
                    kind = PROV["Organization"] if "literal" in parts else PROV["Person"]
                    doc.agent(ns["agent"][agent], {ptype: kind, label: name})
                doc.wasAttributedTo(ns["source"][s["id"]], ns["agent"][agent], other_attributes={pv["contribution"]: role})

    for c in db.query("select c.*, s.status, s.reason from claims c join claim_status s on s.claim_id = c.id order by c.id"):
        doc.entity(
            ns["claim"][c["id"]],
            _attributes(
                [
                    (ptype, pv["Claim"]),
                    (label, c["statement"]),
                    (pv["topic"], c["topic"]),
                    (pv["value"], c["value"]),
                    (pv["eventDate"], c["event_date"]),
                    (pv["status"], c["status"]),
                    (pv["statusReason"], c["reason"]),
                    (pv["note"], c["note"]),
                ]
            ),
        )
        doc.wasAttributedTo(ns["claim"][c["id"]], curator_id)

    for e in db.query("select * from evidence order by claim_id, position"):
        passage, claim = ns["evidence"][e["id"]], ns["claim"][e["claim_id"]]
        anchored = e["anchor_start"] is not None
        doc.entity(
            passage,
            _attributes(
                [
                    (ptype, pv["Passage"]),
                    (value, e["anchor_exact"] if anchored else e["quote"]),
                    (pv["quote"], e["quote"]),
                    (pv["locator"], e["locator"]),
                    (pv["start"], e["anchor_start"]),
                    (pv["end"], e["anchor_end"]),
                    (pv["credibility"], e["credibility"]),
                    (pv["note"], e["note"]),
                ]
            ),
        )
        if anchored:
            doc.wasQuotedFrom(passage, ns["source"][e["source_id"]])
        else:
            doc.wasDerivedFrom(passage, ns["source"][e["source_id"]])
        stance = {pv["stance"]: e["stance"]}
        if e["stance"] == "supports":
            doc.wasDerivedFrom(claim, passage, other_attributes=stance)
        else:
            doc.wasInfluencedBy(claim, passage, other_attributes=stance)

    for h in db.query(
        "select c.*, s.origin as cited_origin from citations c join sources s on s.id = c.cited_id "
        "where c.id in (select citation_id from chain_links where to_id is not null) order by c.id"
    ):
        attributes = _attributes(
            [
                (pv["relation"], h["relation"]),
                (pv["footnote"], h["footnote"]),
                (pv["pages"], h["pages"]),
                (pv["inferred"], bool(h["inferred"])),
            ]
        )
        derive = doc.hadPrimarySource if h["cited_origin"] == "primary" else doc.wasDerivedFrom
        derive(
            ns["source"][h["source_id"]],
            ns["source"][h["cited_id"]],
            identifier=ns["citation"][h["id"]],
            other_attributes=attributes,
        )
    return doc


def prov_json(db: sqlite_utils.Database, options: ExportOptions) -> Iterator[str]:
    """The PROV document as PROV-JSON."""
    _reject_source_selection(options, "prov-json")
    yield (prov_document(db, options.curator).serialize(format="json", indent=2) or "") + "\n"


def prov_n(db: sqlite_utils.Database, options: ExportOptions) -> Iterator[str]:
    """The PROV document in PROV-N, the notation meant for people to read."""
    _reject_source_selection(options, "prov-n")
    yield (prov_document(db, options.curator).get_provn() or "") + "\n"


def prov_o(db: sqlite_utils.Database, options: ExportOptions) -> Iterator[str]:
    """The PROV document as PROV-O RDF, in Turtle."""
    _reject_source_selection(options, "prov-o")
    document = prov_document(db, options.curator)
    with warnings.catch_warnings():
        # prov calls an rdflib API that rdflib has deprecated; the user can do nothing about it
        warnings.filterwarnings("ignore", "Dataset.default_context is deprecated", DeprecationWarning)
        turtle = document.serialize(format="rdf", rdf_format="turtle")
    yield turtle or ""


# -- W3C Web Annotations -------------------------------------------------------------------

ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def web_annotation(row: dict, curator: str = DEFAULT_CURATOR) -> dict:
    """One evidence passage as a W3C Web Annotation on its source.

    ``row`` is an evidence row with the source's ``url`` and ``title`` and the claim's
    ``statement``. The target is the source: its web address when it has one (with the
    URN as ``canonical``), else its URN; the selectors locate the passage in the source's
    stored text (positions in Unicode code points, as the Web Annotation model counts).
    The bodies are the stance (a tag), the claim the passage bears on (describing it),
    and the curator's note on the passage, if any (commenting).
    """
    source_urn = urn("source", row["source_id"])
    source: dict[str, Any] = {"id": row["url"] or source_urn, "type": "Text", "label": row["title"]}
    if row["url"]:
        source["canonical"] = source_urn
    else:
        source["format"] = "text/plain"
    if row["anchor_start"] is not None:
        selectors: list[dict] = [
            {
                "type": "TextQuoteSelector",
                "exact": row["anchor_exact"],
                "prefix": row["anchor_prefix"] or "",
                "suffix": row["anchor_suffix"] or "",
            },
            {"type": "TextPositionSelector", "start": row["anchor_start"], "end": row["anchor_end"]},
        ]
    else:  # not located in a stored text: the curator's words are all there is
        selectors = [{"type": "TextQuoteSelector", "exact": row["quote"]}]
    body: list[dict] = [
        {"type": "TextualBody", "value": row["stance"], "purpose": "tagging", "format": "text/plain"},
        {
            "id": urn("claim", row["claim_id"]),
            "type": "TextualBody",
            "value": row["statement"],
            "purpose": "describing",
            "format": "text/plain",
        },
    ]
    if row["note"]:
        body.append({"type": "TextualBody", "value": row["note"], "purpose": "commenting", "format": "text/plain"})
    return {
        "id": urn("annotation", row["id"]),
        "type": "Annotation",
        "motivation": "assessing",
        "creator": {"id": URN + "curator", "name": curator},
        "body": body,
        "target": {"type": "SpecificResource", "source": source, "selector": selectors},
    }


def _annotation_rows(db: sqlite_utils.Database, sources: list[str]) -> Iterator[dict]:
    where, params = "", []
    if sources:
        where = f"where e.source_id in ({','.join('?' * len(sources))})"
        params = sources
    return db.query(
        "select e.*, s.url, s.title, c.statement from evidence e join sources s on s.id = e.source_id "
        f"join claims c on c.id = e.claim_id {where} order by e.source_id, e.anchor_start, e.id",
        params,
    )


def web_annotations(db: sqlite_utils.Database, options: ExportOptions) -> Iterator[str]:
    """Every evidence passage (of the chosen sources) as a Web Annotation.

    One ``AnnotationCollection`` in JSON-LD, with every annotation on its single page; or,
    with ``options.jsonl``, one annotation per line, each with its own ``@context``.
    Annotations are in source order and, within a source, in text order.
    """
    ids = [s["id"] for s in select_sources(db, options.sources)] if options.sources else []
    rows = _annotation_rows(db, ids)
    if options.jsonl:
        for row in rows:
            yield json.dumps({"@context": ANNOTATION_CONTEXT, **web_annotation(row, options.curator)}, ensure_ascii=False) + "\n"
        return
    where = f"where source_id in ({','.join('?' * len(ids))})" if ids else ""
    total = next(db.query(f"select count(*) as n from evidence {where}", ids))["n"]
    collection, page = URN + "annotations", URN + "annotations:page-1"
    head = {
        "@context": ANNOTATION_CONTEXT,
        "id": collection,
        "type": "AnnotationCollection",
        "label": "Evidence passages as annotations on their sources",
        "total": total,
        "first": {"id": page, "type": "AnnotationPage", "partOf": collection, "startIndex": 0, "items": []},
        "last": page,
    }
    # The collection is written around its items, so they can be streamed one by one.
    before, after = json.dumps(head, indent=2, ensure_ascii=False).split('"items": []')
    yield before + '"items": ['
    for number, row in enumerate(rows):
        item = json.dumps(web_annotation(row, options.curator), indent=2, ensure_ascii=False)
        yield ("," if number else "") + "\n" + textwrap.indent(item, " " * 6)
    yield ("\n    ]" if total else "]") + after + "\n"


# -- the export formats --------------------------------------------------------------------

#: The formats of ``provenance export``: name -> function(db, options) -> text chunks.
FORMATS: dict[str, Exporter] = {
    "csl-json": csl_json,
    "bibtex": bibtex_export,
    "prov-json": prov_json,
    "prov-n": prov_n,
    "prov-o": prov_o,
    "web-annotation": web_annotations,
    "jsonl": lambda db, options: export_jsonl(db),  # the bulk format `provenance import` reads
}


# -- a claim's brief, in Markdown ----------------------------------------------------------

_MD_INLINE = re.compile(r"([\\`*_\[\]<>#|~&])")
_MD_LINE_START = re.compile(r"^([-+=>]|\d+(?=[.)]))")


def md_escape(text: str | None) -> str:
    """Curated text made safe to put inline in Markdown: one line, no live markup.

    White space (newlines included) collapses to single spaces, so a quote cannot end
    its block quote or start a heading or a list; the characters that make emphasis,
    links, code, raw HTML, entities and tables are backslash-escaped, and so is a leading
    list, heading or quote marker. Everything else is left as written.
    """
    text = " ".join((text or "").split())
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(0) + "\\" if m.group(0)[0].isdigit() else "\\" + m.group(0), text)


_STANCE_SECTIONS = [
    ("supports", "Supporting evidence"),
    ("conflicts", "Conflicting evidence"),
    ("qualifies", "Qualifying passages"),
    ("reports", "Reporting passages"),
]


def claim_brief(db: sqlite_utils.Database, claim_id: str) -> str:
    """A Markdown brief of one claim, for reading or pasting into a report.

    The statement, its status and the reason for it; the supporting and conflicting
    quotes as block quotes, each with a Chicago note (footnotes at the end); the
    qualifying and reporting passages; the contradictions the claim takes part in; and
    the evidence chain as a nested list. Raises NotFound for an unknown claim.
    """
    claim = get_claim(db, claim_id)
    _, chain = evidence_chain(db, claim_id)
    _, notes = note_citations(db, claim_id)
    cited = [item for item in chain if item.stance in ("supports", "conflicts")]
    note_of = {item.evidence_id: text for item, (_, text) in zip(cited, notes, strict=True)}

    out = [f"# {md_escape(claim['statement'])}", ""]
    out.append(f"Claim `{claim['id']}`" + (f", topic {md_escape(claim['topic'])}" if claim["topic"] else "") + ".")
    reason = md_escape(claim["reason"])
    out += ["", f"**Status: {claim['status']}.** {reason}" + ("" if reason.endswith((".", "!", "?")) else ".")]
    facts = []
    if claim["value"]:
        facts.append(f"value: {md_escape(claim['value'])}")
    if claim["event_date"]:
        facts.append(f"event date: {md_escape(claim['event_date_as_written'] or claim['event_date'])}")
    if facts:
        line = "; ".join(facts)
        out += ["", line[0].upper() + line[1:] + "."]
    if claim["note"]:
        out += ["", f"*Note:* {md_escape(claim['note'])}"]

    footnotes: list[str] = []
    for stance, heading in _STANCE_SECTIONS:
        items = [item for item in chain if item.stance == stance]
        if not items:
            continue
        out += ["", f"## {heading}"]
        for item in items:
            where = f"*{md_escape(item.source_title)}*" + (f", {md_escape(item.locator)}" if item.locator else "")
            if item.evidence_id in note_of:
                footnotes.append(note_of[item.evidence_id])
                where += f" [^{len(footnotes)}]"
            out += ["", f"> {md_escape(item.quote)}", ">", f"> — {where} (`{item.source_id}`)"]

    members = list(
        db.query(
            "select c.id, c.signals, c.weak, c.explanation from contradictions c where c.id in "
            "(select contradiction_id from contradiction_members where claim_id = ?) order by c.weak, c.id",
            [claim_id],
        )
    )
    if members:
        out += ["", "## Contradictions", ""]
        for contradiction in members:
            flags = ", ".join(json.loads(contradiction["signals"]))
            weak = " (weak dissent only)" if contradiction["weak"] else ""
            out.append(f"- **{flags}**{weak}: {md_escape(contradiction['explanation'])}")
            for other in db.query(
                "select distinct cl.id, cl.statement from contradiction_members m join claims cl on cl.id = m.claim_id "
                "where m.contradiction_id = ? and m.claim_id != ? order by cl.id",
                [contradiction["id"], claim_id],
            ):
                out.append(f"  - with `{other['id']}`: {md_escape(other['statement'])}")

    if chain:
        out += ["", "## Evidence chain", ""]
        for item in chain:
            out.append(
                f"- **{item.stance}**: `{item.source_id}` (read)" + (f", {md_escape(item.locator)}" if item.locator else "")
            )
            for hop in item.hops:
                indent = "  " * hop.depth
                if hop.to_id is None:
                    out.append(f"{indent}- no citation given")
                    continue
                pages = f", {md_escape(hop.pages)}" if hop.pages else ""
                kind = f"; {hop.to_origin} source" if hop.to_origin else ""
                out.append(f"{indent}- {hop.via} → `{hop.to_id}`{pages} ({hop.reading}{kind})")
            if item.origins:
                out.append(
                    "  - origin: "
                    + ", ".join(f"`{o}`" + (" (inferred)" if o in item.inferred_origins else "") for o in item.origins)
                )

    if footnotes:
        out.append("")
        out += [f"[^{number}]: {md_escape(note)}" for number, note in enumerate(footnotes, start=1)]
    return "\n".join(out) + "\n"
