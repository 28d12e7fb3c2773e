"""Every bad input in the catalogue: reported with file and line, all at once, exit 1, no
traceback, the same lines from `check` and `build`, the previous database left exactly as
it was, and nothing else written."""

import errno
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance import build_database
from provenance import seeds as seeds_module
from provenance.cli import cli

from .catalogue import CASES, EXPECTED, TWO_GIB
from .conftest import CORPUS


def unreadable(monkeypatch, path: Path) -> None:
    """Make ``path`` unreadable: chmod 000, and where that does not stop this process (root
    reads through it), make the seeds reader's open and listing fail as chmod 000 does."""
    path.chmod(0)
    if not os.access(path, os.R_OK):
        return
    denied = path.resolve()

    def check(target) -> None:
        if Path(target).resolve() == denied:
            raise PermissionError(errno.EACCES, "Permission denied", str(target))

    real_open, real_list = seeds_module._open, seeds_module._list_dir
    monkeypatch.setattr(seeds_module, "_open", lambda target: check(target) or real_open(target))
    monkeypatch.setattr(seeds_module, "_list_dir", lambda target: check(target) or real_list(target))


def apply(seeds: Path, file: str, old, new, monkeypatch=None) -> None:
    kind, _, name = file.partition(":")
    if kind == "CHMOD":
        unreadable(monkeypatch, seeds / name)
        return
    if kind == "MOVE":
        (seeds / name).rename(seeds / new)
        return
    if kind == "LINK":
        target = seeds.parent / "outside" / Path(name).name
        if new is not None:
            target.parent.mkdir(exist_ok=True)
            target.write_text(new)
        (seeds / name).symlink_to(target)
        return
    if kind == "FIFO":
        (seeds / name).unlink(missing_ok=True)
        os.mkfifo(seeds / name)
        return
    if kind == "SPARSE":
        with open(seeds / "texts" / name, "r+b") as handle:
            handle.truncate(TWO_GIB)
        return
    if file == "SYMLINK":
        outside = seeds.parent / "outside.txt"
        outside.write_text("secret outside text that should never be read\n")
        (seeds / "texts" / "link.txt").symlink_to(outside)
        path = seeds / "sources/memo.yaml"
        path.write_text(path.read_text().replace("text: texts/memo.txt", "text: texts/link.txt"))
        return
    if file.startswith(("TEXT:", "+")):
        path = seeds / "texts" / file[5:] if file.startswith("TEXT:") else seeds / file[1:]
        path.parent.mkdir(exist_ok=True)
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
    assert len(CASES) >= 110
    assert set(EXPECTED) == {c[0] for c in CASES}
    assert len({c[0] for c in CASES}) == len(CASES)


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder`` with its kind, size and modification time (not its
    bytes: a case holds a sparse 2 GiB file), to tell that nothing was written."""
    out = {}
    for parent, dirs, files in os.walk(folder):
        for name in dirs + files:
            info = os.lstat(os.path.join(parent, name))
            out[os.path.relpath(os.path.join(parent, name), folder)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return out


@pytest.mark.parametrize("case, file, old, new", CASES, ids=[c[0] for c in CASES])
def test_bad_input(tmp_path, previous, monkeypatch, case, file, old, new):
    seeds = tmp_path / "seeds"
    shutil.copytree(CORPUS, seeds)
    db = tmp_path / "provenance.db"
    shutil.copy(previous, db)
    before = db.read_bytes()
    apply(seeds, file, old, new, monkeypatch)
    files = snapshot(tmp_path)

    checked = CliRunner().invoke(cli, ["check", str(seeds)])
    built = CliRunner().invoke(cli, ["build", str(seeds), "-o", str(db)])
    for result in (checked, built):
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output
    lines = [out.replace(f"{seeds}/", "") for out in checked.output.splitlines() if "warning:" not in out]
    assert lines[-1].endswith("found; nothing was built.")
    assert lines[:-1] == EXPECTED[case]
    assert built.output == checked.output  # the same problems, warnings too, in the same order

    assert db.read_bytes() == before
    assert snapshot(tmp_path) == files  # no temporary file, no lock file, nothing in the seeds


ACCEPTED = [
    # (text of the memo, quote): normalisation finds these, offsets point into the stored text
    ("Zhou Enla\u0301i went to Moscow in October 1950.\n", "Zhou Enlái went to Moscow in October 1950."),  # NFD text, NFC quote
    ("Zhou Enlái went to Moscow in October 1950.\n", "Zhou Enla\u0301i went to Moscow in October 1950."),  # NFC text, NFD quote
    ("The air\u200b division flew north in 1950.\n", "The air division flew north in 1950."),  # zero-width space in the text
    ("The air division flew north in 1950.\n", "The air\u200d division\u2060 flew north in 1950."),  # zero-width in the quote
    ("The \u202eair division\u202c flew north in 1950.\n", "The air division flew north in 1950."),  # bidi override
    (
        "志愿军于一九五〇年十月十九日跨过鸭绿江进入朝鲜作战。\n",
        "志愿军于一九五〇年十月十九日跨过鸭绿江进入朝鲜作战。",
    ),  # CJK text
    (
        "ＭｉＧ－１５ fighters flew from Andong that morning.\n",
        "ＭｉＧ－１５ fighters flew from Andong that morning.",
    ),  # full-width
]


@pytest.mark.parametrize("text, quote", ACCEPTED)
def test_unicode_variants_are_anchored(tmp_path, text, quote):
    seeds = tmp_path / "seeds"
    shutil.copytree(CORPUS, seeds)
    (seeds / "texts/memo.txt").write_text(text, encoding="utf-8")
    (seeds / "claims/combat.yaml").write_text(
        f"- id: c\n  statement: s\n  evidence:\n    - source: memo\n      stance: supports\n"
        f'      quote: "{quote}"\n      locator: p. 1\n',
        encoding="utf-8",
    )
    result = build_database(seeds, tmp_path / "p.db")
    import sqlite3

    start, end, exact = (
        sqlite3.connect(tmp_path / "p.db").execute("select anchor_start, anchor_end, anchor_exact from evidence").fetchone()
    )
    assert text[start:end] == exact
    assert result.counts["evidence"] == 1
