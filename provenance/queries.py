"""Read a built database: claims with their status, contradictions and evidence chains.

The CLI and the Datasette plugins read the derived tables through these functions, so
both show the same thing.
"""

from __future__ import annotations

import difflib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from .analysis.status import STATUSES
from .errors import DatabaseError, NotFound

__all__ = [
    "open_database",
    "get_claim",
    "claim_evidence",
    "claim_statuses",
    "status_counts",
    "STATUSES",
    "contradictions",
    "count_contradictions",
    "signal_counts",
    "Hop",
    "ChainItem",
    "evidence_chain",
]


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open a built database read-only; raise DatabaseError when it is missing or not ours."""
    path = Path(path)
    if not path.exists():
        raise DatabaseError(f"{path} does not exist; build it first: provenance build")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db = sqlite_utils.Database(conn)
    if "build_info" not in db.table_names() or "claim_status" not in db.table_names():
        raise DatabaseError(f"{path} is not a provenance database (or is from an older version); rebuild it")
    return db


def get_claim(db: sqlite_utils.Database, claim_id: str, *, suggest: bool = True) -> dict:
    """A claim with its status; NotFound for an unknown id, with the closest id when
    ``suggest`` (that reads every claim id: for the command line, not for a web page)."""
    rows = list(
        db.query(
            "select c.*, s.status, s.reason, s.independent_origins, s.credible_origins, s.conflicting_origins, "
            "s.reporting_origins, s.weak_dissent, s.supporting_sources, s.conflicting_sources "
            "from claims c join claim_status s on s.claim_id = c.id where c.id = ?",
            [claim_id],
        )
    )
    if not rows:
        hint = ""
        if suggest:
            ids = [r["id"] for r in db.query("select id from claims")]
            close = difflib.get_close_matches(claim_id, ids, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise NotFound(f"no claim {claim_id!r}{hint}")
    return rows[0]


def claim_evidence(db: sqlite_utils.Database, claim_id: str) -> list[dict]:
    """A claim's passages, in the curator's order: stance, source, locator, quote."""
    return list(
        db.query(
            "select e.stance, e.source_id, e.locator, e.quote from evidence e where e.claim_id = ? order by e.position",
            [claim_id],
        )
    )


def claim_statuses(db: sqlite_utils.Database) -> list[dict]:
    return list(
        db.query(
            "select c.id, c.statement, s.status, s.independent_origins, s.conflicting_origins, s.reporting_origins, "
            "s.supporting_sources, s.conflicting_sources, s.reason "
            "from claims c join claim_status s on s.claim_id = c.id order by c.topic, c.id"
        )
    )


def status_counts(db: sqlite_utils.Database) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for row in db.query("select status, count(*) as n from claim_status group by status"):
        counts[row["status"]] = row["n"]
    return counts


def _contradiction_filter(kind: str | None, entity: str | None, claim_id: str | None) -> tuple[str, dict]:
    """The WHERE clause shared by listing and counting; each condition can use an index.

    ``kind`` is a signal: a disagreement matches when any of its signals is of that kind.
    """
    where, params = [], {}
    if kind:
        where.append("c.id in (select contradiction_id from contradiction_signals where signal = :kind)")
        params["kind"] = kind
    if entity:
        # entity ids by id or by any spelling, then their claims, then those claims' contradictions
        where.append(
            "c.id in (select m.contradiction_id from contradiction_members m where m.claim_id in ("
            " select cl.id from claims cl where cl.subject_id in (select entity_id from aliases"
            "  where entity_id = :entity or name = :entity collate nocase)"
            " union select cl.id from claims cl where cl.value_entity_id in (select entity_id from aliases"
            "  where entity_id = :entity or name = :entity collate nocase)))"
        )
        params["entity"] = entity
    if claim_id:
        where.append("c.id in (select contradiction_id from contradiction_members where claim_id = :claim)")
        params["claim"] = claim_id
    return (" where " + " and ".join(where) if where else ""), params


def count_contradictions(db: sqlite_utils.Database, kind: str | None = None, entity: str | None = None) -> int:
    where, params = _contradiction_filter(kind, entity, None)
    return db.execute(f"select count(*) from contradictions c{where}", params).fetchone()[0]


def contradictions(
    db: sqlite_utils.Database,
    kind: str | None = None,
    entity: str | None = None,
    claim_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict]:
    """Disagreements with their member claims and passages and their signals: flagged by
    one kind of signal, about one entity (by any alias), involving one claim; a page of
    them when ``limit`` is given. Strong ones first, then by id."""
    where, params = _contradiction_filter(kind, entity, claim_id)
    sql = f"select c.* from contradictions c{where} order by c.weak, c.id"
    if limit is not None:
        sql += " limit :limit offset :offset"
        params.update(limit=limit, offset=offset)
    rows = list(db.query(sql, params))
    for row in rows:
        row["members"] = list(
            db.query(
                "select m.claim_id, m.evidence_id, m.role, cl.statement, e.source_id, e.quote "
                "from contradiction_members m join claims cl on cl.id = m.claim_id "
                "left join evidence e on e.id = m.evidence_id where m.contradiction_id = ? order by m.id",
                [row["id"]],
            )
        )
        row["signal_list"] = list(
            db.query("select signal, explanation from contradiction_signals where contradiction_id = ? order by id", [row["id"]])
        )
        row["kinds"] = json.loads(row["signals"] or "[]")
    return rows


def signal_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """How many disagreements each kind of signal flags."""
    return {
        r["signal"]: r["n"]
        for r in db.query(
            "select signal, count(distinct contradiction_id) as n from contradiction_signals group by signal order by signal"
        )
    }


@dataclass
class Hop:
    depth: int
    from_id: str
    citation_id: str | None
    relation: str | None
    to_id: str | None
    to_title: str | None
    footnote: int | None
    pages: str | None
    inferred: bool
    to_read: bool
    to_origin: str | None

    @property
    def via(self) -> str:
        """How the hop was made: "note 143", or the relation; marked when inferred."""
        label = f"note {self.footnote}" if self.footnote else (self.relation or "")
        return label + (" (inferred by the curator)" if self.inferred else "")

    @property
    def reading(self) -> str:
        return "read" if self.to_read else "cited only, not read"


@dataclass
class ChainItem:
    evidence_id: str
    stance: str
    source_id: str
    source_title: str
    quote: str
    locator: str
    origins: list[str]
    hops: list[Hop] = field(default_factory=list)
    inferred_origins: set[str] = field(default_factory=set)  # origins reached only through an inferred link

    def origin_labels(self) -> list[str]:
        """The origins, each marked when reached through a link the curator inferred."""
        return [o + (" (inferred)" if o in self.inferred_origins else "") for o in self.origins]


def evidence_chain(db: sqlite_utils.Database, claim_id: str, *, suggest: bool = True) -> tuple[dict, list[ChainItem]]:
    """A claim and, for each of its passages, the hops up to the works it rests on.

    After the claim, three indexed queries whatever the corpus size: the passages, their
    origins, their hops.
    """
    claim = get_claim(db, claim_id, suggest=suggest)
    items = [
        ChainItem(e["id"], e["stance"], e["source_id"], e["title"], e["quote"], e["locator"], [])
        for e in db.query(
            "select e.id, e.stance, e.source_id, s.title, e.quote, e.locator from evidence e join sources s on s.id = e.source_id "
            "where e.claim_id = ? order by e.position",
            [claim_id],
        )
    ]
    by_id = {item.evidence_id: item for item in items}
    for r in db.query(
        "select o.evidence_id, o.origin_id, o.inferred from evidence e join evidence_origins o on o.evidence_id = e.id "
        "where e.claim_id = ? order by o.evidence_id, o.origin_id",
        [claim_id],
    ):
        by_id[r["evidence_id"]].origins.append(r["origin_id"])
        if r["inferred"]:
            by_id[r["evidence_id"]].inferred_origins.add(r["origin_id"])
    for h in db.query(
        "select l.*, s.title as to_title, s.origin as to_origin from evidence e join chain_links l on l.evidence_id = e.id "
        "left join sources s on s.id = l.to_id where e.claim_id = ? order by l.evidence_id, l.step",
        [claim_id],
    ):
        by_id[h["evidence_id"]].hops.append(
            Hop(
                h["depth"],
                h["from_id"],
                h["citation_id"],
                h["relation"],
                h["to_id"],
                h["to_title"],
                h["footnote"],
                h["pages"],
                bool(h["inferred"]),
                bool(h["to_read"]),
                h["to_origin"],
            )
        )
    return claim, items
