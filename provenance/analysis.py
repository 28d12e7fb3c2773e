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
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import sqlite_utils

from .tables import DERIVED_TABLES, create_indexes, create_tables, insert_rows

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
    starts = [citations[c][1] for c in via if c in citations] or [source]
    found: dict[str, Origin] = {}
    for start in starts:
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
                root = min(reach | {node})
                found.setdefault(root, Origin(root, path))
                continue
            for parent in sorted(derived_from.get(node, ()), reverse=True):
                if parent not in path:
                    stack.append((parent, path + (parent,)))
    return sorted(found.values(), key=lambda o: o.root)


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


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


class _Corpus:
    """The curated tables, read once for the analysis."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.sources = {r["id"]: r for r in db.query("select id, title, text is not null as has_text, origin from sources")}
        self.citations = {
            r["id"]: (r["source_id"], r["cited_id"], r["relation"])
            for r in db.query("select id, source_id, cited_id, relation from citations order by id")
        }
        self.citation_rows = {r["id"]: r for r in db.query("select * from citations order by id")}
        self.derived_from: dict[str, list[str]] = defaultdict(list)
        # source -> [(citation id, cited source, relation)] for derivations, in citation id order
        self.derivations: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for citation_id, (source, cited, relation) in self.citations.items():
            if relation in DERIVATIONS:
                self.derived_from[source].append(cited)
                self.derivations[source].append((citation_id, cited, relation))
        self.reach: dict[str, frozenset[str]] = {}
        self.names: dict[str, frozenset[str]] = defaultdict(frozenset)
        for r in db.query("select entity_id, group_concat(name, char(31)) as names from aliases group by entity_id"):
            self.names[r["entity_id"]] = frozenset(n.casefold() for n in r["names"].split("\x1f")) | {r["entity_id"]}
        self.entity_names = {r["id"]: r["name"] for r in db.query("select id, name from entities")}
        self.properties = {r["id"]: r for r in db.query("select * from properties")}

    def title(self, source_id: str) -> str:
        source = self.sources.get(source_id)
        return f"{source['title']} ({source_id})" if source else source_id


class _Batches:
    """Rows buffered per table and inserted a few thousand at a time."""

    SIZE = 5000

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, table: str, rows: list[dict]) -> None:
        buffer = self.rows[table]
        buffer.extend(rows)
        if len(buffer) >= self.SIZE:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.rows):
            if self.rows[name]:
                insert_rows(self.db.conn, name, self.rows[name])
                self.counts[name] += len(self.rows[name])
                self.rows[name] = []


def _claims_with_evidence(db: sqlite_utils.Database) -> Iterator[tuple[dict, list[dict]]]:
    """Each claim with its evidence (and each item's via), one claim at a time."""
    rows = db.query(
        """select c.id as claim_id, c.statement, e.id, e.source_id, e.stance,
                  (select group_concat(citation_id, char(31)) from
                     (select citation_id from evidence_via v where v.evidence_id = e.id order by v.rowid)) as via
           from claims c left join evidence e on e.claim_id = c.id
           order by c.id, e.position"""
    )
    claim, items = None, []
    for row in rows:
        if claim is None or row["claim_id"] != claim["id"]:
            if claim is not None:
                yield claim, items
            claim, items = {"id": row["claim_id"], "statement": row["statement"]}, []
        if row["id"] is not None:
            items.append({**row, "via": row["via"].split("\x1f") if row["via"] else []})
    if claim is not None:
        yield claim, items


def derive(db: sqlite_utils.Database) -> dict[str, int]:
    """Compute and write the derived tables; return their row counts.

    Claims are read one at a time with their evidence and rows are written in batches,
    so memory holds the citation graph and the names, not the claims.
    """
    create_tables(db, DERIVED_TABLES, indexes=False)
    corpus = _Corpus(db)
    out = _Batches(db)
    contradictions: list[tuple[dict, list[dict]]] = []
    for claim, items in _claims_with_evidence(db):
        origins_rows, chain_rows, status_row, grades, conflict = _analyse_claim(corpus, claim, items)
        out.add("evidence_origins", origins_rows)
        out.add("chain_links", chain_rows)
        out.add("claim_status", [status_row])
        out.add("evidence_assessments", grades)
        if conflict:
            contradictions.append(conflict)
    contradictions += _value_conflicts(corpus)
    contradictions += _asserted(db)
    seen = set()
    for row, members in sorted(contradictions, key=lambda c: c[0]["id"]):
        if row["id"] in seen:
            continue
        seen.add(row["id"])
        out.add("contradictions", [row])
        out.add("contradiction_members", members)
    out.flush()
    create_indexes(db, DERIVED_TABLES)
    return dict(out.counts)


def _analyse_claim(corpus: _Corpus, claim: dict, items: list[dict]):
    origins_rows, chain_rows = [], []
    roots: dict[str, set[str]] = {}
    for item in items:
        origins = find_origins(item["source_id"], item["via"], corpus.citations, corpus.derived_from, corpus.reach)
        roots[item["id"]] = {o.root for o in origins}
        for origin in origins:
            origins_rows.append({"evidence_id": item["id"], "origin_id": origin.root, "path": json.dumps(origin.path)})
        chain_rows += _chain(corpus, claim["id"], item)

    by_stance: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        by_stance[item["stance"]].append(item)
    supporting = by_stance["supports"]
    groups = independent_groups({i["id"]: roots[i["id"]] for i in supporting})
    status = claim_status(len(groups), len(by_stance["conflicts"]))

    def sources(stance: str) -> list[str]:
        return sorted({i["source_id"] for i in by_stance[stance]})

    group_roots = [sorted(set().union(*(roots[i] for i in group))) for group in groups]
    reason = _reason(corpus, sources("supports"), sources("conflicts"), groups, group_roots, supporting)
    status_row = {
        "claim_id": claim["id"],
        "status": status,
        "supporting_sources": len(sources("supports")),
        "conflicting_sources": len(sources("conflicts")),
        "qualifying_sources": len(sources("qualifies")),
        "reporting_sources": len(sources("reports")),
        "supporting_evidence": len(supporting),
        "conflicting_evidence": len(by_stance["conflicts"]),
        "independent_origins": len(groups),
        "origin_groups": json.dumps(group_roots),
        "reason": reason,
    }
    grades = []
    if len(groups) >= 2:
        for group in groups:
            for item_id in group:
                others = len(groups) - 1
                grades.append(
                    {
                        "evidence_id": item_id,
                        "computed_credibility": 1,
                        "reason": f"confirmed by {_plural(others, 'other independent origin')}",
                    }
                )
    conflict = None
    if supporting and by_stance["conflicts"]:
        members = [
            {"claim_id": claim["id"], "evidence_id": i["id"], "role": i["stance"]}
            for i in supporting + by_stance["conflicts"]
        ]
        row = {
            "id": contradiction_id("stance-conflict", [claim["id"]]),
            "kind": "stance-conflict",
            "subject_id": None,
            "property_id": None,
            "explanation": f"{_and(sources('supports'))} {'supports' if len(sources('supports')) == 1 else 'support'} "
            f"the claim; {_and(sources('conflicts'))} {'conflicts' if len(sources('conflicts')) == 1 else 'conflict'} with it",
        }
        conflict = (row, [{"contradiction_id": row["id"], **m} for m in members])
    return origins_rows, chain_rows, status_row, grades, conflict


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
        source_of = {i["id"]: i["source_id"] for i in supporting}
        for group, roots in zip(groups, group_roots):
            group_sources = sorted({source_of[i] for i in group})
            if len(group_sources) > 1:
                on = " and ".join(corpus.title(r) for r in roots)
                who = "both" if len(group_sources) == 2 else f"all {len(group_sources)}"
                shared.append(f"{who} of {', '.join(group_sources)} rest on {on}")
        if shared:
            text += ": " + "; ".join(shared)
    return text


def _chain(corpus: _Corpus, claim_id: str, item: dict) -> list[dict]:
    """The hops from an evidence passage up to the works it rests on."""
    rows = []
    via = item["via"]
    hops: list[tuple[int, str, str | None, str | None, str | None]] = []  # depth, from, citation, relation, to
    frontier: list[tuple[int, str]] = []
    for citation_id in via:
        _, cited, relation = corpus.citations[citation_id]
        hops.append((1, item["source_id"], citation_id, relation, cited))
        frontier.append((1, cited))
    if not via:
        frontier.append((0, item["source_id"]))
    seen = {item["source_id"]}
    while frontier:
        depth, node = frontier.pop(0)
        if node in seen and depth:
            continue
        seen.add(node)
        for citation_id, cited, relation in corpus.derivations.get(node, ()):
            if cited not in seen:
                hops.append((depth + 1, node, citation_id, relation, cited))
                frontier.append((depth + 1, cited))
    if not hops:
        hops.append((1, item["source_id"], None, None, None))
    for step, (depth, origin, citation_id, relation, target) in enumerate(hops, start=1):
        citation = corpus.citation_rows.get(citation_id) if citation_id else None
        rows.append(
            {
                "claim_id": claim_id,
                "evidence_id": item["id"],
                "step": step,
                "depth": depth,
                "from_id": origin,
                "citation_id": citation_id,
                "relation": relation,
                "to_id": target,
                "footnote": citation["footnote"] if citation else None,
                "pages": citation["pages"] if citation else None,
                "inferred": citation["inferred"] if citation else 0,
                "to_read": int(bool(target and corpus.sources.get(target, {}).get("has_text"))),
                "note": "no citation given" if target is None else None,
            }
        )
    return rows


def _claim_value(corpus: _Corpus, r: dict) -> Value | None:
    kind = r["value_kind"]
    if r["value_relative_claim_id"]:
        base = next(
            corpus.db.query(
                "select coalesce(value_date_earliest, event_date_earliest) as lo, "
                "coalesce(value_date_latest, event_date_latest) as hi from claims where id = ?",
                [r["value_relative_claim_id"]],
            ),
            None,
        )
        if not base or not base["lo"]:
            return None  # the base claim has no date: nothing to resolve against
        lo, hi = shift_interval(base["lo"], base["hi"], r["value_relative_days"])
        corpus.db.execute("update claims set value_date_earliest = ?, value_date_latest = ? where id = ?", [lo, hi, r["id"]])
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


def _value_groups(corpus: _Corpus) -> Iterator[tuple[str, str, list[tuple[dict, Value]]]]:
    """Claims on one subject and single-valued property, a group at a time (by the covering index)."""
    rows = corpus.db.query(
        """select c.id, c.subject_id, c.property_id, c.value_kind, c.value, c.value_date, c.value_date_earliest,
                  c.value_date_latest, c.value_number, c.value_tolerance, c.value_entity_id, c.value_text,
                  c.value_relative_claim_id, c.value_relative_days, c.event_date_earliest, c.event_date_latest
           from claims c join properties p on p.id = c.property_id
           where p.multiple = 0 and c.subject_id is not null
           order by c.subject_id, c.property_id, c.id"""
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


def _different_periods(a: dict, b: dict) -> bool:
    """True when both claims are dated and their event dates cannot overlap."""
    if not (a["event_date_earliest"] and b["event_date_earliest"]):
        return False
    return a["event_date_latest"] < b["event_date_earliest"] or b["event_date_latest"] < a["event_date_earliest"]


def _class_key(r: dict, v: Value) -> tuple:
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


def _value_conflicts(corpus: _Corpus) -> list[tuple[dict, list[dict]]]:
    """Pairs of value classes that cannot both be right, within each subject and property.

    Claims giving the same value are one class, so a subject with many claims and a few
    values costs a few comparisons, not one per pair of claims.
    """
    out = []
    for subject, prop, members in _value_groups(corpus):
        label = corpus.properties[prop]["label"]
        classes: dict[tuple, list[tuple[dict, Value]]] = {}
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
                row = {
                    "id": cid,
                    "kind": kind,
                    "subject_id": subject,
                    "property_id": prop,
                    "explanation": f"{corpus.entity_names.get(subject, subject)}, {label}: {why}",
                }
                out.append((row, [{"contradiction_id": cid, "claim_id": c, "evidence_id": None, "role": "claim"} for c in sorted(ids)]))
    return out


def _asserted(db: sqlite_utils.Database) -> list[tuple[dict, list[dict]]]:
    out = []
    for link in db.query("select * from claim_links where relation = 'contradicts' order by claim_id, target_id"):
        cid = contradiction_id("asserted", [link["claim_id"], link["target_id"]])
        row = {
            "id": cid,
            "kind": "asserted",
            "subject_id": None,
            "property_id": None,
            "explanation": link["note"] or f"the curator marks {link['claim_id']} as contradicting {link['target_id']}",
        }
        out.append(
            (
                row,
                [
                    {"contradiction_id": cid, "claim_id": link["claim_id"], "evidence_id": None, "role": "claim"},
                    {"contradiction_id": cid, "claim_id": link["target_id"], "evidence_id": None, "role": "claim"},
                ],
            )
        )
    return out
