"""derive(): the rules of this package run over a database being built, writing the
derived tables.

derive() reads the claims one at a time and writes millions of rows, so its loop works
on plain tuples: rows come from the cursor as tuples and go to executemany as tuples, in
the column order of _COLUMNS. What a passage's origins and chain come to depends only on
its source and its via citations, which thousands of passages share: that is worked out
once per (source, via), and SQLite copies it to each passage (_Trails).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

import sqlite_utils

from ..tables import DERIVED_TABLES, create_indexes, create_tables
from .chains import HOP_COLUMNS, chain_hops
from .contradictions import Signal, Value, group_signals, values_conflict
from .naming import SourceName, reader_name
from .origins import CitationGraph, Link, Origin, independent_groups, merge_walks, unreferenced_joined, walk
from .reasons import Described, Passage, claim_reason, stance_explanation
from .status import Line, claim_status
from .weight import best_weight, passage_weight

__all__ = ["derive"]

STANCES = ("supports", "conflicts", "reports")  # the sides a status weighs


def _cursor(conn: sqlite3.Connection, sql: str, params: Iterable = (), *, named: bool = False) -> sqlite3.Cursor:
    """``sql`` run on ``conn``, giving tuples (or rows that index by column name when ``named``)."""
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row if named else None
    return cursor.execute(sql, tuple(params))


class _Corpus:
    """The curated tables the analysis needs, read once."""

    def __init__(self, db: sqlite_utils.Database):
        self.conn = conn = db.conn
        self.sources: dict[str, SourceName] = {}
        self.grades: dict[str, tuple[str | None, str | None]] = {}  # source -> (reliability grade, origin)
        self.with_text: set[str] = set()  # sources held as text
        rows = _cursor(
            conn, "select id, title, authors, issued, origin, short_title, reliability_grade, text_path is not null from sources"
        )
        for source_id, title, authors, issued, origin, short_title, grade, has_text in rows:
            self.sources[source_id] = SourceName(source_id, title, authors, issued, origin, short_title)
            self.grades[source_id] = (grade, origin)
            if has_text:
                self.with_text.add(source_id)
        rows = _cursor(
            conn, "select id, source_id, cited_id, relation, footnote, locator, pages, inferred from citations order by id"
        )
        self.graph = CitationGraph(
            Link(cid, source, cited, relation, footnote, locator, pages, bool(inferred))
            for cid, source, cited, relation, footnote, locator, pages, inferred in rows
        )
        self.citing = {link.source for link in self.graph.links.values()}  # sources that cite something
        self.names: dict[str, frozenset[str]] = defaultdict(frozenset)
        for entity_id, names in _cursor(conn, "select entity_id, group_concat(name, char(31)) from aliases group by entity_id"):
            self.names[entity_id] = frozenset(n.casefold() for n in names.split("\x1f")) | {entity_id}
        self.entity_names = dict(_cursor(conn, "select id, name from entities"))
        self.labels = dict(_cursor(conn, "select id, label from properties"))
        self._named: dict[str, str] = {}
        self._weights: dict[tuple[str, int | None], tuple[str, str]] = {}

    def name(self, source_id: str) -> str:
        """The source as a reader names it."""
        name = self._named.get(source_id)
        if name is None:
            known = self.sources.get(source_id)
            name = self._named[source_id] = reader_name(known) if known else source_id
        return name

    def weight(self, source_id: str, credibility: int | None) -> tuple[str, str]:
        key = (source_id, credibility)
        found = self._weights.get(key)
        if found is None:
            grade, origin = self.grades.get(source_id, (None, None))
            found = self._weights[key] = passage_weight(grade, credibility, origin, source_id in self.citing)
        return found


# The columns of the derived rows, in the order they are built. The integer "id" of
# chain_links, contradiction_signals and contradiction_members is the row number, left to SQLite.
_COLUMNS = {
    "evidence_origins": ("evidence_id", "origin_id", "path", "inferred"),
    "chain_links": ("claim_id", "evidence_id", *HOP_COLUMNS),
    "claim_status": (
        "claim_id",
        "status",
        "supporting_sources",
        "conflicting_sources",
        "qualifying_sources",
        "reporting_sources",
        "supporting_evidence",
        "conflicting_evidence",
        "independent_origins",
        "credible_origins",
        "conflicting_origins",
        "reporting_origins",
        "weak_dissent",
        "origin_groups",
        "sides",
        "reason",
    ),
    "evidence_assessments": ("evidence_id", "weight", "weight_reason", "computed_credibility", "reason"),
    "contradictions": ("id", "signals", "claims", "weak", "subject_id", "property_id", "explanation"),
    "contradiction_signals": ("contradiction_id", "signal", "explanation"),
    "contradiction_members": ("contradiction_id", "claim_id", "evidence_id", "role"),
}


def _columns(table: str) -> str:
    """The columns of ``table``'s rows as built here, for an insert; checked against its definition."""
    columns = _COLUMNS[table]
    defined = {c.name for c in DERIVED_TABLES[table].columns if not (c.name == "id" and c.type is int)}
    if set(columns) != defined:
        raise RuntimeError(f"derive() builds {table} rows as {columns}, but the table has {sorted(defined)}")
    return ", ".join(f"[{c}]" for c in columns)


class _Batches:
    """Row tuples buffered per table and inserted ``SIZE`` at a time with one prepared statement."""

    SIZE = 10_000

    def __init__(self, conn: sqlite3.Connection, tables: Iterable[str]):
        self.conn = conn
        self.sql = {t: f"insert into [{t}] ({_columns(t)}) values ({', '.join('?' * len(_COLUMNS[t]))})" for t in tables}
        self.rows: dict[str, list[tuple]] = {t: [] for t in self.sql}
        self.counts: dict[str, int] = {}

    def add(self, table: str, rows: list[tuple]) -> None:
        buffer = self.rows[table]
        buffer += rows
        if len(buffer) >= self.SIZE:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.rows):
            rows = self.rows[name]
            if rows:
                self.conn.executemany(self.sql[name], rows)
                self.counts[name] = self.counts.get(name, 0) + len(rows)
                self.rows[name] = []


class _Trail(NamedTuple):
    """What a (source, via) comes to: its roots, sorted; the passage as reasons name it; the
    trail's id in the temporary tables."""

    roots: tuple[str, ...]
    passage: Passage
    id: int


class _Trails:
    """The evidence_origins and chain_links rows: worked out once per (source, via), and
    copied to each evidence item by SQLite.

    Millions of passages quote a few thousand sources through tens of thousands of
    footnotes, so most items repeat a (source, via) seen before: a "trail". A new trail's
    origins and hops are written once, to temporary tables; each item is queued as
    (claim, evidence, trail), and a batch of items becomes its rows in one join, in the
    order of the items. That spares binding millions of rows from Python. The origins
    reached through one citation are shared by every via that names it, so they are kept
    by (source, citation) as well.

    The caches (and the temporary tables with them) are emptied when they hold ``LIMIT``
    entries, so memory does not grow with the number of claims.
    """

    LIMIT = 100_000
    BATCH = 10_000
    TEMP = {
        "_derive_items": "(claim_id, evidence_id, trail)",  # in the order of the items (rowid)
        "_derive_origins": "(trail, position, origin_id, path, inferred, primary key (trail, position)) without rowid",
        "_derive_hops": f"(trail, {', '.join(HOP_COLUMNS)}, primary key (trail, step)) without rowid",
    }
    EXPAND = {
        "evidence_origins": """select i.evidence_id, o.origin_id, o.path, o.inferred
             from temp._derive_items i cross join temp._derive_origins o on o.trail = i.trail
             order by i.rowid, o.position""",
        "chain_links": f"""select i.claim_id, i.evidence_id, {", ".join("h." + c for c in HOP_COLUMNS)}
             from temp._derive_items i cross join temp._derive_hops h on h.trail = i.trail
             order by i.rowid, h.step""",
    }  # (cross join: SQLite keeps the items as the outer loop, so the order needs no sorting)

    def __init__(self, corpus: _Corpus, conn: sqlite3.Connection):
        self.corpus, self.conn = corpus, conn
        self.known: dict[tuple[str, str | None], _Trail] = {}  # (source, via) -> its trail
        self.walks: dict[tuple[str, str | None], list[Origin]] = {}  # (source, first citation) -> origins
        self.last_id = 0
        self.pending: dict[str, list[tuple]] = {table: [] for table in self.TEMP}
        self.counts = dict.fromkeys(self.EXPAND, 0)
        self.expand = {table: f"insert into [{table}] ({_columns(table)}) {select}" for table, select in self.EXPAND.items()}
        for table, columns in self.TEMP.items():
            conn.execute(f"drop table if exists temp.[{table}]")
            conn.execute(f"create temp table [{table}] {columns}")

    def add(self, claim_id: str, evidence_id: str, source_id: str, via: str | None) -> _Trail:
        """Queue the rows of an item in ``source_id`` resting on ``via`` (citation ids joined
        by \\x1f); return its trail."""
        trail = self.known.get((source_id, via)) or self._trace(source_id, via)
        items = self.pending["_derive_items"]
        items.append((claim_id, evidence_id, trail.id))
        if len(items) >= self.BATCH:
            self.flush()
        return trail

    def flush(self) -> None:
        """Write the new trails and the queued items' rows."""
        for table, rows in self.pending.items():
            if rows:
                self.conn.executemany(f"insert into temp.[{table}] values ({', '.join('?' * len(rows[0]))})", rows)
                rows.clear()
        for table, sql in self.expand.items():
            self.counts[table] += self.conn.execute(sql).rowcount
        self.conn.execute("delete from temp._derive_items")

    def close(self) -> dict[str, int]:
        """Write what is queued, drop the temporary tables and return the rows written."""
        self.flush()
        for table in self.TEMP:
            self.conn.execute(f"drop table temp.[{table}]")
        return {table: n for table, n in self.counts.items() if n}

    def _trace(self, source_id: str, via: str | None) -> _Trail:
        if len(self.known) >= self.LIMIT:
            self.flush()  # the queued items need the trails about to go
            self.known.clear()
            self.conn.execute("delete from temp._derive_origins")
            self.conn.execute("delete from temp._derive_hops")
        citations = via.split("\x1f") if via else []
        graph = self.corpus.graph
        firsts: list[Link | None] = list(graph.first_hops(citations)) or [None]
        origins = merge_walks(self._walk(source_id, first) for first in firsts)
        self.last_id += 1
        trail_id = self.last_id
        self.pending["_derive_origins"] += [
            (trail_id, position, o.root, json.dumps(o.path), int(o.inferred)) for position, o in enumerate(origins)
        ]
        self.pending["_derive_hops"] += [
            (trail_id, *hop) for hop in chain_hops(graph, source_id, citations, self.corpus.with_text)
        ]
        roots = tuple(o.root for o in origins)
        footnotes = tuple(link.footnote for link in graph.first_hops(citations) if link.footnote is not None)
        passage = Passage(self.corpus.name(source_id), footnotes, any(o.inferred for o in origins))
        trail = self.known[source_id, via] = _Trail(roots, passage, trail_id)
        return trail

    def _walk(self, source_id: str, first: Link | None) -> list[Origin]:
        key = (source_id, first.id if first else None)
        found = self.walks.get(key)
        if found is None:
            if len(self.walks) >= self.LIMIT:
                self.walks.clear()
            # a walk from a citation does not depend on the citing source beyond the path's first name
            found = self.walks[key] = walk(self.corpus.graph, source_id, first)
        return found


def _claims_with_evidence(conn: sqlite3.Connection) -> Iterator[tuple[str, str, list[tuple]]]:
    """Each claim id and statement with its evidence items, one claim at a time.

    An item is (claim id, evidence id, source id, stance, via, credibility): via is the
    item's citation ids in curated order joined by \\x1f, or None.
    """
    rows = _cursor(
        conn,
        """select c.id, e.id, e.source_id, e.stance,
                  (select group_concat(citation_id, char(31)) from
                     (select citation_id from evidence_via v where v.evidence_id = e.id order by v.rowid)),
                  e.credibility, c.statement
           from claims c left join evidence e on e.claim_id = c.id
           order by c.id, e.position""",
    )
    for claim_id, group in groupby(rows, key=itemgetter(0)):
        items = list(group)
        yield claim_id, items[0][6], [item[:6] for item in items if item[1] is not None]  # (no evidence: one row of nulls)


def derive(db: sqlite_utils.Database) -> dict[str, int]:
    """Compute and write the derived tables; return their row counts.

    Claims are read one at a time with their evidence and rows are written in batches,
    so memory holds the citation graph, the names, bounded caches and the signals of
    disagreement, not the claims. For the duration, the connection has temporary tables
    and a larger page cache.
    """
    create_tables(db, DERIVED_TABLES, indexes=False)
    with _pragma(db.conn, "cache_size", -_PAGE_CACHE_KIB):
        corpus = _Corpus(db)
        trails = _Trails(corpus, db.conn)
        out = _Batches(db.conn, [t for t in _COLUMNS if t not in _Trails.EXPAND])
        signals: list[Signal] = []
        for claim_id, statement, items in _claims_with_evidence(db.conn):
            status_row, assessments, signal = _analyse_claim(corpus, trails, claim_id, statement, items)
            out.add("claim_status", [status_row])
            if assessments:
                out.add("evidence_assessments", assessments)
            if signal:
                signals.append(signal)
        counts = trails.close()
        signals += _value_conflicts(corpus)
        signals += _asserted(db.conn)
        for disagreement in group_signals(signals):
            cid = disagreement.id
            out.add(
                "contradictions",
                [(cid, json.dumps(disagreement.kinds), len(disagreement.claims), int(disagreement.weak), disagreement.subject,
                  disagreement.property, disagreement.explanation)],
            )  # fmt: skip
            out.add("contradiction_signals", [(cid, s.kind, s.explanation) for s in disagreement.signals])
            members: list[tuple[str, str, str | None, str]] = [(cid, claim, None, "claim") for claim in disagreement.claims]
            passages = dict.fromkeys(p for s in disagreement.signals for p in s.passages)  # in order, once each
            members += [(cid, claim, evidence, role) for claim, evidence, role in passages]
            out.add("contradiction_members", members)
        out.flush()
    with _pragma(db.conn, "threads", 2):  # sorting for the indexes in two threads
        create_indexes(db, DERIVED_TABLES)
    return {**counts, **out.counts}


# evidence_origins and evidence_assessments are keyed by evidence ids, which are hashes:
# each row goes to a random page of the key's index, and with SQLite's default 2 MB page
# cache most of them miss it. (Building the indexes afterwards is faster with the default.)
_PAGE_CACHE_KIB = 128 * 1024


@contextmanager
def _pragma(conn: sqlite3.Connection, name: str, value: int) -> Iterator[None]:
    """``pragma name = value`` on ``conn`` for the duration; its own setting after."""
    before = conn.execute(f"pragma {name}").fetchone()[0]
    conn.execute(f"pragma {name} = {value}")
    try:
        yield
    finally:
        conn.execute(f"pragma {name} = {before}")


def _analyse_claim(
    corpus: _Corpus, trails: _Trails, claim_id: str, statement: str, items: list[tuple]
) -> tuple[tuple, list[tuple], Signal | None]:
    """A claim's claim_status row, evidence_assessments rows and stance-conflict signal (or
    None), from its items as _claims_with_evidence gives them; its items' origins and
    chains go to ``trails``."""
    found: dict[str, _Trail] = {}
    weights: dict[str, tuple[str, str]] = {}
    by_stance: dict[str, list[tuple[str, str]]] = defaultdict(list)  # stance -> [(evidence id, source id)]
    for _, evidence_id, source_id, stance, via, credibility in items:
        found[evidence_id] = trails.add(claim_id, evidence_id, source_id, via)
        weights[evidence_id] = corpus.weight(source_id, credibility)
        by_stance[stance].append((evidence_id, source_id))

    sides: dict[str, list[Described]] = {}
    for stance in STANCES:
        members = by_stance.get(stance)
        sides[stance] = _lines(corpus, members, found, weights) if members else []
    supporting, conflicting, reporting = (sides[s] for s in STANCES)
    verdict = claim_status([d.line for d in supporting], [d.line for d in conflicting], [d.line for d in reporting])

    weak = [d for d in conflicting if d.line in verdict.weak_dissent]
    status_row = (
        claim_id,
        verdict.status,
        len({s for _, s in by_stance["supports"]}),
        len({s for _, s in by_stance["conflicts"]}),
        len({s for _, s in by_stance["qualifies"]}),
        len({s for _, s in by_stance["reports"]}),
        len(by_stance["supports"]),
        len(by_stance["conflicts"]),
        len(supporting),
        sum(d.line.weight == "credible" for d in supporting),
        len(conflicting),
        len(reporting),
        "; ".join(f"{_sources_named(d)} ({d.line.weight})" for d in weak) or None,
        "[" + ", ".join(_slugs_json(d.line.roots) for d in supporting) + "]",
        _sides_json(sides),
        claim_reason(verdict, supporting, conflicting, reporting),
    )
    confirmed = [d for d in supporting if d.line.weight != "doubtful"]
    computed: dict[str, str] = {}
    if len(confirmed) >= 2:
        why = f"confirmed by {len(confirmed) - 1} other independent origin{'s' if len(confirmed) > 2 else ''}"
        for d in confirmed:
            computed.update(dict.fromkeys(d.line.evidence, why))
    assessments = [
        (evidence_id, weight, weight_reason, 1 if evidence_id in computed else None, computed.get(evidence_id))
        for evidence_id, (weight, weight_reason) in weights.items()
    ]
    signal = None
    if by_stance["supports"] and by_stance["conflicts"]:
        supporters = list(dict.fromkeys(corpus.name(s) for _, s in by_stance["supports"]))
        dissenters = list(
            dict.fromkeys(
                corpus.name(s) + ("" if weights[e][0] == "credible" else f" ({weights[e][0]})") for e, s in by_stance["conflicts"]
            )
        )
        explanation = stance_explanation(statement, supporters, dissenters, weak=not verdict.strong_conflicts)
        on_sides = [(claim_id, e, "supports") for e, _ in by_stance["supports"]]
        on_sides += [(claim_id, e, "conflicts") for e, _ in by_stance["conflicts"]]
        signal = Signal("stance-conflict", (claim_id,), explanation, weak=not verdict.strong_conflicts, passages=tuple(on_sides))
    return status_row, assessments, signal


def _lines(
    corpus: _Corpus, members: list[tuple[str, str]], found: dict[str, _Trail], weights: dict[str, tuple[str, str]]
) -> list[Described]:
    """The independent lines of one side of a claim, each with its roots and passages named."""
    if len(members) == 1:  # the usual case: one passage, one line
        evidence_id, _ = members[0]
        trail = found[evidence_id]
        line = Line(trail.roots, weights[evidence_id][0], (evidence_id,))
        return [Described(line, tuple(map(corpus.name, trail.roots)), (trail.passage,))]
    order = {evidence_id: i for i, (evidence_id, _) in enumerate(members)}
    grouped = unreferenced_joined({evidence_id: (source_id, found[evidence_id].roots) for evidence_id, source_id in members})
    out = []
    for group in independent_groups(grouped):
        roots = grouped[group[0]] if len(group) == 1 else tuple(sorted(set().union(*map(grouped.__getitem__, group))))
        line = Line(roots, best_weight(weights[e][0] for e in group), tuple(group))
        named = tuple(found[e].passage for e in sorted(group, key=order.__getitem__))  # as the curator ordered them
        out.append(Described(line, tuple(map(corpus.name, roots)), named))
    return out


def _slugs_json(ids: Iterable[str]) -> str:
    """A JSON list of ids. Source and evidence ids are slugs (letters, digits, hyphens),
    so they need no escaping; this spares json.dumps on every row."""
    return '["' + '", "'.join(ids) + '"]' if ids else "[]"


def _sides_json(sides: dict[str, list[Described]]) -> str:
    """The sides column: for each stance, each line's roots, weight and passages."""
    parts = []
    for stance in STANCES:
        lines = sides[stance]
        if lines:
            encoded = ", ".join(
                f'{{"roots": {_slugs_json(d.line.roots)}, "weight": "{d.line.weight}", "evidence": {_slugs_json(d.line.evidence)}}}'
                for d in lines
            )
            parts.append(f'"{stance}": [{encoded}]')
    return "{" + ", ".join(parts) + "}"


def _sources_named(d: Described) -> str:
    return "; ".join(dict.fromkeys(p.source for p in d.passages))


def _claim_value(corpus: _Corpus, r: sqlite3.Row) -> Value | None:
    kind = r["value_kind"]
    if r["value_relative_claim_id"]:
        # resolved by the seeds check, in dependency order, and written by the build
        lo, hi = r["value_date_earliest"], r["value_date_latest"]
        if lo is None:
            return None
        shown = f"{r['value']} ({lo if lo == hi else lo + ' to ' + hi})"
        return Value("date", earliest=lo, latest=hi, shown=shown)
    if kind == "date":
        return Value("date", earliest=r["value_date_earliest"], latest=r["value_date_latest"], shown=r["value_date"])
    if kind == "number":
        return Value("number", number=r["value_number"], tolerance=r["value_tolerance"] or 0.0, shown=r["value"])
    if kind == "entity":
        entity = r["value_entity_id"]
        return Value("entity", names=corpus.names.get(entity, frozenset({entity})), shown=corpus.entity_names.get(entity, entity))
    return Value("text", text=r["value_text"], shown=r["value_text"])


def _value_groups(corpus: _Corpus) -> Iterator[tuple[str, str, list[tuple[sqlite3.Row, Value]]]]:
    """Claims on one subject and single-valued property, a group at a time (by the covering index)."""
    rows = _cursor(
        corpus.conn,
        """select c.id, c.subject_id, c.property_id, c.value_kind, c.value, c.value_date, c.value_date_earliest,
                  c.value_date_latest, c.value_number, c.value_tolerance, c.value_entity_id, c.value_text,
                  c.value_relative_claim_id, c.value_relative_days, c.event_date_earliest, c.event_date_latest
           from claims c join properties p on p.id = c.property_id
           where p.multiple = 0 and c.subject_id is not null
           order by c.subject_id, c.property_id, c.id""",
        named=True,
    )
    key: tuple[str, str] | None = None
    members: list[tuple[sqlite3.Row, Value]] = []
    for r in rows:
        here = (r["subject_id"], r["property_id"])
        if here != key:
            if key is not None and len(members) > 1:
                yield key[0], key[1], members
            key, members = here, []
        value = _claim_value(corpus, r)
        if value is not None:
            members.append((r, value))
    if key is not None and len(members) > 1:
        yield key[0], key[1], members


def _different_periods(a: sqlite3.Row, b: sqlite3.Row) -> bool:
    """True when both claims are dated and their event dates cannot overlap."""
    if not (a["event_date_earliest"] and b["event_date_earliest"]):
        return False
    return a["event_date_latest"] < b["event_date_earliest"] or b["event_date_latest"] < a["event_date_earliest"]


def _class_key(r: sqlite3.Row, v: Value) -> tuple:
    """Claims with the same key agree with each other and disagree with the same others."""
    compared: tuple
    if v.kind == "date":
        compared = (v.earliest, v.latest)
    elif v.kind == "number":
        compared = (v.number, v.tolerance)
    elif v.kind == "entity":
        compared = tuple(sorted(v.names))
    else:
        compared = (" ".join((v.text or "").casefold().split()),)
    period = None if v.kind == "date" else (r["event_date_earliest"], r["event_date_latest"])
    return (v.kind, compared, period, r["value_relative_claim_id"] and r["id"])


def _value_conflicts(corpus: _Corpus) -> list[Signal]:
    """Pairs of value classes that cannot both be right, within each subject and property.

    Claims giving the same value are one class, so a subject with many claims and a few
    values costs a few comparisons, not one per pair of claims.
    """
    out = []
    for subject, prop, members in _value_groups(corpus):
        label = corpus.labels[prop]
        classes: dict[tuple, list[tuple[sqlite3.Row, Value]]] = {}
        for r, v in members:
            classes.setdefault(_class_key(r, v), []).append((r, v))
        grouped = list(classes.values())
        for i, first in enumerate(grouped):
            for second in grouped[i + 1 :]:
                (a, va), (b, vb) = first[0], second[0]
                if va.kind != "date" and _different_periods(a, b):
                    # A subject may hold different values at different times. (Not for dates:
                    # there the event date is usually the very value in dispute.)
                    continue
                why = values_conflict(va, vb)
                if why is None:
                    continue
                ids = tuple(sorted(r["id"] for r, _ in first + second))
                relative = any(r["value_relative_claim_id"] for r, _ in first + second)
                kind = "derived" if relative else "value-conflict"
                explanation = f"{corpus.entity_names.get(subject, subject)}, {label}: {why}"
                out.append(Signal(kind, ids, explanation, subject, prop, headline=True))
    return out


def _asserted(conn: sqlite3.Connection) -> list[Signal]:
    """The curators' "contradicts" links; a note, where the curator wrote one, says why."""
    rows = _cursor(
        conn,
        "select l.claim_id, l.target_id, l.note, c.statement, t.statement from claim_links l "
        "join claims c on c.id = l.claim_id join claims t on t.id = l.target_id "
        "where l.relation = 'contradicts' order by l.claim_id, l.target_id",
    )
    return [
        Signal("asserted", (claim_id, target_id), note, headline=True)
        if note
        else Signal("asserted", (claim_id, target_id), f"a curator marks “{statement}” as contradicting “{target}”")
        for claim_id, target_id, note, statement, target in rows
    ]
