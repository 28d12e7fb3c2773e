"""Serving at scale and safely, through Datasette's test client: caching headers and 304s, a
content security policy on every response, bad table requests as 400s, bounded SQL, source
texts shown a page of passages at a time, invisible characters shown, the ASGI factory."""

import re
import sqlite3
import time
from urllib.parse import urlencode

import httpx
import jinja2
import pytest
import pytest_asyncio

from provenance import build_database, pages, sqllimits, web

from .conftest import CORPUS, HERE, serve_database

CLAIM = "/claim/first-combat-1950-11-01"


@pytest_asyncio.fixture(scope="session")
async def hostile_site(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile-site") / "provenance.db"
    build_database(HERE / "hostile", path)
    return await serve_database(path)


def _inline_scripts(html: str) -> list[str]:
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S)
    return scripts + re.findall(r'\son[a-z]+="([^"]*)"', html)


# -- caching -------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_pages_carry_the_builds_etag_and_a_repeat_is_a_304(ds):
    response = await ds.client.get(CLAIM)
    etag = response.headers["etag"]
    assert etag.startswith('W/"') and response.headers["cache-control"] == "public, max-age=60"
    again = await ds.client.get(CLAIM, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["cache-control"] == "public, max-age=60"
    # every page of the build has the same tag, Datasette's own included
    assert (await ds.client.get("/provenance/claims")).headers["etag"] == etag
    assert (await ds.client.get("/source/memo", headers={"if-none-match": f'W/"x", {etag}'})).status_code == 304
    assert (await ds.client.get(CLAIM, headers={"if-none-match": 'W/"another-build"'})).status_code == 200


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/claim/no-such-claim", "/-/versions.json", "/-/settings.json"])
async def test_no_etag_on_errors_and_introspection(ds, path):
    response = await ds.client.get(path)
    assert "etag" not in response.headers
    assert response.headers.get("cache-control") != web.CACHE_CONTROL


def test_the_etag_follows_the_build(tmp_path, seeds):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    build_database(CORPUS, first)
    claims = seeds / "claims" / "combat.yaml"
    claims.write_text(claims.read_text().replace("first fought on 1 November", "first fought on 1st November"))
    build_database(seeds, second)
    assert web.database_identity(first) == web.database_identity(first)
    assert web.database_identity(first) != web.database_identity(second)
    code = ["0.1.0", "0.65.5", "abc"]
    assert web.site_etag([web.database_identity(first)], code) != web.site_etag([web.database_identity(second)], code)
    assert web.site_etag([web.database_identity(first)], code) != web.site_etag(
        [web.database_identity(first)], [*code[:2], "abd"]
    )


@pytest.mark.parametrize(
    "header, matches",
    [(None, False), ("", False), ('W/"abc"', True), ('"abc"', True), ('W/"x", W/"abc"', True), ("*", True), ('W/"abcd"', False)],
)
def test_etag_matching(header, matches):
    assert web.etag_matches(header, 'W/"abc"') is matches


def test_cacheable_requests():
    assert web.is_cacheable_request("GET", "/claim/x", {})
    assert web.is_cacheable_request("HEAD", "/-/static/app.css", {})
    assert not web.is_cacheable_request("POST", "/claim/x", {})
    assert not web.is_cacheable_request("GET", "/-/actor.json", {})
    assert not web.is_cacheable_request("GET", "/", {"cookie": "ds_actor=abc"})
    assert not web.is_cacheable_request("GET", "/", {"authorization": "Bearer x"})


# -- the content security policy ------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    ["/no-such-page", "/claim/no-such-claim", "/provenance/claims", "/provenance/claims/first-combat-1950-11-01", "/provenance",
     "/provenance?sql=select+1", "/provenance/claims_by_source?source=memo", "/", CLAIM, "/source/memo", "/contradictions",
     "/provenance/claims?_sort=nope", "/provenance/claims.json", "/robots.txt"],
)  # fmt: skip
async def test_every_response_has_a_policy_allowing_exactly_its_inline_scripts(ds, path):
    response = await ds.client.get(path, follow_redirects=True)
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    sources = directives["script-src"].split()
    assert sources[0] == "'self'" and "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
    hashes = {s for s in sources if s.startswith("'sha256-")}
    assert hashes == {web.script_hash(s) for s in _inline_scripts(response.text)}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_only_scripts_written_in_templates_are_hashed():
    env = jinja2.Environment(autoescape=True, extensions=[web.InlineScriptHashes])
    template = env.from_string(
        '<script>var data = {{ data|tojson }};</script><p>{{ text }}</p><script src="/app.js"></script>'
        '<button onclick="go()">go</button><script type="module">{% if a > 1 %}run();{% endif %}</script>'
    )
    with web.collect_script_hashes() as hashes:
        html = template.render(data={"k": "</script><script>alert(1)</script>"}, text="<script>alert(2)</script>", a=2)
    assert "<script>alert" not in html  # the data is escaped where it is rendered
    assert hashes == [web.script_hash('var data = {"k": "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"};'),
                      "'unsafe-hashes'", web.script_hash("go()"), web.script_hash("run();")]  # fmt: skip
    policy = web.content_security_policy(hashes)
    assert "script-src 'self' 'sha256-" in policy and policy.count("'unsafe-hashes'") == 1
    with web.collect_script_hashes() as outside:
        pass
    assert outside == []


# -- bad requests are 400s ------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    "query",
    ["_sort=nope", "_sort_desc=nope", "_sort=id&_sort_desc=id", "_where=nope(", "_where=no_such_column%3D1", "_where=1%3Bselect+1",
     "_where=length(randomblob(2000000000))", "id__in=%5B1"],
)  # fmt: skip
async def test_bad_sort_where_and_filters_are_400_not_500(ds, query):
    for suffix in ("", ".json"):
        response = await ds.client.get(f"/provenance/claims{suffix}?{query}")
        assert response.status_code == 400, (suffix, query, response.text[:300])
    assert response.json()["error"]  # says what was wrong


@pytest.mark.asyncio
async def test_other_errors_stay_what_they_are(ds):
    assert (await ds.client.get("/provenance/no_such_table")).status_code == 404
    assert (await ds.client.get("/provenance/claims?_where=1%3D1")).status_code == 200


# -- bounded SQL ----------------------------------------------------------------------------

HUGE = [
    "select length(randomblob(900000000))",
    "select length(zeroblob(900000000))",
    "select printf('%.*c', 900000000, 'x')",
    "select format('%900000000d', 1)",
    "select length(replace(hex(randomblob(4000000)), '0', hex(randomblob(100))))",
    "select length(randomblob(4000000) || randomblob(4000000) || randomblob(4000000))",
    "with recursive r(n) as (select 1 union all select n + 1 from r where n < 100) select length(group_concat(hex(randomblob(100000)))) from r",
]


@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the refusals, reported by Datasette's setting
@pytest.mark.parametrize("sql", HUGE)
async def test_a_huge_value_is_refused_at_once(ds, sql):
    started = time.perf_counter()
    response = await ds.client.get("/provenance.json?" + urlencode({"sql": sql}), follow_redirects=True)
    assert time.perf_counter() - started < 1.5
    assert response.status_code == 400
    assert "string or blob too big" in response.text


@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_the_time_limit_stops_a_query_of_many_big_values(ds):
    sql = "with recursive r(n) as (select 1 union all select n + 1 from r) select count(length(randomblob(1000000))) from r"
    started = time.perf_counter()
    response = await ds.client.get("/provenance.json?" + urlencode({"sql": sql, "_timelimit": 300}), follow_redirects=True)
    assert time.perf_counter() - started < 2
    assert response.status_code == 400
    assert "interrupted" in response.text.lower() or "time limit" in response.text.lower()


@pytest.mark.asyncio
async def test_ordinary_sql_still_works(ds):
    sql = "select printf('%d claims, %5.1f%%', count(*), 12.34) as p, length(randomblob(16)) as r, hex(zeroblob(2)) as z from claims"
    response = await ds.client.get("/provenance.json?" + urlencode({"sql": sql, "_shape": "array"}), follow_redirects=True)
    assert response.json() == [{"p": "3 claims,  12.3%", "r": 16, "z": "0000"}]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_sql_limits_on_a_plain_connection():
    conn = sqlite3.connect(":memory:")
    sqllimits.bound_connection(conn, sqllimits.length_limit(100))
    assert conn.execute("select length(randomblob(0)), length(randomblob(10)), length(zeroblob(-1))").fetchone() == (1, 10, 0)
    assert conn.execute("select length(randomblob(?))", [sqllimits.MAX_BLOB_BYTES]).fetchone() == (sqllimits.MAX_BLOB_BYTES,)
    for sql in ("select randomblob(?)", "select zeroblob(?)", "select printf('%.*c', ?, 'x')"):
        with pytest.raises(sqlite3.DataError, match="string or blob too big"):
            conn.execute(sql, [sqllimits.MAX_BLOB_BYTES + 1]).fetchone()
    # the length limit holds the longest stored text, in UTF-8, with room to spare
    assert sqllimits.length_limit(None) == sqllimits.MIN_LENGTH_LIMIT
    assert sqllimits.length_limit(10_000_000) > 40_000_000
    conn.execute("create table t (x)")
    conn.execute("insert into t values (?)", ["\u4e00" * 2_000_000])  # 6 MB of UTF-8
    assert conn.execute("select length(x) from t").fetchone() == (2_000_000,)


# -- source texts a page of passages at a time ------------------------------------------------


def _anchors(*spans):
    return [
        {
            "id": f"e{i}",
            "claim_id": f"c{i}",
            "stance": "supports",
            "anchor_start": start,
            "anchor_end": end,
            "statement": f"claim {i}",
        }
        for i, (start, end) in enumerate(spans)
    ]


def test_windows_show_passages_in_order_with_gaps(monkeypatch):
    monkeypatch.setattr(pages, "WINDOW_CONTEXT", 10)
    monkeypatch.setattr(pages, "PASSAGES_PER_PAGE", 2)
    text = " ".join(f"w{i:03d}" for i in range(400))  # 1999 characters
    text_of = _anchors((100, 120), (110, 130), (1000, 1020), (1900, 1910))
    highlighted = pages.highlighted_text(text, text_of)
    statements = lambda ids: {i: f"statement of {i}" for i in ids}  # noqa: E731
    first = highlighted.windows(statements)
    assert (first["page"], first["pages"], first["first"], first["last"]) == (1, 2, 1, 2)
    assert len(first["windows"]) == 1 and first["gap_before"] and first["gap_after"]  # two passages that overlap: one window
    html = str(first["windows"][0]["html"])
    assert 'id="ev-e0"' in html and 'id="ev-e1"' in html and "ev-e2" not in html
    assert "statement of c0" in html and len(re.sub(r"<[^>]+>", "", html)) < 80
    second = highlighted.windows(statements, around="e3")  # the page holding a passage
    assert second["page"] == 2 and [w["start"] < w["end"] for w in second["windows"]] == [True, True]
    assert 'id="ev-e2"' in str(second["windows"][0]["html"]) and 'id="ev-e3"' in str(second["windows"][1]["html"])
    assert highlighted.windows(statements, page=99)["page"] == 2
    # the whole text, highlighted, gives the text back without its tags
    full = highlighted.html(statements(highlighted.claims_shown()))
    assert re.sub(r"<[^>]+>", "", str(full)) == text


def test_passages_starting_together_each_have_an_anchor():
    html = str(pages.highlight_text("one two three", _anchors((4, 7), (4, 13), (4, 7))))
    for i in range(3):
        assert f'id="ev-e{i}"' in html
    assert html.count("<mark") == 2  # "two", " three"


def test_a_text_quoted_thousands_of_times_is_highlighted_quickly():
    text = "word " * 20_000
    spans = [((i * 37) % 99_000, (i * 37) % 99_000 + 400) for i in range(5000)]
    started = time.perf_counter()
    highlighted = pages.highlighted_text(text, sorted(_anchors(*spans), key=lambda a: (a["anchor_start"], a["id"])))
    assert time.perf_counter() - started < 2  # it took minutes when every piece scanned every passage
    page = highlighted.windows(lambda ids: {})
    assert len(str(page["windows"][0]["html"])) < 200_000  # a page stays small however dense the quotes
    assert 'title="supports: c' in str(page["windows"][0]["html"]) and "more passages" in str(page["windows"][0]["html"])


@pytest.mark.asyncio
async def test_source_page_windows_anchors_and_full_text(ds, monkeypatch):
    monkeypatch.setattr(pages, "PASSAGES_PER_PAGE", 1)
    first = (await ds.client.get("/source/memo")).text
    assert "passages 1–1 of 3" in first and "page 1 of 3" in first
    anchors = re.findall(r'id="(ev-ev-[0-9a-f]+)"', first)
    assert anchors and 'href="/source/memo?page=2"' in first and 'href="/source/memo?full=1"' in first
    # a claim page's link names the passage: the source page holding it carries its anchor
    claim = (await ds.client.get("/claim/division-moved-to-andong")).text
    link = re.search(r'href="/source/memo\?ev=(ev-[0-9a-f]+)#ev-\1"', claim)
    around = (await ds.client.get(f"/source/memo?ev={link[1]}")).text
    assert f'id="ev-{link[1]}"' in around
    full = (await ds.client.get("/source/memo?full=1")).text
    assert len(re.findall(r'<mark class="passage', full)) >= 3 and "Passages with their context" in full
    data = (await ds.client.get("/source/memo.json?page=2")).json()
    assert data["page"] == 2 and data["highlighted"] == 3 and len(data["passages"]) == 1 and "windows" not in data


# -- invisible and direction-changing characters ---------------------------------------------


def test_visible_controls():
    assert pages.visible_controls("report\u202etxt.exe \u2066x\u2069\u200f") == "report⟨U+202E⟩txt.exe ⟨U+2066⟩x⟨U+2069⟩⟨U+200F⟩"
    assert pages.visible_controls("plain <b>text</b>\n\tand Persian نمی‌خواهم") == "plain <b>text</b>\n\tand Persian نمی‌خواهم"
    assert pages.safe_url("https://example.org/a\u202eb") == "https://example.org/a%E2%80%AEb"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path", ["/source/bidi", "/source/bidi?full=1", "/claim/bidi-claim", "/entity/bidi-sender", "/search?q=report", "/"]
)
async def test_direction_overrides_are_shown_not_obeyed(hostile_site, path):
    html = (await hostile_site.client.get(path)).text
    assert not re.search("[\u202a-\u202e\u2066-\u2069\u200e\u200f]", html)
    assert "⟨U+202E⟩" in html


@pytest.mark.asyncio
async def test_a_link_with_an_override_goes_where_it_says(hostile_site):
    html = (await hostile_site.client.get("/source/bidi")).text
    assert (
        '<a href="https://example.org/report%E2%80%AEtxt.exe" rel="nofollow noopener noreferrer">https://example.org/report⟨U+202E⟩txt.exe</a>'
        in html
    )
    assert "<title>Invoice for report⟨U+202E⟩txt.exe</title>" in html


# -- the application uvicorn's workers run -----------------------------------------------------


@pytest.mark.asyncio
async def test_the_asgi_factory_serves_the_site(corpus_db, monkeypatch):
    import asyncio

    from provenance import asgi

    monkeypatch.setenv("PROVENANCE_DB", str(corpus_db))
    app = asgi.app()
    events: asyncio.Queue = asyncio.Queue()
    sent = []
    await events.put({"type": "lifespan.startup"})

    async def send(message):
        sent.append(message["type"])
        if message["type"] == "lifespan.startup.complete":
            await events.put({"type": "lifespan.shutdown"})

    await app({"type": "lifespan", "asgi": {"version": "3.0"}}, events.get, send)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as client:
        response = await client.get(CLAIM)
    assert response.status_code == 200 and "etag" in response.headers and "contested" in response.text
    command, env = asgi.server_command(corpus_db, "127.0.0.1", 8001, workers=2)
    assert command[-6:] == ["--port", "8001", "--workers", "2", "--timeout-graceful-shutdown", "10"]
    assert env["PROVENANCE_DB"] == str(corpus_db.resolve()) and len(env["DATASETTE_SECRET"]) >= 32
    monkeypatch.setenv("PROVENANCE_DB", str(corpus_db.parent / "missing.db"))
    with pytest.raises(FileNotFoundError, match="PROVENANCE_DB"):
        asgi.app()


@pytest.mark.asyncio
async def test_the_home_page_served_again_keeps_its_policy(ds):
    first, again = [await ds.client.get("/") for _ in range(2)]
    assert first.text == again.text
    assert first.headers["content-security-policy"] == again.headers["content-security-policy"]
    assert "'sha256-" in again.headers["content-security-policy"]
    signed_in = await ds.client.get("/", headers={"cookie": "ds_actor=x"})  # not served from what others were given
    assert signed_in.status_code == 200 and "etag" not in signed_in.headers
