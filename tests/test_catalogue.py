"""Every bad input in the catalogue: reported with file and line, all at once, exit 1, no
traceback, and the previous database left exactly as it was."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance import SeedsInvalid, build_database
from provenance.cli import cli

from .catalogue import CASES, EXPECTED
from .conftest import CORPUS


def apply(seeds: Path, file: str, old, new) -> None:
    if file == "SYMLINK":
        outside = seeds.parent / "outside.txt"
        outside.write_text("secret outside text that should never be read\n")
        (seeds / "texts" / "link.txt").symlink_to(outside)
        path = seeds / "sources/memo.yaml"
        path.write_text(path.read_text().replace("text: texts/memo.txt", "text: texts/link.txt"))
        return
    if file.startswith(("TEXT:", "+")):
        path = seeds / "texts" / file[5:] if file.startswith("TEXT:") else seeds / file[1:]
        (path.write_bytes if isinstance(new, bytes) else path.write_text)(new)
        return
    path = seeds / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """A database built from the good corpus, to check that failed builds leave it alone."""
    path = tmp_path_factory.mktemp("previous") / "provenance.db"
    build_database(CORPUS, path)
    return path


def test_the_catalogue_is_large_enough():
    assert len(CASES) >= 60
    assert set(EXPECTED) == {c[0] for c in CASES}


@pytest.mark.parametrize("case, file, old, new", CASES, ids=[c[0] for c in CASES])
def test_bad_input(tmp_path, previous, case, file, old, new):
    seeds = tmp_path / "seeds"
    shutil.copytree(CORPUS, seeds)
    apply(seeds, file, old, new)

    result = CliRunner().invoke(cli, ["check", str(seeds)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [l.replace(f"{seeds}/", "") for l in result.output.splitlines() if "warning:" not in l]
    assert lines[-1].endswith("found; nothing was built.")
    assert lines[:-1] == EXPECTED[case]

    db = tmp_path / "provenance.db"
    shutil.copy(previous, db)
    before = db.read_bytes()
    with pytest.raises(SeedsInvalid):
        build_database(seeds, db)
    assert db.read_bytes() == before
    assert list(tmp_path.glob(".provenance.db.tmp-*")) == []


ACCEPTED = [
    # (text of the memo, quote): normalisation finds these, offsets point into the stored text
    ("Zhou Enla\u0301i went to Moscow in October 1950.\n", "Zhou Enlái went to Moscow in October 1950."),  # NFD text, NFC quote
    ("Zhou Enlái went to Moscow in October 1950.\n", "Zhou Enla\u0301i went to Moscow in October 1950."),  # NFC text, NFD quote
    ("The air\u200b division flew north in 1950.\n", "The air division flew north in 1950."),  # zero-width space in the text
    ("The air division flew north in 1950.\n", "The air\u200d division\u2060 flew north in 1950."),  # zero-width in the quote
    ("The \u202eair division\u202c flew north in 1950.\n", "The air division flew north in 1950."),  # bidi override
    ("志愿军于一九五〇年十月十九日跨过鸭绿江进入朝鲜作战。\n", "志愿军于一九五〇年十月十九日跨过鸭绿江进入朝鲜作战。"),  # CJK text
    ("ＭｉＧ－１５ fighters flew from Andong that morning.\n", "ＭｉＧ－１５ fighters flew from Andong that morning."),  # full-width
]


@pytest.mark.parametrize("text, quote", ACCEPTED)
def test_unicode_variants_are_anchored(tmp_path, text, quote):
    seeds = tmp_path / "seeds"
    shutil.copytree(CORPUS, seeds)
    (seeds / "texts/memo.txt").write_text(text, encoding="utf-8")
    (seeds / "claims/combat.yaml").write_text(
        f"- id: c\n  statement: s\n  evidence:\n    - source: memo\n      stance: supports\n"
        f"      quote: \"{quote}\"\n      locator: p. 1\n",
        encoding="utf-8",
    )
    result = build_database(seeds, tmp_path / "p.db")
    import sqlite3

    start, end, exact = sqlite3.connect(tmp_path / "p.db").execute("select anchor_start, anchor_end, anchor_exact from evidence").fetchone()
    assert text[start:end] == exact
    assert result.counts["evidence"] == 1
