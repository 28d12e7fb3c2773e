"""What the published pages show, as pure functions of a database connection.

The Datasette plugin (``datasette_plugins/``) only routes requests here and renders the
result with its templates, so everything below is tested without a server. HTML that is
built here (the chain diagram, the highlighted source text) is built with
``markupsafe.Markup.format``, which escapes every value; links are allow-listed.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import threading
from array import array
from bisect import bisect_left, bisect_right, insort
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import sqlite_utils
from markupsafe import Markup, escape

from .citing import bibtex, chain_notes, chain_source_rows
from .errors import NotFound
from .models import STANCES
from .queries import STATUSES, contradictions, count_contradictions, evidence_chain, get_claim, signal_counts, status_counts

__all__ = [
    "safe_url",
    "visible_controls",
    "home_context",
    "claim_context",
    "source_context",
    "contradictions_context",
    "entity_context",
    "search_context",
    "chain_svg",
    "highlight_text",
    "highlighted_text",
    "HighlightedText",
    "HighlightCache",
]


def safe_url(url: str | None) -> str | None:
    """The URL if it is an http(s) link, else None: no javascript:, data: or relative tricks.

    Invisible and direction-changing characters are percent-encoded, so the link goes where
    it says and cannot be made to read backwards.
    """
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return _CONTROLS.sub(lambda m: quote(m.group()), url.strip())
    return None


# Characters that change how text around them is displayed, or are not displayed at all:
# C0/C1 controls (bar tab and line breaks), bidirectional embeddings, overrides, isolates
# and marks (U+202E turns "exe.txt" into "txt.exe"; see the Trojan Source paper,
# CVE-2021-42574), zero-width spaces and joiners' invisible relatives, the BOM, invisible
# operators and tag characters. Joiners (U+200C, U+200D) are kept: scripts need them.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)


def visible_controls(html: str) -> str:
    """Every invisible or direction-changing character shown as ⟨U+XXXX⟩.

    Applied to a page's finished HTML: these characters are never markup, so replacing
    them in text and attribute values alike cannot change the document's structure, and no
    name, title, quote or URL can reorder what a reader sees.
    """
    if not _CONTROLS.search(html):
        return html
    return _CONTROLS.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", html)


def _db(conn: sqlite3.Connection) -> sqlite_utils.Database:
    return sqlite_utils.Database(conn)  # Datasette's own connection: read-only, its row factory kept


def path_id(value: str) -> str:
    """An id as a URL path segment."""
    return quote(value, safe="")


def home_context(conn: sqlite3.Connection) -> dict:
    db = _db(conn)
    counts = status_counts(db)
    kinds = signal_counts(db)
    disagreements = db.execute("select count(*) from contradictions").fetchone()[0]
    sources = list(
        db.query(
            "select s.id, s.title, s.kind, s.issued, s.reliability_grade, s.text_sha256 is not null as has_text, "
            "(select count(*) from evidence e where e.source_id = s.id) as passages from sources s "
            "order by has_text desc, s.issued, s.id"
        )
    )
    topics = list(db.query("select topic, count(*) as n from claims group by topic order by topic"))
    return {
        "status_counts": counts,
        "statuses": STATUSES,
        "claims": sum(counts.values()),
        "evidence": db.execute("select count(*) from evidence").fetchone()[0],
        "contradiction_kinds": kinds,
        "contradictions": disagreements,
        "sources_with_text": [s for s in sources if s["has_text"]],
        "cited_sources": len([s for s in sources if not s["has_text"]]),
        "topics": topics,
        "entities": db.execute("select count(*) from entities").fetchone()[0],
    }


def claim_context(conn: sqlite3.Connection, claim_id: str) -> dict:
    """Everything the claim page shows, from indexed look-ups of this claim's rows only.

    The evidence chain is read once and serves the notes, the BibTeX and the diagram; the
    notes come from the build's ``source_notes`` (see :mod:`provenance.citing`).
    """
    db = _db(conn)
    claim, chain = evidence_chain(db, claim_id, suggest=False)  # an unknown id is a 404, without a scan for a near one
    passages = list(
        db.query(
            # text_path is stored before the text in the sources row, text_sha256 after it:
            # testing it would make SQLite step through the pages of a long text
            "select e.*, s.title as source_title, s.reliability_grade, s.reliability_reason, s.kind as source_kind, "
            "s.text_path is not null as has_text, a.weight, a.weight_reason, a.computed_credibility, a.reason as computed_reason "
            "from evidence e join sources s on s.id = e.source_id "
            "left join evidence_assessments a on a.evidence_id = e.id where e.claim_id = ? order by e.position",
            [claim_id],
        )
    )
    by_stance = {
        stance: [p for p in passages if p["stance"] == stance] for stance in ("supports", "conflicts", "qualifies", "reports")
    }
    status = next(db.query("select * from claim_status where claim_id = ?", [claim_id]))
    sides = json.loads(status["sides"] or "{}")
    roots = sorted({o for lines in sides.values() for line in lines for o in line["roots"]})
    marks = ",".join("?" * len(roots))
    titles = (
        {r["id"]: r["title"] for r in db.query(f"select id, title from sources where id in ({marks})", roots)} if roots else {}
    )
    inferred = {
        r["evidence_id"] + "\x1f" + r["origin_id"]
        for r in db.query(
            "select o.evidence_id, o.origin_id from evidence e join evidence_origins o on o.evidence_id = e.id "
            "where e.claim_id = ? and o.inferred",
            [claim_id],
        )
    }
    lines = {
        stance: [
            {
                "weight": line["weight"],
                "roots": [{"id": o, "title": titles.get(o, o)} for o in line["roots"]],
                "passages": len(line["evidence"]),
                # "all": every passage reaches the origin only through a link the curator inferred
                "inferred": _inferred_share(line, inferred),
            }
            for line in sides.get(stance, [])
        ]
        for stance in ("supports", "conflicts", "reports")
    }
    base = None
    if claim["value_relative_claim_id"]:
        base = next(db.query("select id, statement from claims where id = ?", [claim["value_relative_claim_id"]]), None)
    taking_part = contradictions(db, claim_id=claim_id)
    sources = chain_source_rows(db, chain)
    subject = value_entity = None
    if claim["subject_id"]:
        subject = next(db.query("select id, name from entities where id = ?", [claim["subject_id"]]), None)
    if claim["value_entity_id"]:
        value_entity = next(db.query("select id, name from entities where id = ?", [claim["value_entity_id"]]), None)
    prop = next(db.query("select * from properties where id = ?", [claim["property_id"]]), None) if claim["property_id"] else None
    links = list(
        db.query(
            "select l.*, c.statement as source_statement, t.statement as target_statement from claim_links l "
            "join claims c on c.id = l.claim_id join claims t on t.id = l.target_id "
            "where l.claim_id = :claim or l.target_id = :claim order by l.claim_id, l.target_id",
            {"claim": claim_id},
        )
    )
    return {
        "claim": claim,
        "status": status,
        "subject": subject,
        "property": prop,
        "value_entity": value_entity,
        "by_stance": by_stance,
        "lines": lines,
        "relative_base": base,
        "contradictions": taking_part,
        "links": links,
        "notes": chain_notes(db, chain, sources),
        "bibtex": bibtex(list(sources.values())),
        "diagram": chain_svg(claim, chain),
    }


LISTED = 100  # rows of each list on a source page; the rest are one click away in the table

# The source row without its text: the page reads the text only when it highlights it.
_SOURCE_COLUMNS = (
    "id, kind, title, short_title, author_names, authors, editors, issued, issued_as_written, date_note, "
    "container_title, volume, pages, publisher, place, url, archive, archive_location, language, origin, "
    "reliability_grade, reliability_reason, declassified, redactions, notes, text_path, text_sha256, text_length"
)


def source_context(
    conn: sqlite3.Connection,
    source_id: str,
    page: int = 1,
    around: str | None = None,
    full: bool = False,
    highlighted: Callable[[sqlite3.Connection, str], HighlightedText | None] | None = None,
) -> dict:
    """A source's page: its record, what it cites and what cites it, and its text.

    The text is shown in windows of context around one page of its passages, in text
    order (``around`` picks the page holding that passage), or whole with ``full``. Its
    highlighting comes from ``highlighted`` (the plugin passes a cache; by default it is
    worked out here). Every list is bounded, so a page costs the same at any size.
    """
    db = _db(conn)
    source = next(db.query(f"select {_SOURCE_COLUMNS} from sources where id = ?", [source_id]), None)
    if source is None:
        raise NotFound(f"no source {source_id!r}")
    source["safe_url"] = safe_url(source["url"])
    source["author_list"] = [
        n.get("literal") or " ".join(filter(None, [n.get("given"), n.get("family")]))
        for n in json.loads(source["authors"] or "[]")
    ]
    cites = list(
        db.query(
            "select c.*, s.title as other_title from citations c join sources s on s.id = c.cited_id where c.source_id = ? "
            "order by c.footnote, c.id limit ?",
            [source_id, LISTED],
        )
    )
    cited_by = list(
        db.query(
            "select c.*, s.title as other_title from citations c join sources s on s.id = c.source_id where c.cited_id = ? "
            "order by c.source_id, c.footnote limit ?",
            [source_id, LISTED],
        )
    )
    context = {
        "source": source,
        "cites": cites,
        "cites_total": _total(db, "select count(*) from citations where source_id = ?", source_id, cites),
        "cited_by": cited_by,
        "cited_by_total": _total(db, "select count(*) from citations where cited_id = ?", source_id, cited_by),
        "passages_total": db.execute("select count(*) from evidence where source_id = ?", [source_id]).fetchone()[0],
        "full": False,
        "text": None,
        "windows": [],
        "passages": [],
    }
    text = (highlighted or highlight_source)(conn, source_id) if source["text_sha256"] is not None else None
    if text is None:
        context["claims"] = list(
            db.query(
                "select distinct c.id, c.statement, e.stance from evidence e join claims c on c.id = e.claim_id "
                "where e.source_id = ? order by e.stance, c.id limit ?",
                [source_id, LISTED],
            )
        )
        return context
    context["highlighted"] = text.passages

    def statements(claim_ids) -> dict[str, str]:
        claim_ids = list(claim_ids)
        found: dict[str, str] = {}
        for chunk in range(0, len(claim_ids), 500):
            part = claim_ids[chunk : chunk + 500]
            marks = ",".join("?" * len(part))
            found.update(db.execute(f"select id, statement from claims where id in ({marks})", part).fetchall())
        return found

    if full:
        context.update(full=True, text=text.html(statements(text.claims_shown())))
        return context
    view = text.windows(statements, page, around)
    chosen = view.pop("passages")
    named = statements({claim for _, _, _, claim, _ in chosen})
    passages = [
        {"id": ev, "claim_id": claim, "stance": stance, "statement": named.get(claim, claim)}
        for _, _, ev, claim, stance in chosen
    ]
    context.update(view, passages=passages)
    return context


def _total(db: sqlite_utils.Database, sql: str, source_id: str, rows: list) -> int:
    return len(rows) if len(rows) < LISTED else db.execute(sql, [source_id]).fetchone()[0]


def highlight_source(conn: sqlite3.Connection, source_id: str) -> HighlightedText | None:
    """A source's text with its anchored passages, highlighted (None if it holds no text)."""
    db = _db(conn)
    row = next(db.query("select text from sources where id = ?", [source_id]), None)
    if row is None or row["text"] is None:
        return None
    anchors = list(
        db.query(
            "select id, claim_id, stance, anchor_start, anchor_end from evidence "
            "where source_id = ? and anchor_start is not null order by anchor_start, id",
            [source_id],
        )
    )
    return highlighted_text(row["text"], anchors)


PAGE_SIZE = 20  # contradictions per page: each shows every claim in tension with its passages


def contradictions_context(conn: sqlite3.Connection, kind: str | None, entity: str | None, page: int = 1) -> dict:
    db = _db(conn)
    total = count_contradictions(db, kind or None, entity or None)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = contradictions(db, kind or None, entity or None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    for row in rows:
        row["claims_in_tension"] = [_claim_side(db, claim_id, row["members"]) for claim_id in _member_claims(row["members"])]
    kinds = list(signal_counts(db))
    return {
        "contradictions": rows,
        "kinds": kinds,
        "kind": kind or "",
        "entity": entity or "",
        "total": total,
        "page": page,
        "pages": pages,
    }


def _inferred_share(line: dict, inferred: set[str]) -> str | None:
    """ "all" when every passage of a line reaches its roots through an inferred link, "some"
    when some do, None when none do."""
    flags = [any(e + "\x1f" + o in inferred for o in line["roots"]) for e in line["evidence"]]
    return "all" if all(flags) else "some" if any(flags) else None


def _member_claims(members: list[dict]) -> list[str]:
    return list(dict.fromkeys(m["claim_id"] for m in members if m["role"] == "claim"))


def _claim_side(db: sqlite_utils.Database, claim_id: str, members: list[dict]) -> dict:
    """A claim in tension with its status, its value, and the passages for and against it:
    those the disagreement names, else every passage that supports or relays it."""
    claim = get_claim(db, claim_id, suggest=False)
    named = [m for m in members if m["claim_id"] == claim_id and m["evidence_id"]]
    if named:
        passages = [dict(m, stance=m["role"]) for m in named]
    else:
        passages = list(
            db.query(
                "select id as evidence_id, source_id, quote, stance from evidence where claim_id = ? "
                "and stance in ('supports', 'conflicts', 'reports') order by position",
                [claim_id],
            )
        )
    by = {stance: [p for p in passages if p["stance"] == stance] for stance in ("supports", "reports", "conflicts")}
    return {"claim": claim, "for": by["supports"] + by["reports"], "against": by["conflicts"]}


def entity_context(conn: sqlite3.Connection, entity_id: str) -> dict:
    db = _db(conn)
    entity = next(db.query("select * from entities where id = ?", [entity_id]), None)
    if entity is None:
        raise NotFound(f"no entity {entity_id!r}")
    aliases = list(db.query("select * from aliases where entity_id = ? order by preferred desc, name", [entity_id]))
    for alias in aliases:
        alias["source_list"] = json.loads(alias["sources"] or "[]")
    claims = list(
        db.query(
            "select c.id, c.statement, c.value, s.status, case when c.subject_id = :e then 'subject' else 'value' end as role "
            "from claims c join claim_status s on s.claim_id = c.id where c.subject_id = :e or c.value_entity_id = :e "
            "order by c.event_date_earliest, c.id",
            {"e": entity_id},
        )
    )
    written = list(
        db.query(
            "select distinct e.name_as_written as name, e.source_id from evidence e join claims c on c.id = e.claim_id "
            "where (c.subject_id = ? ) and e.name_as_written is not null order by name",
            [entity_id],
        )
    )
    return {"entity": entity, "aliases": aliases, "claims": claims, "written": written}


def search_context(conn: sqlite3.Connection, q: str) -> dict:
    db = _db(conn)
    q = (q or "").strip()
    if not q:
        return {"q": "", "claims": [], "passages": [], "sources": []}
    # Each word is quoted, so FTS5 syntax in the box ("AND", "*", quotes) is taken as text.
    match = " ".join('"' + word.replace('"', '""') + '"' for word in q.split())
    # Ranking every match (bm25) of a common word among a million rows takes seconds, so
    # claims and passages come in table order; the source texts, few, are ranked.
    claims = list(
        db.query(
            "select c.id, c.statement, s.status from (select rowid from claims_fts where claims_fts match ? limit 50) f "
            "join claims c on c.rowid = f.rowid join claim_status s on s.claim_id = c.id",
            [match],
        )
    )
    passages = list(
        db.query(
            "select e.id, e.claim_id, e.source_id, e.quote, e.stance from (select rowid from evidence_fts "
            "where evidence_fts match ? limit 50) f join evidence e on e.rowid = f.rowid",
            [match],
        )
    )
    # FTS5's snippet() reads every hit in a long text (tens of milliseconds for a common
    # word), so the best sources are ranked by FTS and the excerpt is cut by SQLite's
    # instr() around the first hit of the first word.
    first = q.split()[0].casefold()
    sources = list(
        db.query(
            "select s.id, s.title, substr(s.text, max(1, instr(lower(s.text), :w) - 100), 260) as excerpt "
            "from (select rowid from sources_fts where sources_fts match :q order by rank limit 20) f "
            "join sources s on s.rowid = f.rowid",
            {"q": match, "w": first},
        )
    )
    for source in sources:
        source["snippet_html"] = _excerpt(source["excerpt"] or "", q.split())
    return {"q": q, "claims": claims, "passages": passages, "sources": sources}


def _excerpt(text: str, words: list[str]) -> Markup:
    """An excerpt, escaped, with the searched words in <mark> (whole words, any case)."""
    text = " ".join(text.split())
    alternatives = [rf"\b{re.escape(w)}\b" for w in words if w]
    if not alternatives:
        return escape(text)
    out, at = Markup("… "), 0
    for hit in re.finditer("|".join(alternatives), text, re.IGNORECASE):
        out += escape(text[at : hit.start()]) + Markup("<mark>{}</mark>").format(hit.group())
        at = hit.end()
    return out + escape(text[at:]) + Markup(" …")


def highlight_text(text: str, anchors: list[dict]) -> Markup:
    """The source text, escaped, with every anchored passage in a <mark> linking to its claim."""
    statements = {a["claim_id"]: a["statement"] for a in anchors}
    return highlighted_text(text, anchors).html(statements)


TITLE_STATEMENTS = 2  # statements named in a mark's tooltip; the others are counted
LISTED_EVIDENCE = 5  # passage ids in a mark's data-evidence
_KEPT = max(TITLE_STATEMENTS, LISTED_EVIDENCE)  # covering passages remembered per piece
WINDOW_CONTEXT = 300  # characters of context on each side of a passage in the windowed view
PASSAGES_PER_PAGE = 50  # passages whose windows one page of a source's text shows
_SNAP = 40  # how far a window's edge may move to fall between words


@dataclass
class HighlightedText:
    """A source text cut at every passage boundary, with the passages covering each piece.

    Worked out once per build and text (see :func:`highlighted_text`) and kept compact:
    piece ``i`` is ``text[starts[i]:starts[i + 1]]``, covered by ``counts[i]`` passages, the
    first of which (at most _KEPT) are ``cover[i * _KEPT : (i + 1) * _KEPT]`` (indices of
    passages, -1 for none). Passage ``j`` (by start, then id) spans ``passage_starts[j]`` to
    ``passage_ends[j]`` and is evidence ``ids[j]`` for claim ``claims[j]`` with stance
    ``STANCES[stances[j]]``: columns, not a tuple per passage, which halves the memory.
    The HTML of a piece is made when a page shows it, with the claims' statements for its
    tooltip, so a page costs what it shows, not the whole text.
    """

    text: str
    starts: array
    counts: array
    cover: array
    passage_starts: array
    passage_ends: array
    ids: list[str]
    claims: list[str]
    stances: bytes

    @property
    def passages(self) -> int:
        return len(self.ids)

    def passage(self, j: int) -> tuple[int, int, str, str, str]:
        """(start, end, evidence id, claim id, stance) of passage ``j``."""
        return self.passage_starts[j], self.passage_ends[j], self.ids[j], self.claims[j], STANCES[self.stances[j]]

    @property
    def size(self) -> int:
        """Roughly the bytes this holds, for a cache's budget (within a few per cent)."""
        arrays = sum(x.itemsize * len(x) for x in (self.starts, self.counts, self.cover, self.passage_starts, self.passage_ends))
        return sys.getsizeof(self.text) + arrays + 150 * len(self.ids)

    def _pieces(self, start: int, end: int) -> range:
        first = max(0, bisect_right(self.starts, start) - 1)
        return range(first, min(len(self.counts), bisect_left(self.starts, end)))

    def claims_shown(self, start: int = 0, end: int | None = None) -> set[str]:
        """The claims whose statements the marks of text[start:end] name."""
        end = len(self.text) if end is None else end
        claims = set()
        for i in self._pieces(start, end):
            for j in self.cover[i * _KEPT : i * _KEPT + TITLE_STATEMENTS]:
                if j >= 0:
                    claims.add(self.claims[j])
        return claims

    def html(self, statements: dict[str, str], start: int = 0, end: int | None = None) -> Markup:
        """text[start:end], escaped and highlighted; a marked piece at either edge is shown
        whole. ``statements`` maps claim ids to statements (see :meth:`claims_shown`)."""
        end = len(self.text) if end is None else end
        out = []
        for i in self._pieces(start, end):
            piece_start, piece_end = self.starts[i], self.starts[i + 1]
            if not self.counts[i]:
                out.append(escape(self.text[max(piece_start, start) : min(piece_end, end)]))
                continue
            covering = [self.passage(j) for j in self.cover[i * _KEPT : (i + 1) * _KEPT] if j >= 0]
            opening = range(bisect_left(self.passage_starts, piece_start), bisect_right(self.passage_starts, piece_start))
            new = [self.passage(j) for j in opening]
            out.append(_mark(self.text[piece_start:piece_end], covering, self.counts[i], new, statements))
        return Markup("".join(out))  # every part is escaped or a mark already

    def windows(self, statements: Callable[[set[str]], dict[str, str]], page: int = 1, around: str | None = None) -> dict:
        """One page of passages (the page holding ``around``, if given), each with
        WINDOW_CONTEXT characters either side; windows that meet are merged.
        ``statements`` looks up the statements of a set of claim ids."""
        count = self.passages
        pages = max(1, -(-count // PASSAGES_PER_PAGE))
        if around in self.ids:  # a scan of a few thousand ids, not an index held per passage
            page = self.ids.index(around) // PASSAGES_PER_PAGE + 1
        page = min(max(1, page), pages)
        chosen = [self.passage(j) for j in range((page - 1) * PASSAGES_PER_PAGE, min(count, page * PASSAGES_PER_PAGE))]
        length = len(self.text)
        spans: list[list[int]] = []
        for start, end, *_ in chosen:
            start, end = max(0, start - WINDOW_CONTEXT), min(length, end + WINDOW_CONTEXT)
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
        if not spans:  # a text nobody quotes: its beginning
            spans = [[0, min(length, 4 * WINDOW_CONTEXT)]]
        edges = [self._between_words(start, end) for start, end in spans]
        named = statements(set().union(*(self.claims_shown(start, end) for start, end in edges)))
        windows = [{"html": self.html(named, start, end), "start": start, "end": end} for start, end in edges]
        return {
            "windows": windows,
            "page": page,
            "pages": pages,
            "first": (page - 1) * PASSAGES_PER_PAGE + 1 if chosen else 0,
            "last": (page - 1) * PASSAGES_PER_PAGE + len(chosen),
            "gap_before": edges[0][0] > 0,
            "gap_after": edges[-1][1] < length,
            "passages": chosen,
        }

    def _between_words(self, start: int, end: int) -> tuple[int, int]:
        if start > 0:
            space = self.text.find(" ", start, start + _SNAP)
            start = space + 1 if space != -1 else start
        if end < len(self.text):
            space = self.text.rfind(" ", max(start, end - _SNAP), end)
            end = space if space > start else end
        return start, end


def highlighted_text(text: str, anchors: list[dict]) -> HighlightedText:
    """The text cut at every passage's start and end; each piece a passage quotes is marked once.

    A piece is marked with the stance of, and linked to the claim of, the first passage
    covering it (in the order given: by start, then id); its tooltip names what the first
    passages covering it say, and counts the others. The piece where a passage starts
    carries its anchor (``id="ev-ID"``, what claim pages link to); when several passages
    start there, the others' anchors are empty spans just before it. One sweep over the
    boundaries keeps the passages covering the current piece, so a text quoted thousands
    of times is cut in time proportional to its passages, not their square.
    """
    length = len(text)
    anchors = [a for a in anchors if 0 <= a["anchor_start"] < a["anchor_end"] <= length]
    opening: dict[int, list[int]] = {}
    closing: dict[int, list[int]] = {}
    for i, a in enumerate(anchors):
        opening.setdefault(a["anchor_start"], []).append(i)
        closing.setdefault(a["anchor_end"], []).append(i)
    bounds = sorted({0, length} | opening.keys() | closing.keys())
    covering: list[int] = []  # indices into anchors, ascending: the first is the piece's "first"
    counts, cover = array("i"), array("i")
    padding = [-1] * _KEPT
    for start in bounds[:-1]:
        for i in closing.get(start, ()):
            covering.remove(i)
        for i in opening.get(start, ()):
            insort(covering, i)
        counts.append(len(covering))
        kept = covering[:_KEPT]
        cover.extend(kept + padding[len(kept) :])
    return HighlightedText(
        text,
        array("q", bounds if length else [0, 0]),
        counts,
        cover,
        passage_starts=array("q", (a["anchor_start"] for a in anchors)),
        passage_ends=array("q", (a["anchor_end"] for a in anchors)),
        ids=[a["id"] for a in anchors],
        claims=[a["claim_id"] for a in anchors],
        stances=bytes(_STANCE_CODES[a["stance"]] for a in anchors),
    )


_STANCE_CODES = {stance: code for code, stance in enumerate(STANCES)}


def _mark(piece: str, covering: list[tuple], count: int, new: list[tuple], statements: dict[str, str]) -> Markup:
    """A piece's <mark>: ``covering`` are the first passages over it (of ``count``), ``new``
    those starting at it.

    Pages of texts quoted thousands of times show thousands of marks, so this is written
    for speed: the literal tags are joined with the values, each value escaped once by
    markupsafe's ``escape`` (stances come from the models' fixed vocabulary). It gives the
    HTML ``Markup.format`` would, at a fifth of the time.
    """
    named = [f"{stance}: {statements.get(claim, claim)}" for _, _, _, claim, stance in covering[:TITLE_STATEMENTS]]
    if count > TITLE_STATEMENTS:
        named.append(f"and {count - TITLE_STATEMENTS} more passages")
    first = covering[0]
    parts = []
    for passage in new[1:]:
        parts += ['<span class="anchor" id="ev-', escape(passage[2]), '"></span>']
    parts += [
        '<mark class="passage ',
        first[4],
        '" data-evidence="',
        escape(" ".join("ev-" + p[2] for p in covering[:LISTED_EVIDENCE])),
        '"',
    ]
    if new:
        parts += [' id="ev-', escape(new[0][2]), '"']
    parts += [
        '><a href="/claim/',
        escape(path_id(first[3])),
        '" title="',
        escape("; ".join(named)),
        '">',
        escape(piece),
        "</a></mark>",
    ]
    return Markup("".join(parts))


class HighlightCache:
    """Highlighted texts by (database identity, source id), least recently used first out,
    within a budget of bytes. Safe to share between Datasette's threads: a miss is worked
    out outside the lock (two threads may both work out the same text once)."""

    def __init__(self, budget: int):
        self.budget = budget
        self.used = 0
        self._items: OrderedDict[tuple, HighlightedText | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, build: Callable[[], HighlightedText | None]) -> HighlightedText | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()
        size = value.size if value is not None else 100
        if size > self.budget:
            return value
        with self._lock:
            if key not in self._items:
                self._items[key] = value
                self.used += size
            while self.used > self.budget:
                _, old = self._items.popitem(last=False)
                self.used -= old.size if old is not None else 100
        return value


# -- the evidence-chain diagram ------------------------------------------------------------

_W, _H, _GAP_X, _GAP_Y = 210, 46, 60, 14


def _wrap(text: str, width: int = 30, lines: int = 2) -> list[str]:
    words, out, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
        if len(out) == lines:
            break
    if line and len(out) < lines:
        out.append(line)
    if len(out) == lines and sum(len(x) for x in out) < len(" ".join(words)) - 1:
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return out


def chain_svg(claim: dict, chain: list) -> Markup:
    """claim → passages → footnotes → cited works → ..., as an SVG, drawn on the server.

    Solid arrows lead to sources the curator read (held as text), dashed ones to works only
    cited; dotted ones are hops the curator inferred. A work that several passages rest on
    is drawn once, so passages sharing an origin are visibly joined.
    """
    columns: list[list[tuple[str, str, str]]] = [[("claim", claim["statement"], "claim")]]  # (node id, label, css class)
    edges: list[tuple[str, str, str, str]] = []  # from, to, css class, label
    placed: dict[str, int] = {"claim": 0}

    def place(node: str, label: str, css: str, column: int) -> None:
        if node in placed:
            return
        while len(columns) <= column:
            columns.append([])
        columns[column].append((node, label, css))
        placed[node] = column

    for item in chain:
        passage = f"passage:{item.evidence_id}"
        place(passage, f"{item.source_id}: “{item.quote}”", f"passage {item.stance}", 1)
        edges.append(("claim", passage, item.stance, item.stance))
        for hop in item.hops:
            start = passage if hop.from_id == item.source_id else f"source:{hop.from_id}"
            if hop.to_id is None:
                end = f"none:{item.evidence_id}"
                place(end, "no citation given", "none", 2)
                edges.append((start, end, "none", ""))
                continue
            end = f"source:{hop.to_id}"
            place(end, f"{hop.to_id}: {hop.to_title or ''}", "read" if hop.to_read else "cited", hop.depth + 1)
            css = "inferred" if hop.inferred else ("read" if hop.to_read else "cited")
            label = f"n. {hop.footnote}" if hop.footnote else (hop.relation or "")
            edges.append((start, end, css, label))

    position: dict[str, tuple[int, int]] = {}
    for c, nodes in enumerate(columns):
        for r, (node, _, _) in enumerate(nodes):
            position[node] = (20 + c * (_W + _GAP_X), 20 + r * (_H + _GAP_Y))
    width = 40 + len(columns) * (_W + _GAP_X) - _GAP_X
    height = 40 + max(len(n) for n in columns) * (_H + _GAP_Y) - _GAP_Y

    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chain" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}">'
            "<title>Evidence chain of {t}</title>"
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
            '<path d="M0,0 L10,5 L0,10 z"/></marker></defs>'
        ).format(w=width, h=height, t=claim["id"])
    ]
    for start, end, css, label in edges:
        (x1, y1), (x2, y2) = position[start], position[end]
        x1, y1, x2, y2 = x1 + _W, y1 + _H // 2, x2, y2 + _H // 2
        parts.append(
            Markup('<g class="edge {}"><path d="M{},{} C{},{} {},{} {},{}" marker-end="url(#arrow)"/>').format(
                css, x1, y1, (x1 + x2) // 2, y1, (x1 + x2) // 2, y2, x2, y2
            )
        )
        if label:
            parts.append(Markup('<text x="{}" y="{}">{}</text>').format((x1 + x2) // 2, (y1 + y2) // 2 - 4, label))
        parts.append(Markup("</g>"))
    for nodes in columns:
        for node, label, css in nodes:
            x, y = position[node]
            lines = _wrap(label)
            texts = Markup("").join(
                Markup('<tspan x="{}" dy="{}">{}</tspan>').format(x + 8, 17 if i == 0 else 15, line)
                for i, line in enumerate(lines)
            )
            parts.append(
                Markup(
                    '<g class="node {}" data-node="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="6"/>'
                    '<text x="{}" y="{}">{}</text></g>'
                ).format(css, node, x, y, _W, _H, x + 8, y + 2, texts)
            )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
