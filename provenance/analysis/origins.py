"""Origins: the works an evidence passage rests on, followed through its footnotes and the
derivations between sources, and which passages share them (one line of evidence).

The rule (DESIGN.md, "Origin"): a passage starts from the citations in its own ``via``. A
derivation (quotes, summarises, translates, version-of) recorded *at a place* of a work (a
footnote, or a locator such as "pp. 600") belongs to what cites that place: to the
passages whose ``via`` names it, or to a citation of the work that reaches those pages.
Only a *whole-work* derivation, with neither footnote nor locator (a blog that summarises
an article, a translation of a book), is followed from every passage of its source and
from every citation of it. A passage with no ``via`` and no whole-work derivation is its
own origin. An origin reached through a link the curator inferred is marked inferred.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "DERIVATIONS",
    "Link",
    "CitationGraph",
    "Origin",
    "Pages",
    "page_ranges",
    "locator_pages",
    "walk",
    "merge_walks",
    "find_origins",
    "independent_groups",
    "unreferenced_joined",
]

# Relations by which one source carries another's content onward. A plain "cites" is
# followed only from a passage's own via: a book's other footnotes say nothing about the
# passage at hand.
DERIVATIONS = frozenset({"quotes", "summarises", "translates", "version-of"})

Pages = tuple[tuple[int, int], ...]
_RANGE = re.compile(r"(\d+)(?:\s*[-\u2010-\u2015\u2212]\s*(\d+))?")


def page_ranges(text: str | None) -> Pages:
    """The page ranges a locator or a pages field names: "613–614", "pp. 237–42", "9, 12".

    An abbreviated end ("237–42") takes the start's leading digits. Empty when the text
    names no page (a document number is read as a page: "no. 600" is p. 600 of nothing).
    """
    if not text:
        return ()
    ranges = []
    for start, end in _RANGE.findall(text):
        lo = int(start)
        hi = lo
        if end:
            hi = int(end)
            if hi < lo and len(end) < len(start):
                hi = int(start[: len(start) - len(end)] + end)
            if hi < lo:
                hi = lo
        ranges.append((lo, hi))
    return tuple(ranges)


_PAGE_LOCATOR = re.compile(r"\s*(?:pp?\.|pages?)?\s*\d[\d\s,\u2010-\u2015\u2212-]*", re.IGNORECASE)


def locator_pages(locator: str | None) -> Pages:
    """The pages of a locator that names only pages ("pp. 600", "613–614"); () for any
    other place ("paragraphs 4-6", "whole post"), which only a via can reach."""
    if not locator or not _PAGE_LOCATOR.fullmatch(locator):
        return ()
    return page_ranges(locator)


def _overlap(a: Pages, b: Pages) -> bool:
    return any(lo <= b_hi and b_lo <= hi for lo, hi in a for b_lo, b_hi in b)


@dataclass(frozen=True)
class Link:
    """One citation, as the analysis needs it."""

    id: str
    source: str  # the citing source
    cited: str
    relation: str = "cites"
    footnote: int | None = None
    locator: str | None = None  # where in the citing source, when not a numbered note
    pages: str | None = None  # where in the cited source
    inferred: bool = False

    @property
    def whole_work(self) -> bool:
        """A derivation of the whole citing work: it names no footnote and no place."""
        return self.relation in DERIVATIONS and self.footnote is None and not self.locator


class CitationGraph:
    """The citations of a corpus, indexed for following origins."""

    def __init__(self, links: Iterable[Link]):
        self.links: dict[str, Link] = {}
        self.whole: dict[str, list[Link]] = defaultdict(list)  # source -> its whole-work derivations
        self.at_pages: dict[str, list[tuple[Pages, Link]]] = defaultdict(list)  # source -> derivations at its pages
        self._reach: dict[str, frozenset[str]] = {}
        for link in links:
            self.links[link.id] = link
            if link.relation not in DERIVATIONS:
                continue
            if link.whole_work:
                self.whole[link.source].append(link)
            elif link.footnote is None:
                pages = locator_pages(link.locator)
                if pages:
                    self.at_pages[link.source].append((pages, link))
            # a derivation at a footnote is followed only from a via that names it

    def onward(self, node: str, pages: Pages) -> list[Link]:
        """The derivations followed from ``node`` when it is reached at ``pages`` (() for
        the whole work or no page given): its whole-work derivations, and those recorded
        at the pages reached."""
        found = list(self.whole.get(node, ()))
        if pages:
            found += [link for at, link in self.at_pages.get(node, ()) if _overlap(at, pages)]
        return found

    def reach(self, node: str) -> frozenset[str]:
        """Every source reachable from ``node`` by one or more whole-work derivations."""
        found = self._reach.get(node)
        if found is None:
            reached: set[str] = set()
            stack = [link.cited for link in self.whole.get(node, ())]
            while stack:
                other = stack.pop()
                if other not in reached:
                    reached.add(other)
                    stack.extend(link.cited for link in self.whole.get(other, ()))
            found = self._reach[node] = frozenset(reached)
        return found

    def first_hops(self, via: Iterable[str]) -> list[Link]:
        """The known citations of a via, in order (an unknown id is ignored: the seeds
        check reports it)."""
        return [self.links[c] for c in via if c in self.links]


@dataclass(frozen=True)
class Origin:
    """A root a passage rests on, the path of sources that leads there, and whether any
    link on that path was inferred by the curator."""

    root: str
    path: tuple[str, ...]  # source ids from the passage's source to the root
    inferred: bool = False


def walk(graph: CitationGraph, source: str, first: Link | None) -> list[Origin]:
    """The origins reached from a passage in ``source`` through the citation ``first``
    (None: from the source itself), each with the first path found to it.

    Sources that derive from each other in a cycle (two versions of one document) are one
    origin, named by the smallest id among them; a cycle is never followed twice.
    """
    stack: list[tuple[str, Pages, tuple[str, ...], bool]]  # (node, pages reached, path, inferred on the way)
    if first is None:
        stack = [(source, (), (source,), False)]
    else:
        stack = [(first.cited, page_ranges(first.pages), (source, first.cited), first.inferred)]
    found: dict[str, Origin] = {}
    seen: set[tuple[str, Pages]] = set()
    while stack:
        node, pages, path, inferred = stack.pop()
        if (node, pages) in seen:
            continue
        seen.add((node, pages))
        onward = graph.onward(node, pages)
        reachable = {link.cited for link in onward}.union(*(graph.reach(link.cited) for link in onward))
        if all(node in graph.reach(other) for other in reachable):
            # nothing reachable leads anywhere else: a root, or a cycle of versions named by its smallest id
            root = min(reachable | {node})
            found.setdefault(root, Origin(root, path, inferred))
            continue
        for link in sorted(onward, key=lambda link: (link.cited, link.id), reverse=True):
            if link.cited in path:
                continue
            stack.append((link.cited, page_ranges(link.pages), path + (link.cited,), inferred or link.inferred))
    return list(found.values())


def find_origins(source: str, via: Iterable[str], graph: CitationGraph) -> list[Origin]:
    """The origins of a passage in ``source`` resting on the ``via`` citation ids, by root."""
    firsts: list[Link | None] = list(graph.first_hops(via)) or [None]
    return merge_walks(walk(graph, source, first) for first in firsts)


def merge_walks(walks: Iterable[Iterable[Origin]]) -> list[Origin]:
    """Origins of several walks: each root once, with the first walk's path to it, by root."""
    found: dict[str, Origin] = {}
    for origins in walks:
        for origin in origins:
            found.setdefault(origin.root, origin)
    return sorted(found.values(), key=lambda o: o.root)


def independent_groups(items: Mapping[str, set[str] | frozenset[str] | tuple[str, ...]]) -> list[list[str]]:
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


def unreferenced_joined(items: Mapping[str, tuple[str, tuple[str, ...]]]) -> dict[str, tuple[str, ...]]:
    """Item id -> the roots to group it by, where a source does not corroborate itself.

    ``items`` maps an item id to (its source, its roots). A passage that is its own origin
    (it cites nothing) is an assertion of its author: when the same source gives the same
    claim elsewhere with a footnote, the unreferenced passage is not a line of its own but
    joins the first such passage's line. Passages of one source resting on different
    documents stay independent.
    """
    referenced: dict[str, tuple[str, ...]] = {}
    for source, roots in items.values():
        if roots != (source,):
            referenced.setdefault(source, roots)
    return {
        item: referenced[source] if roots == (source,) and source in referenced else roots
        for item, (source, roots) in items.items()
    }
