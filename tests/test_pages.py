"""The provenance pages, through Datasette's test client: every route, 404s, highlights, escaping."""

import re
from html.parser import HTMLParser

import pytest
import pytest_asyncio
from markupsafe import Markup

from provenance import build_database
from provenance.pages import chain_svg, highlight_text, safe_url

from .conftest import HERE, serve_database


@pytest_asyncio.fixture(scope="session")
async def hostile(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "provenance.db"
    build_database(HERE / "hostile", path)
    return await serve_database(path)


ROUTES = [
    "/",
    "/claim/first-combat-1950-11-01",
    "/claim/first-combat-1950-11-01.json",
    "/source/memo",
    "/source/memo.json",
    "/source/commander-report",
    "/entity/andong",
    "/entity/andong.json",
    "/contradictions",
    "/contradictions.json",
    "/contradictions?kind=stance-conflict",
    "/contradictions?entity=Dandong",
    "/search?q=uniforms",
    "/search.json?q=uniforms",
    "/search?q=",
    '/search?q="unbalanced AND (',
    "/robots.txt",
    "/provenance/claims",
    "/provenance/claim_status.json?_shape=array",
    "/provenance/contradictions",
    "/provenance/chain_links",
]


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ROUTES)
async def test_every_route_answers(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, path


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    ["/claim/no-such-claim", "/claim/no-such-claim.json", "/source/nope", "/entity/nope", "/claim/UPPER", "/claim/x%3Cscript%3E"],
)
async def test_unknown_ids_are_a_clean_404(ds, path):
    # Datasette first redirects a path with unsafe characters to its tilde-encoded form
    response = await ds.client.get(path, follow_redirects=True)
    assert response.status_code == 404
    assert live_markup(response.text) == []


@pytest.mark.asyncio
async def test_claim_page(ds):
    html = (await ds.client.get("/claim/first-combat-1950-11-01")).text
    assert '<span class="status status-contested">contested</span>' in html
    assert "1 independent origin supports it: Report of the commander (1950) (Central Office, 3 November 1950, n. 12)" in html
    # the lines on each side with their weights, and the claim's one disagreement
    assert '<span class="weight weight-unjudged">unjudged</span>' in html
    assert '<span class="weight weight-credible">credible</span>' in html
    assert "stance-conflict</a>" in html
    assert re.search(r'href="/source/memo\?ev=(ev-[0-9a-f]+)#ev-\1"', html)  # a link to the passage in its source
    assert "<svg" in html and 'class="chain"' in html
    assert 'data-node="source:commander-report"' in html
    assert "n. 12, citing Report of the Commander" in html  # cite this
    assert "@techreport{memo," in html


@pytest.mark.asyncio
async def test_claim_json(ds):
    data = (await ds.client.get("/claim/first-combat-1950-11-01.json")).json()
    assert data["claim"]["id"] == "first-combat-1950-11-01"
    assert data["status"]["status"] == "contested"
    assert [p["source_id"] for p in data["by_stance"]["conflicts"]] == ["review"]


@pytest.mark.asyncio
async def test_source_page_highlights_each_passage(ds):
    html = (await ds.client.get("/source/memo")).text
    marks = re.findall(r'<mark class="passage (\w+)" data-evidence="([^"]+)" id="ev-', html)
    assert len(marks) == 3
    assert "This work is only cited" in (await ds.client.get("/source/commander-report")).text


@pytest.mark.asyncio
async def test_entity_page_lists_aliases_and_claims(ds):
    html = (await ds.client.get("/entity/andong")).text
    assert "Anton" in html and "Dandong" in html
    assert 'href="/claim/division-moved-to-andong"' in html


@pytest.mark.asyncio
async def test_search_finds_claims_quotes_and_texts(ds):
    html = (await ds.client.get("/search?q=Andong")).text
    assert 'href="/claim/division-moved-to-andong"' in html
    assert "<mark>Andong</mark>" in html


@pytest.mark.asyncio
async def test_security_headers(ds):
    response = await ds.client.get("/claim/first-combat-1950-11-01")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in response.headers["content-security-policy"]


HOSTILE_ROUTES = [
    "/",
    "/claim/evil-claim",
    "/claim/evil-claim-2",
    "/source/evil",
    "/source/cited-work",
    "/entity/villain",
    "/contradictions",
    "/search?q=villain",
    "/search?q=alert",
    "/provenance/sources/evil",
    "/provenance/claims",
]


@pytest.mark.asyncio
@pytest.mark.parametrize("path", HOSTILE_ROUTES)
async def test_hostile_text_is_escaped(hostile, path):
    response = await hostile.client.get(path)
    assert response.status_code == 200
    assert live_markup(response.text) == []


class _Markup(HTMLParser):
    """Collects what a browser would act on: scripts, event handlers, javascript: links, frames."""

    def __init__(self):
        super().__init__()
        self.found, self.in_script = [], False

    def handle_starttag(self, tag, attrs):
        self.in_script = tag == "script"
        if tag in ("iframe", "object", "embed", "base"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") and "alert" in (value or ""):  # the payloads' marker; Datasette has handlers of its own
                self.found.append(f"{tag} {name}={value}")
            if (
                name in ("href", "src", "action", "formaction")
                and value
                and value.strip().lower().startswith(("javascript:", "data:"))
            ):
                self.found.append(f"{tag} {name}={value}")

    def handle_data(self, data):
        if self.in_script and "alert" in data:
            self.found.append(f"script: {data[:40]}")

    def handle_endtag(self, tag):
        self.in_script = False


def live_markup(html: str) -> list[str]:
    parser = _Markup()
    parser.feed(html)
    return parser.found


def test_live_markup_detector_catches_payloads():
    assert live_markup("<p>&lt;script&gt;alert(1)&lt;/script&gt; onerror=alert</p>") == []
    assert len(live_markup('<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:x">')) == 3


@pytest.mark.parametrize(
    "url, safe",
    [
        ("https://example.org/x", "https://example.org/x"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("//evil.example", None),
        ("/relative", None),
        (None, None),
    ],
)
def test_safe_url(url, safe):
    assert safe_url(url) == safe


def test_highlight_overlapping_passages():
    text = "one two three four five"
    anchors = [
        {"id": "a", "claim_id": "c1", "stance": "supports", "anchor_start": 4, "anchor_end": 13, "statement": "s1"},
        {"id": "b", "claim_id": "c2", "stance": "conflicts", "anchor_start": 8, "anchor_end": 18, "statement": "<s2>"},
    ]
    html = str(highlight_text(text, anchors))
    assert html.count("<mark") == 3  # "two ", "three" (both), " four"
    assert 'id="ev-a"' in html and 'id="ev-b"' in html
    assert "&lt;s2&gt;" in html and "<s2>" not in html
    assert re.sub(r"<[^>]+>", "", html) == text


def test_chain_svg_escapes_labels():
    class Hop:
        depth, from_id, citation_id, relation, to_id, to_title, footnote, pages, inferred, to_read, to_origin = (
            1,
            "src",
            "n1",
            "cites",
            "tel",
            "<script>t</script>",
            3,
            None,
            False,
            False,
            "primary",
        )

    class Item:
        evidence_id, stance, source_id, quote, hops = "e1", "supports", "src", '"><script>q</script>', [Hop()]

    svg = chain_svg({"id": "c", "statement": "<b>claim</b>"}, [Item()])
    assert isinstance(svg, Markup)
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;b&gt;claim" in svg


@pytest.mark.asyncio
async def test_contradictions_page_is_paged(ds, monkeypatch):
    import provenance.pages as pages

    monkeypatch.setattr(pages, "PAGE_SIZE", 1)
    html = (await ds.client.get("/contradictions?page=1")).text
    assert "page 1 of 1" not in html  # one contradiction, one page: no pager
    data = (await ds.client.get("/contradictions.json?page=9")).json()
    assert (data["page"], data["pages"], data["total"]) == (1, 1, 1)
    assert (await ds.client.get("/contradictions?page=x")).status_code == 200


@pytest_asyncio.fixture(scope="module")
async def bundled(bundled_db):
    return await serve_database(bundled_db)


@pytest.mark.asyncio(loop_scope="session")
async def test_the_canonical_claim_page_names_its_one_origin_and_how_each_passage_reaches_it(bundled):
    html = (await bundled.client.get("/claim/soviet-air-force-first-combat-1950-11-01")).text
    assert "Zakharov&#39;s report to Stalin (Zhang 2020, n. 143; Shen 2020, by an inferred link)" in html
    assert "<h3>Supporting (1)</h3>" in html
    # Zhang's note cites the report; Shen's passages reach it through a link the curator inferred
    assert "some passages through a link the curator inferred" in html
    html = (await bundled.client.get("/claim/air-cover-authorised-12-days-after-cpv-entry")).text
    assert "counted from:" in html and 'href="/claim/cpv-entered-korea-1950-10-19"' in html
    assert "contradicts air-cover-authorised-1950-10-29" not in html  # no claim is said to contradict itself
