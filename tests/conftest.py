import shutil
import sqlite3
from pathlib import Path

import pytest
import pytest_asyncio

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
ROOT = HERE.parent


def pytest_report_header(config):
    from importlib.metadata import version

    names = ["datasette", "sqlite-utils", "pydantic", "edtf", "rapidfuzz", "PyYAML"]
    return "versions: " + ", ".join(f"{n} {version(n)}" for n in names) + f", SQLite {sqlite3.sqlite_version}"


@pytest.fixture
def seeds(tmp_path) -> Path:
    """A writable copy of the tiny test corpus."""
    target = tmp_path / "seeds"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory) -> Path:
    """The test corpus, built once with the real build function."""
    from provenance import build_database

    path = tmp_path_factory.mktemp("db") / "provenance.db"
    build_database(CORPUS, path)
    return path


@pytest.fixture(scope="session")
def bundled_db(tmp_path_factory) -> Path:
    """The bundled Korean War corpus (seeds/), built once for the session. Read-only."""
    from provenance import build_database

    path = tmp_path_factory.mktemp("bundled") / "provenance.db"
    build_database(ROOT / "seeds", path)
    return path


async def serve_database(path: Path):
    """A Datasette configured as `provenance serve` configures it, started, for the test client."""
    from datasette.app import Datasette

    from provenance.publish import datasette_kwargs

    datasette = Datasette([], immutables=[str(path)], **datasette_kwargs("provenance"))
    await datasette.invoke_startup()
    return datasette


@pytest_asyncio.fixture(scope="session")
async def ds(corpus_db):
    """The test corpus, published."""
    return await serve_database(corpus_db)


def table_rows(path: Path, skip=("build_info",)) -> dict[str, list[tuple]]:
    """Every row of every table, for comparing two databases."""
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table' order by name")]
        return {n: sorted(conn.execute(f"select * from [{n}]").fetchall(), key=repr) for n in names if n not in skip}
    finally:
        conn.close()
