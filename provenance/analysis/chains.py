"""Evidence chains: each hop from a passage's source through its footnotes and the
derivations the origin rule follows, up to the works it rests on (DESIGN.md, "Evidence
chain"). The chain shows exactly the links :mod:`.origins` follows, no more: a note that
quotes a telegram appears in the chains of the passages that cite that note only.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable

from .origins import CitationGraph, Link, Pages, page_ranges

__all__ = ["HOP_COLUMNS", "chain_hops"]

# The columns of a hop as chain_links stores it, after the claim and evidence ids.
HOP_COLUMNS = ("step", "depth", "from_id", "citation_id", "relation", "to_id", "footnote", "pages", "inferred", "to_read", "note")


def chain_hops(graph: CitationGraph, source: str, via: Iterable[str], held: Collection[str]) -> list[tuple]:
    """The hops from a passage in ``source`` resting on ``via`` (citation ids), as rows in
    HOP_COLUMNS order; ``held`` are the sources held as text (the curator read them)."""
    hops: list[tuple[int, str, Link | None]] = []
    frontier: deque[tuple[int, str, Pages]] = deque()
    firsts = graph.first_hops(via)
    for link in firsts:
        hops.append((1, source, link))
        frontier.append((1, link.cited, page_ranges(link.pages)))
    if not firsts:
        frontier.append((0, source, ()))
    seen = {source}
    expanded: set[tuple[str, Pages]] = set()
    while frontier:
        depth, node, pages = frontier.popleft()
        if (node, pages) in expanded:
            continue
        expanded.add((node, pages))
        seen.add(node)
        for link in graph.onward(node, pages):
            if link.cited not in seen:
                hops.append((depth + 1, node, link))
                frontier.append((depth + 1, link.cited, page_ranges(link.pages)))
    if not hops:
        hops.append((1, source, None))
    rows: list[tuple] = []
    for step, (depth, origin, hop) in enumerate(hops, start=1):
        if hop is None:
            rows.append((step, depth, origin, None, None, None, None, None, 0, 0, "no citation given"))
        else:
            rows.append(
                (step, depth, origin, hop.id, hop.relation, hop.cited, hop.footnote, hop.pages, int(hop.inferred),
                 int(hop.cited in held), None)
            )  # fmt: skip
    return rows
