"""Adding documents as sources (add-source) and finding exact passages in them (locate).

The documents are made here: a PDF with fpdf2 (core font Helvetica, latin-1 text) and an
HTML page with a title, a script, paragraphs and a list. The end-to-end test adds both to a
copy of the fixture corpus, quotes them with passages found by `locate` from words with
typos, builds the database and checks the anchors.
"""

from __future__ import annotations

import datetime
import json
import os
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance import ingest
from provenance.anchoring import locate as anchor
from provenance.cli import cli
from provenance.ingest import IngestError, add_source, extract_text
from provenance.locating import LocateError, TextIndex, find_passages, one_line

PDF_PARAGRAPHS = [
    "On 1 November 1950 the Soviet air division flew its first sortie over the Yalu River, "
    "from the airfield at Andong, and its pilots wore Chinese uniforms as the résumé of the "
    "operation notes for every crew.",
    "The anti-aircraft guns of the division shot down two American planes on the first day, "
    "according to the report sent to Moscow that evening.",
    "A second page: the division moved to Andong within ten days, with all its regiments.",
]

HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>The  air war
    over Korea</title>
  <style>p { color: red; }</style>
  <script>var hidden = "SCRIPT TEXT MUST NOT APPEAR";</script>
</head>
<body>
  <h1>The air war over Korea</h1>
  <p>Hershberg argues that Stalin promised air cover in July 1950 and then withheld it
  when the Chinese asked for it in October.</p>
  <p>The blog retells the argument in a few lines, with the dates of the telegrams.</p>
  <ul><li>Stalin to Mao, 1 October 1950</li><li>Mao to Stalin, 2 October 1950</li></ul>
  <script>document.write("ANOTHER SCRIPT");</script>
</body>
</html>
"""


def make_pdf(path: Path, paragraphs=PDF_PARAGRAPHS, title: str | None = "Report on the air war") -> Path:
    """A two-page PDF of the paragraphs (the last on page two), deterministic."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    if title:
        pdf.set_title(title)
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    for paragraph in paragraphs[:-1]:
        pdf.multi_cell(0, 6, paragraph)
        pdf.ln(4)
    if len(paragraphs) > 1:
        pdf.add_page()
    if paragraphs:
        pdf.multi_cell(0, 6, paragraphs[-1])
    path.write_bytes(bytes(pdf.output()))
    return path


def make_blank_pdf(path: Path) -> Path:
    """A PDF with a drawing and no text, as a scanned page looks to a text extractor."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    pdf.add_page()
    pdf.rect(10, 10, 100, 150, style="F")
    path.write_bytes(bytes(pdf.output()))
    return path


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def check_ok(seeds: Path) -> str:
    result = run("check", seeds)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ")
    return result.output


# -- add-source --------------------------------------------------------------------------------


def test_add_source_pdf_stores_the_text_and_a_source_that_checks(seeds, tmp_path):
    pdf = make_pdf(tmp_path / "report.pdf")
    result = run("add-source", pdf, "--id", "air-war-report", "--seeds", seeds)
    assert result.exit_code == 0, result.output
    assert f"wrote {seeds / 'texts/air-war-report.txt'}" in result.output
    assert f"wrote {seeds / 'sources/air-war-report.yaml'}" in result.output

    text = (seeds / "texts/air-war-report.txt").read_text(encoding="utf-8")
    assert "résumé" in text and "\r" not in text
    page_one, page_two = text.split("\n\n")  # pages are joined with one blank line
    assert page_one.startswith("On 1 November 1950 the Soviet air division")
    assert page_two == PDF_PARAGRAPHS[-1]

    record = (seeds / "sources/air-war-report.yaml").read_text(encoding="utf-8")
    assert "id: air-war-report\n" in record
    assert "kind: article " in record and "# guessed from the file type" in record
    assert "title: Report on the air war " in record and "# from the PDF's metadata" in record
    assert "origin: secondary " in record and "# a placeholder" in record
    assert "text: texts/air-war-report.txt " in record
    for commented in ("# authors:", "# issued:", "# reliability:", "#   grade:", "#   reason:", "# url:", "# archive:"):
        assert commented in record
    assert "ok: 4 sources, 3 sources with text" in check_ok(seeds)


def test_add_source_html_renders_blocks_drops_scripts_and_takes_the_title(seeds, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(HTML_PAGE.replace("\n", "\r\n"), encoding="utf-8")
    result = run("add-source", page, "--id", "air-war-page", "--seeds", seeds)
    assert result.exit_code == 0, result.output
    text = (seeds / "texts/air-war-page.txt").read_text(encoding="utf-8")
    assert "SCRIPT" not in text and "color" not in text and "\r" not in text
    assert "The air war over Korea\n\nHershberg argues that Stalin promised air cover" in text
    assert "\n  * Stalin to Mao, 1 October 1950\n  * Mao to Stalin, 2 October 1950" in text
    record = (seeds / "sources/air-war-page.yaml").read_text(encoding="utf-8")
    assert "kind: web-page " in record
    assert "title: The air war over Korea " in record and "# from the HTML <title>" in record
    check_ok(seeds)


def test_add_source_with_every_option_writes_the_fields(seeds, tmp_path):
    note = tmp_path / "memo.txt"
    note.write_bytes("\ufeffA memo, line one.\r\nLine two\rLine three: 1950.\n".encode())
    result = run(
        "add-source", note, "--id", "memo-1950", "--seeds", seeds,
        "--title", "Memo: on 1950's air war", "--kind", "memo", "--issued", "1950-11-03",
        "--author", "Doe, John", "--author", "Central Intelligence Agency", "--origin", "primary",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # line endings made \n and the BOM dropped; nothing else changed
    assert (seeds / "texts/memo-1950.txt").read_bytes() == b"A memo, line one.\nLine two\nLine three: 1950.\n"
    record = (seeds / "sources/memo-1950.yaml").read_text(encoding="utf-8")
    assert "kind: memo\n" in record
    assert 'title: "Memo: on 1950\'s air war"\n' in record  # quoted: a plain scalar with ": " would not read back
    assert "authors:\n  - Doe, John\n  - Central Intelligence Agency\n" in record
    assert 'issued: "1950-11-03"\n' in record
    assert "origin: primary\n" in record
    check_ok(seeds)


def test_odd_titles_and_file_names_still_make_a_source_that_checks(seeds, tmp_path):
    odd = tmp_path / "odd\nname #1: \u2028draft.txt"
    odd.write_text("A note about the air war.\n", encoding="utf-8")
    result = run("add-source", odd, "--id", "odd-note", "--seeds", seeds)
    assert result.exit_code == 0, result.output
    record = (seeds / "sources/odd-note.yaml").read_text(encoding="utf-8")
    assert '\ntitle: "odd name #1: draft.txt" ' in record  # white space collapsed; quoted for the '#' and ':'
    assert record.startswith("# Added by `provenance add-source` from odd?name #1: ?draft.txt: ")
    check_ok(seeds)
    result = run("add-source", odd, "--id", "odd-note-2", "--seeds", seeds, "--title", "Dr\u00adaft \u2028 of 1950 \U0001f600")
    assert result.exit_code == 0, result.output
    assert '\ntitle: "Dr\\u00adaft of 1950 \U0001f600"\n' in (seeds / "sources/odd-note-2.yaml").read_text(encoding="utf-8")
    check_ok(seeds)


def test_add_source_reads_other_encodings_when_told(seeds, tmp_path):
    old = tmp_path / "old.txt"
    old.write_bytes("Le rapport de Zhou Enlai fut envoyé à Pékin – en hâte.\n".encode("cp1252"))
    result = run("add-source", old, "--id", "old-report", "--seeds", seeds, "--encoding", "cp1252")
    assert result.exit_code == 0, result.output
    assert (seeds / "texts/old-report.txt").read_text(
        encoding="utf-8"
    ) == "Le rapport de Zhou Enlai fut envoyé à Pékin – en hâte.\n"
    assert "title: old.txt " in (seeds / "sources/old-report.yaml").read_text(encoding="utf-8")
    check_ok(seeds)


def test_html_declared_charset_is_honoured(tmp_path):
    page = tmp_path / "latin.htm"
    page.write_bytes(
        b'<html><head><meta charset="iso-8859-1"><title>R\xe9sum\xe9</title></head><body><p>Caf\xe9 \x96 bar</p></body></html>'
    )
    extracted = extract_text(page)
    assert extracted.title == "Résumé"
    assert extracted.text.strip() == "Café – bar"  # iso-8859-1 read as windows-1252, as browsers do


# -- refusals: each with its message, and nothing written ---------------------------------------


def refused(seeds: Path, *args: str) -> str:
    """Run add-source expecting a refusal; check that nothing was written; return the message."""
    before = listing(seeds)
    result = run("add-source", *args, "--seeds", seeds)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert listing(seeds) == before
    assert result.output.startswith("Error: ") and result.output.endswith("\n")
    return result.output[len("Error: ") : -1]


@pytest.fixture
def note(tmp_path) -> Path:
    path = tmp_path / "note.txt"
    path.write_text("A short note about the air war in Korea.\n", encoding="utf-8")
    return path


def test_refuses_an_id_that_is_not_a_slug(seeds, note):
    for bad in ("Memo", "memo_1950", "-memo", "memo--1950", "../memo", "a" * 121):
        assert refused(seeds, note, "--id", bad) == (
            f"{bad!r} is not a valid id: use lowercase letters, digits and single hyphens, at most 120 characters (e.g. memo-1950)"
        )


def test_refuses_an_id_already_used(seeds, note):
    assert refused(seeds, note, "--id", "review") == f"a source with id 'review' already exists at {seeds}/sources/others.yaml:1"
    assert refused(seeds, note, "--id", "commander-report") == (
        f"a source with id 'commander-report' already exists at {seeds}/sources/others.yaml:9"
    )
    (seeds / "texts/orphan.txt").write_text("left over\n", encoding="utf-8")
    assert refused(seeds, note, "--id", "orphan") == (
        f"{seeds}/texts/orphan.txt already exists: choose another id, or remove the file if it is left over"
    )
    (seeds / "sources/broken.yaml").write_text("- id: hidden-in-broken\n  title: [unclosed\n", encoding="utf-8")
    assert refused(seeds, note, "--id", "hidden-in-broken") == (
        f"a source with id 'hidden-in-broken' appears to exist already in {seeds}/sources/broken.yaml"
    )


def test_refuses_what_is_not_a_regular_file(seeds, tmp_path):
    assert refused(seeds, tmp_path / "missing.txt", "--id", "x") == f"{tmp_path}/missing.txt: no such file"
    assert refused(seeds, tmp_path, "--id", "x") == f"{tmp_path} is a folder, not a file"
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.txt"
        os.mkfifo(fifo)  # reading it would block: it must be refused before it is opened
        assert refused(seeds, fifo, "--id", "x") == f"{fifo} is not a regular file (a device, pipe or socket?)"
    if Path("/dev/null").exists():
        assert refused(seeds, "/dev/null", "--id", "x") == "/dev/null is not a regular file (a device, pipe or socket?)"


def test_refuses_unknown_file_types(seeds, tmp_path):
    for name, what in (("notes.docx", "a '.docx' file"), ("README", "a file without an extension")):
        path = tmp_path / name
        path.write_text("text\n", encoding="utf-8")
        assert (
            refused(seeds, path, "--id", "x") == f"{path}: cannot add {what}: add-source reads .txt, .html, .htm and .pdf files"
        )


def test_refuses_text_that_is_not_utf8_without_encoding(seeds, tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("first line\nsecond: résumé\n".encode("latin-1"))
    assert refused(seeds, path, "--id", "x") == (
        f"{path} is not UTF-8: byte 0xe9 at offset 20 (line 2) cannot be decoded; "
        "give the file's encoding with --encoding, e.g. --encoding cp1252"
    )
    assert refused(seeds, path, "--id", "x", "--encoding", "utf-8") == (
        f"{path} cannot be decoded as utf-8: byte 0xe9 at offset 20 (line 2); check --encoding"
    )
    utf16 = tmp_path / "wide.txt"
    utf16.write_bytes("A note.\n".encode("utf-16"))
    assert refused(seeds, utf16, "--id", "x").endswith("e.g. --encoding utf-16")
    assert refused(seeds, path, "--id", "x", "--encoding", "klingon") == (
        "unknown encoding 'klingon' (try utf-8, cp1252, latin-1, utf-16)"
    )


def test_refuses_pdfs_without_text_or_unreadable(seeds, tmp_path):
    scanned = make_blank_pdf(tmp_path / "scan.pdf")
    assert refused(seeds, scanned, "--id", "x") == (
        f"{scanned}: no text could be extracted from its 1 page; it is probably scanned images, "
        "which need OCR first (e.g. ocrmypdf), then add the OCR'd PDF"
    )
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"this is not a PDF at all\n")
    message = refused(seeds, fake, "--id", "x")
    assert message.startswith(f"{fake} is not a readable PDF (")
    assert refused(seeds, scanned, "--id", "x", "--encoding", "cp1252") == (
        "--encoding applies to .txt and .html files; a PDF carries its own encoding"
    )


def test_refuses_empty_texts(seeds, tmp_path):
    blank = tmp_path / "blank.txt"
    blank.write_text(" \n\t\n", encoding="utf-8")
    assert refused(seeds, blank, "--id", "x") == f"{blank}: the text is empty: there is nothing to quote"
    scripts = tmp_path / "scripts.html"
    scripts.write_text("<html><head><title>T</title><script>x = 1</script></head><body></body></html>", encoding="utf-8")
    assert refused(seeds, scripts, "--id", "x") == f"{scripts}: the text is empty: there is nothing to quote"


def test_refuses_to_write_outside_the_seeds(seeds, note, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (seeds / "texts").rename(tmp_path / "moved-texts")
    (seeds / "texts").symlink_to(elsewhere)
    assert refused(seeds, note, "--id", "x") == (
        f"{seeds}/texts leads outside the seeds folder (to {elsewhere.resolve()}); refusing to write there"
    )
    assert list(elsewhere.iterdir()) == []
    assert refused(tmp_path / "no-seeds", note, "--id", "x") == f"the seeds folder {tmp_path}/no-seeds does not exist"


def test_refuses_invalid_fields(seeds, note):
    assert refused(seeds, note, "--id", "x", "--issued", "1950-13-01").startswith("--issued: ")
    assert refused(seeds, note, "--id", "x", "--author", ", John") == (
        "--author: ', John': give either family (and given) or literal"
    )
    result = run("add-source", note, "--id", "x", "--seeds", seeds, "--kind", "novel")
    assert result.exit_code == 2 and "'novel' is not one of" in result.output


def test_a_failed_write_leaves_nothing_behind(seeds, note, monkeypatch):
    before = listing(seeds)
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # the text is in place; the record fails
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(ingest.os, "replace", failing_replace)
    with pytest.raises(IngestError, match="No space left on device; nothing was added"):
        add_source(seeds, note, "new-note")
    assert listing(seeds) == before  # no text, no record, no temporary file


# -- locate ---------------------------------------------------------------------------------------

MEMO = (Path(__file__).parent / "corpus/texts/memo.txt").read_text(encoding="utf-8")


def test_locate_finds_the_exact_passage_for_approximate_words():
    [best] = find_passages(MEMO, "flew its frist sortie over the rivr", limit=1)
    assert best.exact == "flew its first sor-\ntie over the river"
    assert best.exact == MEMO[best.start : best.end]
    assert best.line == 3 and 80 < best.similarity < 100
    assert best.one_line == "flew its first sortie over the river"
    # both forms anchor where the build will put them
    assert (anchor(best.exact, MEMO).start, anchor(best.exact, MEMO).end) == (best.start, best.end)
    assert (anchor(best.one_line, MEMO).start, anchor(best.one_line, MEMO).end) == (best.start, best.end)


def test_exact_matches_after_normalisation_rank_first_with_100():
    text = (
        "The pilots wore Chinese uniforms in the first weeks.\n"
        "Later the pilots wore Korean uniforms, says one account.\n"
        "The pilots wore Chi-\nnese uniforms in the first weeks, says another.\n"
    )
    passages = find_passages(text, "the pilots wore chinese uniforms in the first weeks", limit=3)
    assert [p.similarity for p in passages[:2]] == [99.9, 99.9]  # the case differs: not exact, however close
    passages = find_passages(text, "The pilots wore Chinese uniforms in the first weeks", limit=3)
    assert [p.similarity for p in passages[:2]] == [100.0, 100.0]
    assert [p.line for p in passages[:2]] == [1, 3]  # exact ones in text order
    assert passages[1].exact == "The pilots wore Chi-\nnese uniforms in the first weeks"
    assert passages[2].exact == "the pilots wore Korean uniforms, says" and passages[2].similarity < 90


def test_a_passage_occurring_twice_says_which_occurrence():
    text = "Alpha beta gamma delta epsilon.\nNoise here and there.\nAlpha beta gamma delta epsilon.\n"
    passages = find_passages(text, "alpha beta gama delta epsilon", limit=2)
    assert [(p.occurrences, p.occurrence, p.line) for p in passages] == [(2, 1, 1), (2, 2, 3)]


def test_locate_offsets_are_code_points_of_the_stored_text():
    text = (Path(__file__).parent / "corpus/texts/nfd.txt").read_text(encoding="utf-8")
    [best] = find_passages(text, "first fought on 2 November 1950 says this resume", limit=1)
    assert text[best.start : best.end] == best.exact
    assert best.exact == unicodedata.normalize("NFD", "first fought on 2 November 1950, says this résumé")
    assert len(best.exact) == len("first fought on 2 November 1950, says this résumé") + 2  # two combining accents
    assert anchor(best.exact, text).start == best.start


def test_locate_on_a_prepared_index_and_small_texts():
    index = TextIndex("  one two three  ")
    assert len(index) == 3 and index.starts == [2, 6, 10] and index.ends == [5, 9, 15]
    assert find_passages(index, "one two three four five six")[0].exact == "one two three"
    assert find_passages("", "anything") == []
    assert find_passages("completely different words here", "zzzz qqqq xxxx") == []
    with pytest.raises(LocateError, match="give some words to look for"):
        find_passages(MEMO, " \u200b ")


def test_one_line_joins_words_hyphenated_across_lines_like_the_anchoring():
    assert one_line("first sor-\ntie over\n the  river") == "first sortie over the river"
    assert one_line("the Sino-\nSoviet alliance") == "the Sino- Soviet alliance"
    text = "about the Sino-\nSoviet alliance of 1950"
    assert anchor(one_line("the Sino-\nSoviet alliance"), text).start == 6


def test_locate_command_prints_passages_ready_to_paste(seeds):
    result = run("locate", "memo", "volunteer pilots wore chinese uniforms", "--seeds", seeds, "-n", "1")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "1. similarity 98.7  line 4  start 108  end 147\n"
        "volunteer” pilots wore Chinese\n"
        "uniforms\n"
        "   one line: volunteer” pilots wore Chinese uniforms\n"
    )
    assert MEMO[108:147] == "volunteer” pilots wore Chinese\nuniforms"

    as_json = json.loads(run("locate", "memo", "the division moved to andong", "--seeds", seeds, "--json").output)
    top = as_json["passages"][0]
    assert as_json["text"] == "texts/memo.txt"
    assert top == {
        "start": 190,
        "end": 218,
        "line": 7,
        "similarity": 99.9,
        "exact": "The division moved to Andong",
        "one_line": "The division moved to Andong",
        "occurrences": 1,
        "occurrence": 1,
    }
    assert MEMO[190:218] == top["exact"]


def test_locate_command_errors(seeds):
    result = run("locate", "mem", "words", "--seeds", seeds)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output == f"Error: unknown source 'mem' in {seeds}/sources (did you mean 'memo'?)\n"
    result = run("locate", "commander-report", "words", "--seeds", seeds)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: source 'commander-report' has no text ({seeds}/sources/others.yaml:9 has no text: field; it is only cited); "
        "sources with text: memo, review\n"
    )
    result = run("locate", "memo", "zzzz qqqq xxxx wwww", "--seeds", seeds)
    assert result.exit_code == 1
    assert result.output == "Error: no passage of 'memo' (texts/memo.txt) resembles 'zzzz qqqq xxxx wwww'\n"
    (seeds / "texts/memo.txt").unlink()
    result = run("locate", "memo", "words", "--seeds", seeds)
    assert result.output == f"Error: {seeds}/sources/memo.yaml:1: text file 'texts/memo.txt' not found\n"


# -- end to end -----------------------------------------------------------------------------------


def test_a_pdf_and_an_html_page_are_added_quoted_with_locate_and_built(seeds, tmp_path):
    pdf = make_pdf(tmp_path / "report.pdf")
    page = tmp_path / "page.html"
    page.write_text(HTML_PAGE, encoding="utf-8")
    for path, source_id in ((pdf, "air-war-report"), (page, "air-war-page")):
        result = run("add-source", path, "--id", source_id, "--seeds", seeds)
        assert result.exit_code == 0, result.output

    def top_passage(source_id: str, words: str) -> dict:
        result = run("locate", source_id, words, "--seeds", seeds, "--json", "-n", "3")
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["passages"][0]

    sortie = top_passage("air-war-report", "the soviet air divison flew its frist sortie over the Yalu river")
    guns = top_passage("air-war-report", "antiaircraft guns of the divison shot down two american planes")
    cover = top_passage("air-war-page", "Stalin promised air cover in july 1950 and then witheld it")
    assert sortie["exact"] == "the Soviet air division flew its first sortie over the Yalu River"
    assert guns["exact"] == "anti-aircraft guns of the division shot down two American planes"
    assert cover["exact"] == "Stalin promised air cover in July 1950 and then withheld it"
    assert all(90 < p["similarity"] < 100 for p in (sortie, guns, cover))
    # a passage across a line break of the PDF, as the text has it
    across = top_passage("air-war-report", "pilots wore chinese uniforms as the resume of the operation notes")
    assert across["exact"] == "pilots wore Chinese uniforms as the résumé of the operation notes"
    wrapped = top_passage("air-war-report", "from the airfield at andong and its pilots wore chinese uniforms")
    assert wrapped["exact"] == "from the airfield\nat Andong, and its pilots wore Chinese uniforms"

    def evidence(source: str, passage: dict, stance: str) -> str:
        # a JSON string is a YAML double-quoted scalar: the passage goes in exactly, line breaks included
        return f"    - source: {source}\n      stance: {stance}\n      quote: {json.dumps(passage['exact'], ensure_ascii=False)}\n      locator: p. 1\n"

    (seeds / "claims/interchange.yaml").write_text(
        "- id: first-sortie-over-the-yalu\n"
        "  statement: The Soviet air division flew its first sortie over the Yalu on 1 November 1950.\n"
        "  evidence:\n" + evidence("air-war-report", sortie, "supports") + "- id: aa-guns-shot-down-two\n"
        "  statement: The division's anti-aircraft guns shot down two planes on the first day.\n"
        "  evidence:\n" + evidence("air-war-report", guns, "supports") + "- id: stalin-withheld-air-cover\n"
        "  statement: Stalin promised air cover in July 1950 and withheld it in October.\n"
        "  evidence:\n" + evidence("air-war-page", cover, "reports"),
        encoding="utf-8",
    )
    check_ok(seeds)
    db = tmp_path / "p.db"
    result = run("build", seeds, "-o", db)
    assert result.exit_code == 0, result.output

    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = {
        r["claim_id"]: r for r in conn.execute("select * from evidence where source_id in ('air-war-report', 'air-war-page')")
    }
    assert set(rows) == {"first-sortie-over-the-yalu", "aa-guns-shot-down-two", "stalin-withheld-air-cover"}
    for claim_id, passage in (
        ("first-sortie-over-the-yalu", sortie),
        ("aa-guns-shot-down-two", guns),
        ("stalin-withheld-air-cover", cover),
    ):
        row = rows[claim_id]
        assert row["anchor_exact"] == passage["exact"]
        assert (row["anchor_start"], row["anchor_end"]) == (passage["start"], passage["end"])
        assert row["anchor_method"] == "exact"
    sources = {r["id"]: r for r in conn.execute("select * from sources where id like 'air-war-%'")}
    assert sources["air-war-report"]["title"] == "Report on the air war"
    assert sources["air-war-page"]["title"] == "The air war over Korea"
    stored = sources["air-war-report"]["text"]
    assert stored[sortie["start"] : sortie["end"]] == sortie["exact"]
    conn.close()


def test_the_benchmark_runs_and_finds_every_blurred_passage():
    """benchmarks/locate.py on a small text: it runs, and the passages it blurs are found (no timing here)."""
    import subprocess
    import sys

    script = Path(__file__).parent.parent / "benchmarks" / "locate.py"
    result = subprocess.run(
        [sys.executable, str(script), "--size", "30000", "--queries", "4"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "top passage is the one blurred: 4/4" in result.stdout
