"""Derived knowledge: origins, independence, claim status, contradictions and evidence chains.

Everything here is computed from the curated tables at build time, never typed by hand,
and explained in words. The rules, as pure functions tested on their own:

* :func:`find_origins` follows an evidence item's ``via`` citations, then derivation links
  (quotes, summarises, translates, version-of) up to works that derive from nothing
  further. An item with no ``via`` has its own source (and what it derives from) as origin.
  Cycles are cut, not followed.
* :func:`independent_groups` joins supporting items whose origins meet; the number of
  groups is the number of independent origins.
* :func:`claim_status`: corroborated (two or more independent origins support, none
  conflict), supported (one), contested (support and conflict), refuted (only conflict),
  unsupported (neither).
* :func:`values_conflict` compares two claims on one subject and property: dates as EDTF
  intervals, numbers exactly unless a tolerance is curated, entities through their aliases.

:func:`derive` runs them over a database being built and writes the derived tables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import TypeVar

import sqlite_utils

from .tables import DERIVED_TABLES, create_indexes, create_tables

__all__ = [
    "DERIVATIONS",
    "Origin",
    "find_origins",
    "independent_groups",
    "claim_status",
    "Value",
    "values_conflict",
    "shift_interval",
    "contradiction_id",
    "derive",
]

# Relations by which one source carries another's content onward. A plain "cites" is
# followed only from an evidence item's own via: a book's other footnotes say nothing about
# the passage at hand.
DERIVATIONS = frozenset({"quotes", "summarises", "translates", "version-of"})


@dataclass(frozen=True)
class Origin:
    """A root an evidence item rests on, and the path of sources and citations that leads there."""

    root: str
    path: tuple[str, ...]  # source ids from the evidence's source to the root


def find_origins(
    source: str,
    via: Iterable[str],
    citations: Mapping[str, tuple[str, str, str]],
    derived_from: Mapping[str, list[str]],
    reach_cache: dict[str, frozenset[str]] | None = None,
) -> list[Origin]:
    """The origins of an evidence item in ``source`` resting on the ``via`` citation ids.

    ``citations`` maps a citation id to (citing source, cited source, relation);
    ``derived_from`` maps a source to the sources it derives from (by DERIVATIONS).
    Sources that derive from each other in a cycle (two versions of one document) are one
    origin, named by the smallest id among them; the cycle is never followed twice.
    """
    cache = reach_cache if reach_cache is not None else {}
    walks = (_walk_origins(source, start, derived_from, cache) for start in _starts(source, via, citations))
    return [Origin(root, path) for root, path in _first_per_root(walks)]


def _starts(source: str, via: Iterable[str], citations: Mapping[str, tuple[str, str, str]]) -> list[str]:
    """Where the search for origins starts: the sources the via citations cite, else the item's own source."""
    return [citations[c][1] for c in via if c in citations] or [source]


def _walk_origins(
    source: str, start: str, derived_from: Mapping[str, list[str]], cache: dict[str, frozenset[str]]
) -> list[tuple[str, tuple[str, ...]]]:
    """(root, path) for the roots reached from ``start``, in the order they are found,
    with the first path found to each."""
    found: dict[str, tuple[str, ...]] = {}
    stack = [(start, (source, start) if start != source else (source,))]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        reach = _reach(node, derived_from, cache)
        if all(node in _reach(other, derived_from, cache) for other in reach):
            # nothing reachable leads anywhere else: a root (or a cycle of versions)
            found.setdefault(min(reach | {node}), path)
            continue
        for parent in sorted(derived_from.get(node, ()), reverse=True):
            if parent not in path:
                stack.append((parent, path + (parent,)))
    return list(found.items())


_T = TypeVar("_T")


def _first_per_root(walks: Iterable[Iterable[tuple[str, _T]]]) -> list[tuple[str, _T]]:
    """The walks' (root, path) pairs merged: each root once, with the path of the first walk
    that reached it, in the order of the roots."""
    found: dict[str, _T] = {}
    for walk in walks:
        for root, path in walk:
            found.setdefault(root, path)
    return sorted(found.items(), key=itemgetter(0))


def _reach(node: str, derived_from: Mapping[str, list[str]], cache: dict[str, frozenset[str]]) -> frozenset[str]:
    """Every source reachable from ``node`` by one or more derivation links."""
    if node in cache:
        return cache[node]
    reached: set[str] = set()
    stack = list(derived_from.get(node, ()))
    while stack:
        other = stack.pop()
        if other not in reached:
            reached.add(other)
            stack.extend(derived_from.get(other, ()))
    cache[node] = frozenset(reached)
    return cache[node]


def independent_groups(items: Mapping[str, set[str]]) -> list[list[str]]:
    """Group item ids whose root sets meet (transitively); each group is one line of evidence."""
    if sum(map(len, items.values())) == len(set().union(*items.values())):
        # no root is shared (the usual case): every item is a line of its own
        return [[item] for item in sorted(items)]
    parent = {item: item for item in items}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[str, str] = {}
    for item, roots in items.items():
        for root in roots:
            if root in owner:
                parent[find(item)] = find(owner[root])
            else:
                owner[root] = item
    groups: dict[str, list[str]] = defaultdict(list)
    for item in items:
        groups[find(item)].append(item)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def claim_status(supporting_origins: int, conflicting: int) -> str:
    """The status of a claim from its independent supporting origins and conflicting items."""
    if supporting_origins and conflicting:
        return "contested"
    if conflicting:
        return "refuted"
    if supporting_origins >= 2:
        return "corroborated"
    if supporting_origins == 1:
        return "supported"
    return "unsupported"


@dataclass(frozen=True)
class Value:
    """A claim's value, ready to compare."""

    kind: str  # date, number, entity, text
    earliest: str | None = None
    latest: str | None = None
    number: float | None = None
    tolerance: float = 0.0
    names: frozenset[str] = field(default_factory=frozenset)  # an entity's id and every alias
    text: str | None = None
    shown: str = ""


def values_conflict(a: Value, b: Value) -> str | None:
    """Why the two values cannot both be true, or None when they are compatible."""
    if a.kind != b.kind:
        return None
    if a.kind == "date":
        if a.earliest is None or b.earliest is None:
            return None
        if a.earliest <= b.latest and b.earliest <= a.latest:
            return None
        return f"{a.shown} and {b.shown} cannot be the same day"
    if a.kind == "number":
        allowed = max(a.tolerance, b.tolerance)
        if abs(a.number - b.number) <= allowed:
            return None
        slack = f" (tolerance {allowed:g})" if allowed else ""
        return f"{a.shown} and {b.shown} differ{slack}"
    if a.kind == "entity":
        if a.names & b.names:
            return None
        return f"{a.shown} and {b.shown} are different"
    if " ".join((a.text or "").casefold().split()) == " ".join((b.text or "").casefold().split()):
        return None
    return f"{a.shown!r} and {b.shown!r} differ"


def shift_interval(earliest: str, latest: str, days: int) -> tuple[str, str]:
    delta = dt.timedelta(days=days)
    return (dt.date.fromisoformat(earliest) + delta).isoformat(), (dt.date.fromisoformat(latest) + delta).isoformat()


def contradiction_id(kind: str, members: Iterable[str]) -> str:
    """Stable as long as the kind and the members are the same."""
    digest = hashlib.sha1("\n".join([kind, *sorted(members)]).encode()).hexdigest()
    return f"{kind}-{digest[:10]}"


# -- over a database -------------------------------------------------------------------
#
# derive() reads the claims one at a time and writes millions of rows, so its loop works
# on plain tuples: rows come from the cursor as tuples and go to executemany as tuples, in
# the column order of _COLUMNS. What an evidence item's origins and chain come to depends
# only on its source and its via citations, which thousands of passages share: that is
# worked out once per (source, via), and SQLite copies it to each passage (_Trails).


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _cursor(conn: sqlite3.Connection, sql: str, params: Iterable = (), *, named: bool = False) -> sqlite3.Cursor:
    """``sql`` run on ``conn``, giving tuples (or rows that index by column name when ``named``)."""
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row if named else None
    return cursor.execute(sql, tuple(params))


class _Corpus:
    """The curated tables, read once for the analysis."""

    def __init__(self, db: sqlite_utils.Database):
        self.conn = conn = db.conn
        self.titles: dict[str, str | None] = {}
        self.with_text: set[str] = set()  # sources held as text
        for source_id, title, has_text in _cursor(conn, "select id, title, text is not null from sources"):
            self.titles[source_id] = title
            if has_text:
                self.with_text.add(source_id)
        self.citations: dict[str, tuple[str, str, str]] = {}
        self.citation_details: dict[str, tuple] = {}  # citation id -> (footnote, pages, inferred)
        self.derived_from: dict[str, list[str]] = defaultdict(list)
        # source -> [(citation id, cited source, relation)] for derivations, in citation id order
        self.derivations: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        rows = _cursor(conn, "select id, source_id, cited_id, relation, footnote, pages, inferred from citations order by id")
        for citation_id, source, cited, relation, footnote, pages, inferred in rows:
            self.citations[citation_id] = (source, cited, relation)
            self.citation_details[citation_id] = (footnote, pages, inferred)
            if relation in DERIVATIONS:
                self.derived_from[source].append(cited)
                self.derivations[source].append((citation_id, cited, relation))
        self.reach: dict[str, frozenset[str]] = {}
        self.names: dict[str, frozenset[str]] = defaultdict(frozenset)
        for entity_id, names in _cursor(conn, "select entity_id, group_concat(name, char(31)) from aliases group by entity_id"):
            self.names[entity_id] = frozenset(n.casefold() for n in names.split("\x1f")) | {entity_id}
        self.entity_names = dict(_cursor(conn, "select id, name from entities"))
        self.labels = dict(_cursor(conn, "select id, label from properties"))

    def title(self, source_id: str) -> str:
        return f"{self.titles[source_id]} ({source_id})" if source_id in self.titles else source_id


# The columns of the derived rows, in the order they are built. The integer "id" of
# chain_links and contradiction_members is the row number, left to SQLite.
_HOP_COLUMNS = ("step", "depth", "from_id", "citation_id", "relation", "to_id", "footnote", "pages", "inferred", "to_read", "note")
_COLUMNS = {
    "evidence_origins": ("evidence_id", "origin_id", "path"),
    "chain_links": ("claim_id", "evidence_id", *_HOP_COLUMNS),
    "claim_status": (
        "claim_id", "status", "supporting_sources", "conflicting_sources", "qualifying_sources",
        "reporting_sources", "supporting_evidence", "conflicting_evidence", "independent_origins",
        "origin_groups", "reason",
    ),  # fmt: skip
    "evidence_assessments": ("evidence_id", "computed_credibility", "reason"),
    "contradictions": ("id", "kind", "subject_id", "property_id", "explanation"),
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


class _Trails:
    """The evidence_origins and chain_links rows: worked out once per (source, via), and
    copied to each evidence item by SQLite.

    Millions of passages quote a few thousand sources through tens of thousands of
    footnotes, so most items repeat a (source, via) seen before: a "trail". A new trail's
    origins and hops are written once, to temporary tables; each item is queued as
    (claim, evidence, trail), and a batch of items becomes its rows in one join, in the
    order of the items. That spares binding millions of rows from Python. The origins
    reached from one cited source are shared by every via that cites it, so they are kept
    by (source, cited source) as well.

    The caches (and the temporary tables with them) are emptied when they hold ``LIMIT``
    entries, so memory does not grow with the number of claims.
    """

    LIMIT = 100_000
    BATCH = 10_000
    TEMP = {
        "_derive_items": "(claim_id, evidence_id, trail)",  # in the order of the items (rowid)
        "_derive_origins": "(trail, position, origin_id, path, primary key (trail, position)) without rowid",
        "_derive_hops": f"(trail, {', '.join(_HOP_COLUMNS)}, primary key (trail, step)) without rowid",
    }
    EXPAND = {
        "evidence_origins": """select i.evidence_id, o.origin_id, o.path
             from temp._derive_items i cross join temp._derive_origins o on o.trail = i.trail
             order by i.rowid, o.position""",
        "chain_links": f"""select i.claim_id, i.evidence_id, {', '.join('h.' + c for c in _HOP_COLUMNS)}
             from temp._derive_items i cross join temp._derive_hops h on h.trail = i.trail
             order by i.rowid, h.step""",
    }  # (cross join: SQLite keeps the items as the outer loop, so the order needs no sorting)

    def __init__(self, corpus: _Corpus, conn: sqlite3.Connection):
        self.corpus, self.conn = corpus, conn
        # (source, via) -> (roots, sorted; the roots as JSON; trail id)
        self.known: dict[tuple[str, str | None], tuple[tuple[str, ...], str, int]] = {}
        self.walks: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}  # (source, start) -> (root, path as JSON)
        self.last_id = 0
        self.pending: dict[str, list[tuple]] = {table: [] for table in self.TEMP}
        self.counts = dict.fromkeys(self.EXPAND, 0)
        self.expand = {table: f"insert into [{table}] ({_columns(table)}) {select}" for table, select in self.EXPAND.items()}
        for table, columns in self.TEMP.items():
            conn.execute(f"drop table if exists temp.[{table}]")
            conn.execute(f"create temp table [{table}] {columns}")

    def add(self, claim_id: str, evidence_id: str, source_id: str, via: str | None) -> tuple[tuple[str, ...], str, int]:
        """Queue the rows of an item in ``source_id`` resting on ``via`` (citation ids joined
        by \\x1f); return its trail: its roots, sorted; those as JSON; the trail's id."""
        trail = self.known.get((source_id, via)) or self._trace(source_id, via)
        items = self.pending["_derive_items"]
        items.append((claim_id, evidence_id, trail[2]))
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

    def _trace(self, source_id: str, via: str | None) -> tuple[tuple[str, ...], str, int]:
        if len(self.known) >= self.LIMIT:
            self.flush()  # the queued items need the trails about to go
            self.known.clear()
            self.conn.execute("delete from temp._derive_origins")
            self.conn.execute("delete from temp._derive_hops")
        citations = via.split("\x1f") if via else []
        # find_origins, with each start's walk kept
        origins = _first_per_root(self._walk(source_id, start) for start in _starts(source_id, citations, self.corpus.citations))
        self.last_id += 1
        trail_id = self.last_id
        self.pending["_derive_origins"] += [(trail_id, position, *origin) for position, origin in enumerate(origins)]
        self.pending["_derive_hops"] += [(trail_id, *hop) for hop in _chain(self.corpus, source_id, citations)]
        roots = [root for root, _ in origins]
        trail = self.known[source_id, via] = (tuple(roots), json.dumps(roots), trail_id)
        return trail

    def _walk(self, source_id: str, start: str) -> tuple[tuple[str, str], ...]:
        walk = self.walks.get((source_id, start))
        if walk is None:
            if len(self.walks) >= self.LIMIT:
                self.walks.clear()
            found = _walk_origins(source_id, start, self.corpus.derived_from, self.corpus.reach)
            walk = self.walks[source_id, start] = tuple((root, json.dumps(path)) for root, path in found)
        return walk


def _claims_with_evidence(conn: sqlite3.Connection) -> Iterator[tuple[str, list[tuple]]]:
    """Each claim id with its evidence items, one claim at a time.

    An item is (claim id, evidence id, source id, stance, via): via is the item's citation
    ids in curated order joined by \\x1f, or None.
    """
    rows = _cursor(
        conn,
        """select c.id, e.id, e.source_id, e.stance,
                  (select group_concat(citation_id, char(31)) from
                     (select citation_id from evidence_via v where v.evidence_id = e.id order by v.rowid))
           from claims c left join evidence e on e.claim_id = c.id
           order by c.id, e.position""",
    )
    for claim_id, group in groupby(rows, key=itemgetter(0)):
        yield claim_id, [item for item in group if item[1] is not None]  # (no evidence: one row of nulls)


def derive(db: sqlite_utils.Database) -> dict[str, int]:
    """Compute and write the derived tables; return their row counts.

    Claims are read one at a time with their evidence and rows are written in batches,
    so memory holds the citation graph, the names and bounded caches, not the claims.
    For the duration, the connection has temporary tables and a larger page cache.
    """
    create_tables(db, DERIVED_TABLES, indexes=False)
    with _pragma(db.conn, "cache_size", -_PAGE_CACHE_KIB):
        corpus = _Corpus(db)
        trails = _Trails(corpus, db.conn)
        out = _Batches(db.conn, ["claim_status", "evidence_assessments", "contradictions", "contradiction_members"])
        contradictions: list[tuple[tuple, list[tuple]]] = []
        for claim_id, items in _claims_with_evidence(db.conn):
            status_row, grades, conflict = _analyse_claim(corpus, trails, claim_id, items)
            out.add("claim_status", [status_row])
            if grades:
                out.add("evidence_assessments", grades)
            if conflict:
                contradictions.append(conflict)
        counts = trails.close()
        contradictions += _value_conflicts(corpus)
        contradictions += _asserted(db.conn)
        seen = set()
        for row, members in sorted(contradictions, key=lambda c: c[0][0]):  # by id
            if row[0] in seen:
                continue
            seen.add(row[0])
            out.add("contradictions", [row])
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


def _analyse_claim(corpus: _Corpus, trails: _Trails, claim_id: str, items: list[tuple]):
    """A claim's claim_status row, evidence_assessments rows and stance conflict (or None),
    from its items as _claims_with_evidence gives them; its items' origins and chains go
    to ``trails``."""
    roots: dict[str, tuple[str, ...]] = {}
    roots_json: dict[str, str] = {}
    by_stance: dict[str, list[tuple[str, str]]] = defaultdict(list)  # stance -> [(evidence id, source id)]
    for _, evidence_id, source_id, stance, via in items:
        roots[evidence_id], roots_json[evidence_id], _ = trails.add(claim_id, evidence_id, source_id, via)
        by_stance[stance].append((evidence_id, source_id))

    supporting, conflicting = by_stance["supports"], by_stance["conflicts"]
    groups = independent_groups({evidence_id: roots[evidence_id] for evidence_id, _ in supporting})
    # An item's roots are sorted, and written as JSON, already: a group of one item needs
    # neither merging nor encoding. (The list is written as json.dumps(group_roots) would.)
    group_roots = [roots[g[0]] if len(g) == 1 else sorted(set().union(*map(roots.get, g))) for g in groups]
    origin_groups = ", ".join(roots_json[g[0]] if len(g) == 1 else json.dumps(r) for g, r in zip(groups, group_roots))
    supports = sorted({source_id for _, source_id in supporting})
    conflicts = sorted({source_id for _, source_id in conflicting})
    status_row = (
        claim_id,
        claim_status(len(groups), len(conflicting)),
        len(supports),
        len(conflicts),
        len({source_id for _, source_id in by_stance["qualifies"]}),
        len({source_id for _, source_id in by_stance["reports"]}),
        len(supporting),
        len(conflicting),
        len(groups),
        f"[{origin_groups}]",
        _reason(corpus, supports, conflicts, groups, group_roots, supporting),
    )
    grades = []
    if len(groups) >= 2:
        why = f"confirmed by {_plural(len(groups) - 1, 'other independent origin')}"
        grades = [(evidence_id, 1, why) for group in groups for evidence_id in group]
    conflict = None
    if supporting and conflicting:
        cid = contradiction_id("stance-conflict", [claim_id])
        explanation = (
            f"{_and(supports)} {'supports' if len(supports) == 1 else 'support'} the claim; "
            f"{_and(conflicts)} {'conflicts' if len(conflicts) == 1 else 'conflict'} with it"
        )
        members = [(cid, claim_id, evidence_id, "supports") for evidence_id, _ in supporting]
        members += [(cid, claim_id, evidence_id, "conflicts") for evidence_id, _ in conflicting]
        conflict = ((cid, "stance-conflict", None, None, explanation), members)
    return status_row, grades, conflict


def _reason(corpus, supports, conflicts, groups, group_roots, supporting) -> str:
    parts = []
    if supports:
        parts.append(f"{_plural(len(supports), 'source')} {'supports' if len(supports) == 1 else 'support'}")
    if conflicts:
        parts.append(f"{_plural(len(conflicts), 'source')} {'conflicts' if len(conflicts) == 1 else 'conflict'}")
    if not parts:
        return "no source supports or conflicts with it"
    text = ", ".join(parts)
    if supports:
        text += f"; {_plural(len(groups), 'independent origin')}"
        shared = []
        source_of = dict(supporting)
        for group, roots in zip(groups, group_roots):
            if len(group) == 1:
                continue  # one passage shares its origin with none
            group_sources = sorted({source_of[i] for i in group})
            if len(group_sources) > 1:
                on = " and ".join(corpus.title(r) for r in roots)
                who = "both" if len(group_sources) == 2 else f"all {len(group_sources)}"
                shared.append(f"{who} of {', '.join(group_sources)} rest on {on}")
        if shared:
            text += ": " + "; ".join(shared)
    return text


def _chain(corpus: _Corpus, source_id: str, via: list[str]) -> tuple[tuple, ...]:
    """The hops from a passage in ``source_id`` resting on ``via`` up to the works it rests on.

    Each hop is a chain_links row from "step" on (the claim and evidence ids are the caller's).
    """
    hops: list[tuple[int, str, str | None, str | None, str | None]] = []  # depth, from, citation, relation, to
    frontier: deque[tuple[int, str]] = deque()
    for citation_id in via:
        _, cited, relation = corpus.citations[citation_id]
        hops.append((1, source_id, citation_id, relation, cited))
        frontier.append((1, cited))
    if not via:
        frontier.append((0, source_id))
    seen = {source_id}
    while frontier:
        depth, node = frontier.popleft()
        if node in seen and depth:
            continue
        seen.add(node)
        for citation_id, cited, relation in corpus.derivations.get(node, ()):
            if cited not in seen:
                hops.append((depth + 1, node, citation_id, relation, cited))
                frontier.append((depth + 1, cited))
    if not hops:
        hops.append((1, source_id, None, None, None))
    rows = []
    for step, (depth, origin, citation_id, relation, target) in enumerate(hops, start=1):
        footnote, pages, inferred = corpus.citation_details[citation_id] if citation_id else (None, None, 0)
        to_read = int(target in corpus.with_text)
        note = "no citation given" if target is None else None
        rows.append((step, depth, origin, citation_id, relation, target, footnote, pages, inferred, to_read, note))
    return tuple(rows)


def _claim_value(corpus: _Corpus, r: sqlite3.Row) -> Value | None:
    kind = r["value_kind"]
    if r["value_relative_claim_id"]:
        base = _cursor(
            corpus.conn,
            "select coalesce(value_date_earliest, event_date_earliest), "
            "coalesce(value_date_latest, event_date_latest) from claims where id = ?",
            [r["value_relative_claim_id"]],
        ).fetchone()
        if not base or not base[0]:
            return None  # the base claim has no date: nothing to resolve against
        lo, hi = shift_interval(base[0], base[1], r["value_relative_days"])
        corpus.conn.execute("update claims set value_date_earliest = ?, value_date_latest = ? where id = ?", [lo, hi, r["id"]])
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
    key, members = None, []
    for r in rows:
        here = (r["subject_id"], r["property_id"])
        if here != key:
            if len(members) > 1:
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
    if v.kind == "date":
        compared: tuple = (v.earliest, v.latest)
    elif v.kind == "number":
        compared = (v.number, v.tolerance)
    elif v.kind == "entity":
        compared = tuple(sorted(v.names))
    else:
        compared = (" ".join((v.text or "").casefold().split()),)
    period = None if v.kind == "date" else (r["event_date_earliest"], r["event_date_latest"])
    return (v.kind, compared, period, r["value_relative_claim_id"] and r["id"])


def _value_conflicts(corpus: _Corpus) -> list[tuple[tuple, list[tuple]]]:
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
                ids = [r["id"] for r, _ in first + second]
                relative = any(r["value_relative_claim_id"] for r, _ in first + second)
                kind = "derived" if relative else "value-conflict"
                cid = contradiction_id(kind, ids)
                explanation = f"{corpus.entity_names.get(subject, subject)}, {label}: {why}"
                out.append(((cid, kind, subject, prop, explanation), [(cid, c, None, "claim") for c in sorted(ids)]))
    return out


def _asserted(conn: sqlite3.Connection) -> list[tuple[tuple, list[tuple]]]:
    out = []
    rows = _cursor(conn, "select claim_id, target_id, note from claim_links where relation = 'contradicts' order by claim_id, target_id")
    for claim_id, target_id, note in rows:
        cid = contradiction_id("asserted", [claim_id, target_id])
        explanation = note or f"the curator marks {claim_id} as contradicting {target_id}"
        out.append(((cid, "asserted", None, None, explanation), [(cid, claim_id, None, "claim"), (cid, target_id, None, "claim")]))
    return out
