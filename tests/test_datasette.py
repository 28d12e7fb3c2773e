"""The published site, through Datasette's own test client, configured as provenance serve does."""

import pytest
from markupsafe import escape

from provenance.publish import site_metadata
from provenance.tables import ALL_TABLES as TABLES


@pytest.mark.asyncio
async def test_claims_json(ds):
    response = await ds.client.get("/provenance/claims.json?_shape=array")
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()]
    assert ids == ["division-moved-to-andong", "first-combat-1950-11-01", "pilots-in-chinese-uniform"]


@pytest.mark.asyncio
async def test_database_is_immutable_and_read_only(ds):
    data = (await ds.client.get("/-/databases.json")).json()
    databases = data["databases"] if isinstance(data, dict) else data  # Datasette 1.0 wraps the list
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("provenance", False)]
    response = await ds.client.get("/provenance.json?sql=delete+from+claims", follow_redirects=True)
    assert response.status_code in (400, 403)
    count = await ds.client.get("/provenance/claims.json?_shape=array")
    assert len(count.json()) == 3


@pytest.mark.asyncio
async def test_settings(ds):
    settings = (await ds.client.get("/-/settings.json")).json()
    assert settings["sql_time_limit_ms"] == 2000
    assert settings["suggest_facets"] is False


def test_every_table_and_column_is_described():
    tables = site_metadata("provenance")["databases"]["provenance"]["tables"]
    for name, table in TABLES.items():
        assert tables[name]["description"]
        assert set(tables[name]["columns"]) == {c.name for c in table.columns}, name
        assert all(tables[name]["columns"].values()), name


@pytest.mark.asyncio
@pytest.mark.parametrize("name", sorted(TABLES))
async def test_table_pages_show_their_description(ds, name):
    response = await ds.client.get(f"/provenance/{name}")
    assert response.status_code == 200
    assert escape(TABLES[name].description) in response.text


@pytest.mark.asyncio
async def test_home_page_has_title_and_tables(ds):
    response = await ds.client.get("/")
    assert response.status_code == 200
    assert "<title>provenance: claims, evidence and where it comes from</title>" in response.text
    assert "Soviet air force" in response.text  # the site description
    page = (await ds.client.get("/provenance")).text
    for table in ("claims", "evidence", "sources", "citations", "entities"):
        assert f'href="/provenance/{table}"' in page


@pytest.mark.asyncio
async def test_row_page_of_a_claim(ds):
    response = await ds.client.get("/provenance/claims/first-combat-1950-11-01")
    assert response.status_code == 200
    assert "The air division first fought on 1 November 1950." in response.text
    missing = await ds.client.get("/provenance/claims/no-such-claim")
    assert missing.status_code == 404


@pytest.mark.asyncio
async def test_search_across_quotes(ds):
    response = await ds.client.get("/provenance/evidence.json?_search=uniforms&_shape=array")
    assert [row["source_id"] for row in response.json()] == ["memo"]


@pytest.mark.asyncio
async def test_plugins_are_loaded_and_robots_blocked(ds):
    plugins = (await ds.client.get("/-/plugins.json")).json()
    assert "provenance" in {p["name"] for p in plugins}
    robots = await ds.client.get("/robots.txt")
    assert robots.text == "User-agent: *\nDisallow: /\n"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "query, params, expected",
    [
        ("contradictions_for_entity", "entity=air-division", 1),
        ("contradictions_for_entity", "entity=the+air+division", 1),  # by name, any case
        ("claims_resting_on_one_origin", "", 0),
        ("claims_by_source", "source=memo", 3),
        ("claims_by_source", "source=review", 1),
        ("claim_chain", "claim=first-combat-1950-11-01", 2),
        # injection strings are bound as values: they match nothing and leak nothing
        ("claims_by_source", "source=memo'+or+1=1+--", 0),
        ("contradictions_for_entity", "entity=x'+union+select+name,sql,1+from+sqlite_master+--", 0),
        ("claim_chain", "claim=%22%3B+drop+table+claims%3B+--", 0),
    ],
)
async def test_canned_queries(ds, query, params, expected):
    response = await ds.client.get(f"/provenance/{query}.json?_shape=array&{params}")
    assert response.status_code == 200, response.text
    assert len(response.json()) == expected
