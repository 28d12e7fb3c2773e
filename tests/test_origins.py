"""The origin rule as tables: what a passage rests on, footnote by footnote, and which
passages are one line of evidence (DESIGN.md, "Origin")."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.analysis import CitationGraph, Link, Origin, find_origins, independent_groups
from provenance.analysis.origins import locator_pages, page_ranges, unreferenced_joined

# A small corpus of citations, each line a case the rule must get right.
LINKS = [
    Link("thesis-n143", "thesis", "telegram", footnote=143),
    Link("chapter-inferred", "chapter", "telegram", inferred=True),
    Link("thesis-n12", "thesis", "book", footnote=12),
    # the Shen case: one note of the chapter quotes an article; the chapter's other passages do not rest on it
    Link("chapter-n4a", "chapter", "mansourov", footnote=4),
    Link("chapter-n4b", "chapter", "shen-1996", "quotes", footnote=4),
    # a blog that retells a whole article, which translates a Russian one: whole-work derivations
    Link("blog-sum", "blog", "article", "summarises"),
    Link("article-tr", "article", "russian-article", "translates"),
    # two versions of one document
    Link("a-b", "loop-a", "loop-b", "version-of"),
    Link("b-a", "loop-b", "loop-a", "version-of"),
    # a collection translates documents at its pages: a citation of the collection reaches
    # the document printed at the pages it cites, and no other
    Link("coll-zakharov", "collection", "zakharov", "translates", locator="pp. 613–614"),
    Link("coll-telegram", "collection", "telegram-600", "translates", locator="p. 600"),
    Link("thesis-n90", "thesis", "collection", footnote=90, pages="600"),
    Link("thesis-n91", "thesis", "collection", footnote=91),
    # a derivation at a place that names no page is reached only from a via that names it
    Link("blog-quotes", "blog2", "article", "quotes", locator="paragraphs 4-6 and 8"),
    # an inferred whole-work derivation marks every origin reached through it
    Link("memoir-inferred", "memoir", "diary", "version-of", inferred=True),
]
GRAPH = CitationGraph(LINKS)


@pytest.mark.parametrize(
    "source, via, roots",
    [
        ("thesis", ["thesis-n143"], ["telegram"]),  # a footnote leads to the cited work
        ("chapter", ["chapter-inferred"], ["telegram"]),  # an inferred link counts the same
        ("thesis", ["thesis-n143", "thesis-n12"], ["book", "telegram"]),  # two notes, two roots
        ("memo", [], ["memo"]),  # no via: the source is its own origin
        ("blog", [], ["russian-article"]),  # ... or what it derives from as a whole, transitively
        ("loop-a", [], ["loop-a"]),  # a cycle of versions is one origin, cut, not followed forever
        ("loop-b", [], ["loop-a"]),  # ... named the same from either side
        ("thesis", ["no-such-note"], ["thesis"]),  # an unknown note is ignored
        # the Shen case, from both sides
        ("chapter", [], ["chapter"]),  # the abstract: note 4's quotation does not leak to it
        ("chapter", ["chapter-n4b"], ["shen-1996"]),  # a passage citing note 4 rests on the quoted article
        ("chapter", ["chapter-n4a", "chapter-n4b"], ["mansourov", "shen-1996"]),
        ("chapter", ["chapter-n4a"], ["mansourov"]),  # the via says what the passage rests on
        # collections at their pages
        ("thesis", ["thesis-n90"], ["telegram-600"]),  # p. 600 reaches the telegram printed there
        ("thesis", ["thesis-n91"], ["collection"]),  # no page: the collection itself, not all it prints
        ("collection", [], ["collection"]),  # and the collection's own passages rest on nothing it translates
        ("blog2", [], ["blog2"]),  # a derivation at "paragraphs 4-6" is not the whole work
        ("blog2", ["blog-quotes"], ["russian-article"]),  # ... but a passage citing it follows it
    ],
)
def test_origins(source, via, roots):
    assert [o.root for o in find_origins(source, via, GRAPH)] == roots


@pytest.mark.parametrize(
    "source, via, inferred",
    [
        ("chapter", ["chapter-inferred"], True),  # the passage's own link is inferred
        ("memoir", [], True),  # a whole-work link on the way is inferred
        ("thesis", ["thesis-n143"], False),
        ("blog", [], False),
    ],
)
def test_an_origin_reached_through_an_inferred_link_is_marked(source, via, inferred):
    assert {o.inferred for o in find_origins(source, via, GRAPH)} == {inferred}


def test_origin_path_names_every_hop():
    [origin] = find_origins("blog", [], GRAPH)
    assert origin == Origin("russian-article", ("blog", "article", "russian-article"), False)


@pytest.mark.parametrize(
    "via, path",
    [
        (["essay-blog", "essay-article"], ("essay", "blog", "article", "russian-article")),
        (["essay-article", "essay-blog"], ("essay", "article", "russian-article")),
    ],
)
def test_a_root_reached_through_two_notes_keeps_the_path_of_the_first(via, path):
    graph = CitationGraph(
        [*LINKS, Link("essay-blog", "essay", "blog", footnote=1), Link("essay-article", "essay", "article", footnote=2)]
    )
    assert find_origins("essay", via, graph) == [Origin("russian-article", path)]


@pytest.mark.parametrize(
    "text, ranges",
    [
        ("613–614", ((613, 614),)),
        ("pp. 237–42", ((237, 242),)),  # an abbreviated end
        ("9", ((9, 9),)),
        ("9, 12-13", ((9, 9), (12, 13))),
        ("", ()),
        (None, ()),
    ],
)
def test_page_ranges(text, ranges):
    assert page_ranges(text) == ranges


@pytest.mark.parametrize(
    "locator, pages",
    [
        ("pp. 613–614", ((613, 614),)),
        ("p. 600", ((600, 600),)),
        ("540", ((540, 540),)),
        ("paragraphs 4-6 and 8", ()),  # a place, but not a page
        ("whole post", ()),
        ("chapter 3", ()),
    ],
)
def test_only_a_locator_of_pages_is_a_page(locator, pages):
    assert locator_pages(locator) == pages


@pytest.mark.parametrize(
    "items, groups",
    [
        ({"thesis": {"telegram"}, "chapter": {"telegram"}}, [["chapter", "thesis"]]),  # shared root: one line
        ({"thesis": {"telegram"}, "memo": {"memo"}}, [["memo"], ["thesis"]]),  # independent
        ({"a": {"x"}, "b": {"x", "y"}, "c": {"y"}}, [["a", "b", "c"]]),  # joined through b
        ({}, []),
    ],
)
def test_independent_groups(items, groups):
    assert independent_groups(items) == groups


@given(st.dictionaries(st.sampled_from("abcdefgh"), st.sets(st.sampled_from("pqrstuvw"), max_size=3), max_size=8))
def test_independent_groups_are_the_connected_items(items):
    # the groups, found the slow way: merge any two that share a root until none do
    groups = [({item}, set(roots)) for item, roots in items.items()]
    merged = True
    while merged:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if groups[i][1] & groups[j][1]:
                    groups[i] = (groups[i][0] | groups[j][0], groups[i][1] | groups[j][1])
                    del groups[j]
                    merged = True
                    break
            if merged:
                break
    assert independent_groups(items) == sorted((sorted(g) for g, _ in groups), key=lambda g: g[0])


@pytest.mark.parametrize(
    "items, joined",
    [
        # Zhang's unreferenced sentence joins Zhang's footnoted one: a source does not corroborate itself
        ({"z1": ("zhang", ("zhou-1960",)), "z2": ("zhang", ("zhang",))}, {"z1": ("zhou-1960",), "z2": ("zhou-1960",)}),
        # two footnoted passages of one source resting on different documents stay apart
        ({"z1": ("zhang", ("zhou-1960",)), "z2": ("zhang", ("vasilevsky",))}, {"z1": ("zhou-1960",), "z2": ("vasilevsky",)}),
        # an unreferenced passage of another source stays its own origin
        ({"z1": ("zhang", ("zhou-1960",)), "s1": ("shen", ("shen",))}, {"z1": ("zhou-1960",), "s1": ("shen",)}),
        # two unreferenced passages of one source are one origin already
        ({"s1": ("shen", ("shen",)), "s2": ("shen", ("shen",))}, {"s1": ("shen",), "s2": ("shen",)}),
    ],
)
def test_an_unreferenced_passage_joins_its_own_source_footnoted_line(items, joined):
    assert unreferenced_joined(items) == joined
    assert len(independent_groups(joined)) <= len(independent_groups({k: v[1] for k, v in items.items()}))
