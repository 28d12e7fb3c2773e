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
from urllib.parse import quote, urlsplit

import sqlite_utils
from markupsafe import Markup, escape

from .citing import bibtex, chain_notes, chain_source_rows
from .errors import NotFound
from .queries import STATUSES, contradictions, count_contradictions, evidence_chain, get_claim, signal_counts, status_counts

__all__ = [
    "safe_url",
    "home_context",
    "claim_context",
    "source_context",
    "contradictions_context",
    "entity_context",
    "search_context",
    "chain_svg",
    "highlight_text",
]


def safe_url(url: str | None) -> str | None:
    """The URL if it is an http(s) link, else None: no javascript:, data: or relative tricks."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


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
    by_stance = {stance: [p for p in passages if p["stance"] == stance] for stance in ("supports", "conflicts", "qualifies", "reports")}
    status = next(db.query("select * from claim_status where claim_id = ?", [claim_id]))
    sides = json.loads(status["sides"] or "{}")
    roots = sorted({o for lines in sides.values() for line in lines for o in line["roots"]})
    marks = ",".join("?" * len(roots))
    titles = {r["id"]: r["title"] for r in db.query(f"select id, title from sources where id in ({marks})", roots)} if roots else {}
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
                "inferred": any(e + "\x1f" + o in inferred for e in line["evidence"] for o in line["roots"]),
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


def source_context(conn: sqlite3.Connection, source_id: str) -> dict:
    db = _db(conn)
    source = next(db.query("select * from sources where id = ?", [source_id]), None)
    if source is None:
        raise NotFound(f"no source {source_id!r}")
    source["safe_url"] = safe_url(source["url"])
    source["author_list"] = [n.get("literal") or " ".join(filter(None, [n.get("given"), n.get("family")])) for n in json.loads(source["authors"] or "[]")]
    anchors = list(
        db.query(
            "select e.id, e.claim_id, e.stance, e.anchor_start, e.anchor_end, c.statement from evidence e "
            "join claims c on c.id = e.claim_id where e.source_id = ? and e.anchor_start is not null order by e.anchor_start",
            [source_id],
        )
    )
    cites = list(
        db.query(
            "select c.*, s.title as other_title from citations c join sources s on s.id = c.cited_id where c.source_id = ? "
            "order by c.footnote, c.id",
            [source_id],
        )
    )
    cited_by = list(
        db.query(
            "select c.*, s.title as other_title from citations c join sources s on s.id = c.source_id where c.cited_id = ? "
            "order by c.source_id, c.footnote",
            [source_id],
        )
    )
    claims = list(
        db.query(
            "select distinct c.id, c.statement, e.stance from evidence e join claims c on c.id = e.claim_id "
            "where e.source_id = ? order by e.stance, c.id",
            [source_id],
        )
    )
    return {
        "source": source,
        "text": highlight_text(source["text"], anchors) if source["text"] is not None else None,
        "passages": anchors,
        "cites": cites,
        "cited_by": cited_by,
        "claims": claims,
    }


PAGE_SIZE = 50  # contradictions per page


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
    """The source text, escaped, with every anchored passage in a <mark> linking to its claim.

    Overlapping passages are split at every boundary, so each piece of text is marked once
    and links to the first passage covering it.
    """
    bounds = sorted({0, len(text)} | {a["anchor_start"] for a in anchors} | {a["anchor_end"] for a in anchors})
    out = []
    opened: set[str] = set()
    for start, end in zip(bounds, bounds[1:]):
        covering = [a for a in anchors if a["anchor_start"] <= start and end <= a["anchor_end"]]
        piece = text[start:end]
        if not covering:
            out.append(escape(piece))
            continue
        first = covering[0]
        ids = " ".join(f"ev-{a['id']}" for a in covering)
        target = ""
        new = [a for a in covering if a["id"] not in opened]
        if new:
            target = new[0]["id"]
            opened.update(a["id"] for a in new)
        title = "; ".join(f"{a['stance']}: {a['statement']}" for a in covering)
        out.append(
            Markup('<mark class="passage {}" data-evidence="{}"{}><a href="/claim/{}" title="{}">{}</a></mark>').format(
                first["stance"],
                ids,
                Markup(' id="ev-{}"').format(target) if target else "",
                path_id(first["claim_id"]),
                title,
                piece,
            )
        )
    return Markup("").join(out)


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
                Markup('<tspan x="{}" dy="{}">{}</tspan>').format(x + 8, 17 if i == 0 else 15, line) for i, line in enumerate(lines)
            )
            parts.append(
                Markup('<g class="node {}" data-node="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="6"/>'
                       '<text x="{}" y="{}">{}</text></g>').format(css, node, x, y, _W, _H, x + 8, y + 2, texts)
            )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
