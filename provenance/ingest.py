"""Add a document to the seeds: extract its text once, store it, and write a Source seed.

Quotes are checked against the stored text, character for character (after the fixed
normalisation of :mod:`provenance.anchoring`), so the text must be stored once, as
extracted, and never touched again. This module does that for the three formats
documents usually arrive in, with well-kept extractors rather than home-made ones:

* ``.txt``: decoded as UTF-8 (or the encoding the curator names), never guessed: a wrong
  guess would silently corrupt every quote taken from the text;
* ``.html`` / ``.htm``: rendered to text by inscriptis, which lays out block elements
  and lists as a browser would and drops scripts and styles;
* ``.pdf``: each page's text extracted by pypdf, pages joined with a blank line. A PDF
  of scanned images has no text to extract: it needs OCR first, and we say so.

Line endings become ``\\n``; nothing else is changed. The text goes to
``texts/ID.txt`` and a Source record to ``sources/ID.yaml``, holding what is known (id,
kind, title, origin, text) and, as YAML comments, the fields the curator should complete.
The record is validated against :class:`provenance.models.Source` before anything is
written, so ``provenance check`` passes straight after. Both files are written to
temporary files first and renamed into place, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .errors import IngestError
from .models import SLUG_PATTERN, SOURCE_KINDS, Name, Source
from .seeds import MAX_TEXT_BYTES
from .yamlfile import read_yaml

__all__ = [
    "IngestError",
    "Extracted",
    "AddedSource",
    "SourceEntry",
    "EXTENSIONS",
    "ORIGINS",
    "extract_text",
    "add_source",
    "check_id",
    "check_regular_file",
    "source_entries",
    "source_yaml",
]

EXTENSIONS = (".txt", ".html", ".htm", ".pdf")
ORIGINS = ("primary", "secondary", "tertiary")
# The kind written when the curator gives none: a guess from the file type, flagged as such
# in the YAML. An HTML page is a web page; a PDF or a text file is most often an article.
DEFAULT_KINDS = {".txt": "article", ".html": "web-page", ".htm": "web-page", ".pdf": "article"}
DEFAULT_ORIGIN = "secondary"  # required by the model; most documents added are analyses
MAX_ID_LENGTH = 120  # as models.Slug
_SLUG = re.compile(SLUG_PATTERN)
# Browsers read these labels as windows-1252 (WHATWG Encoding Standard); so do we.
_WINDOWS_1252_LABELS = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "cp819"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Extracted:
    """The text of a document as extracted, with what the document says about itself."""

    text: str
    title: str | None  # the HTML <title> or the PDF's metadata title, when there is one
    title_from: str | None  # where the title came from, for the YAML comment
    how: str  # how the text was extracted, for the YAML comment and the command's report


@dataclass(frozen=True)
class AddedSource:
    """What add-source wrote."""

    source: Source
    text_path: Path
    yaml_path: Path
    extracted: Extracted


@dataclass(frozen=True)
class SourceEntry:
    """A source record as written in sources/, read without validating the rest of the seeds."""

    id: str
    file: str  # relative to the seeds folder, with forward slashes
    line: int
    text: str | None  # the record's text: field, when it is a string


# -- extraction ---------------------------------------------------------------------------


def extract_text(path: Path, encoding: str | None = None) -> Extracted:
    """Extract the text of a .txt, .html/.htm or .pdf file, with line endings made ``\\n``.

    ``path`` must already be known to be a regular file (see :func:`add_source`).
    """
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        raise IngestError(_unknown_extension(path))
    if encoding is not None:
        if suffix == ".pdf":
            raise IngestError("--encoding applies to .txt and .html files; a PDF carries its own encoding")
        _check_codec(encoding)
    try:
        raw = path.read_bytes()
    except OSError as ex:
        raise IngestError(f"cannot read {path}: {ex.strerror}") from ex
    if suffix == ".pdf":
        extracted = _from_pdf(path, raw)
    elif suffix == ".txt":
        extracted = Extracted(_decode(path, raw, encoding), None, None, f"read as {encoding or 'UTF-8'} text")
    else:
        extracted = _from_html(path, raw, encoding)
    text = _newlines(extracted.text)
    if not text.strip():
        raise IngestError(f"{path}: the text is empty: there is nothing to quote")
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise IngestError(f"{path}: the text is larger than {MAX_TEXT_BYTES // 2**20} MiB, the most a source text may hold")
    return Extracted(text, extracted.title, extracted.title_from, extracted.how)


def _unknown_extension(path: Path) -> str:
    what = f"'{path.suffix}' file" if path.suffix else "file without an extension"
    return f"{path}: cannot add a {what}: add-source reads {', '.join(EXTENSIONS[:-1])} and {EXTENSIONS[-1]} files"


def _check_codec(encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError as ex:
        raise IngestError(f"unknown encoding {encoding!r} (try utf-8, cp1252, latin-1, utf-16)") from ex


def _newlines(text: str) -> str:
    """CRLF and lone CR become LF: the one change made to an extracted text."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(path: Path, raw: bytes, encoding: str | None) -> str:
    """Decode with the encoding given, else strictly as UTF-8; a leading BOM is dropped.

    The BOM is a mark of the encoding, not part of the text. Undecodable bytes are an
    error naming the first one, never replaced: a replacement character in the stored
    text would be quoted and checked as if the document said it.
    """
    try:
        text = raw.decode(encoding or "utf-8")
    except UnicodeDecodeError as ex:
        line = raw[: ex.start].count(b"\n") + 1
        where = f"byte {raw[ex.start]:#04x} at offset {ex.start} (line {line})"
        if encoding is None:
            likely = "utf-16" if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "cp1252"
            raise IngestError(
                f"{path} is not UTF-8: {where} cannot be decoded; "
                f"give the file's encoding with --encoding, e.g. --encoding {likely}"
            ) from ex
        raise IngestError(f"{path} cannot be decoded as {encoding}: {where}; check --encoding") from ex
    return text.removeprefix("\ufeff")


def _html_encoding(raw: bytes, given: str | None) -> str | None:
    """The encoding to read an HTML file with: the curator's, else its BOM, else its <meta> charset.

    None means UTF-8, the encoding of the web. A declared charset Python does not know is
    ignored (UTF-8 is tried, and an error suggests --encoding if it fails).
    """
    if given is not None:
        return given
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return name
    declared = _META_CHARSET.search(raw[:4096])
    if declared is None:
        return None
    label = declared.group(1).decode("ascii").lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _from_html(path: Path, raw: bytes, encoding: str | None) -> Extracted:
    """Render HTML to text with inscriptis; the title comes from <title>."""
    import lxml.html
    from inscriptis import get_text
    from lxml.etree import ParserError

    chosen = _html_encoding(raw, encoding)
    html = _decode(path, raw, chosen)
    text = get_text(html)
    title = None
    try:
        # lxml refuses a str that declares its encoding, as XHTML files do: that declaration
        # was honoured when decoding, so drop it.
        tree = lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1))
        title = " ".join((tree.findtext(".//title") or "").split()) or None
    except (ParserError, ValueError):
        title = None  # a page lxml cannot parse still has its text; the title falls back to the file name
    return Extracted(
        text, title, "the HTML <title>" if title else None, f"rendered from HTML by inscriptis, read as {chosen or 'UTF-8'}"
    )


def _from_pdf(path: Path, raw: bytes) -> Extracted:
    """Extract each page's text with pypdf and join the pages with a blank line."""
    import io

    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(f"{path} is encrypted with a password; decrypt it first (e.g. qpdf --decrypt)")
        pages = [page.extract_text() or "" for page in reader.pages]
        metadata = reader.metadata
        title = " ".join(str(metadata.title or "").split()) if metadata is not None else ""
    except IngestError:
        raise
    except Exception as ex:
        raise IngestError(f"{path} is not a readable PDF ({type(ex).__name__}: {ex})") from ex
    if not any(page.strip() for page in pages):
        raise IngestError(
            f"{path}: no text could be extracted from its {len(pages)} page{'s' if len(pages) != 1 else ''}; "
            "it is probably scanned images, which need OCR first (e.g. ocrmypdf), then add the OCR'd PDF"
        )
    how = f"extracted by pypdf from {len(pages)} page{'s' if len(pages) != 1 else ''}, pages separated by a blank line"
    return Extracted("\n\n".join(pages), title or None, "the PDF's metadata" if title else None, how)


# -- the seeds' sources, read lightly -------------------------------------------------------


def source_entries(seeds_dir: Path) -> tuple[list[SourceEntry], list[str]]:
    """Every source record in ``sources/``, and the files that could not be read as YAML.

    This reads only what add-source and locate need (ids and text paths), so that both work
    while the rest of the seeds is being edited and may not check.
    """
    base = seeds_dir / "sources"
    entries: list[SourceEntry] = []
    unreadable: list[str] = []
    if not base.is_dir():
        return entries, unreadable
    for path in sorted(base.rglob("*")):
        relative = path.relative_to(seeds_dir).as_posix()
        if path.suffix not in (".yaml", ".yml") or not path.is_file() or _hidden(path.relative_to(base)):
            continue
        try:
            parsed = read_yaml(relative, path.read_bytes().decode("utf-8").removeprefix("\ufeff"))
        except (OSError, UnicodeDecodeError):
            unreadable.append(relative)
            continue
        if parsed.value is None and parsed.problems:
            unreadable.append(relative)
            continue
        value = parsed.value
        items = (
            [((), value)]
            if isinstance(value, dict)
            else [((i,), v) for i, v in enumerate(value)]
            if isinstance(value, list)
            else []
        )
        for root, item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                text = item.get("text")
                entries.append(SourceEntry(item["id"], relative, parsed.line(root), text if isinstance(text, str) else None))
    return entries, unreadable


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _mentions_id(path: Path, source_id: str) -> bool:
    """Whether a source file that is not valid YAML still appears to define ``source_id``."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    pattern = rf"^\s*(?:-\s+)?id:\s*['\"]?{re.escape(source_id)}['\"]?\s*(?:#.*)?$"
    return re.search(pattern, text, re.MULTILINE) is not None


# -- checks before writing ------------------------------------------------------------------


def check_id(source_id: str) -> None:
    """Refuse an id that is not a slug: it names files and becomes part of a URL."""
    if not _SLUG.match(source_id) or len(source_id) > MAX_ID_LENGTH:
        raise IngestError(
            f"{source_id!r} is not a valid id: use lowercase letters, digits and single hyphens, "
            f"at most {MAX_ID_LENGTH} characters (e.g. memo-1950)"
        )


def check_regular_file(path: Path) -> None:
    """Refuse a missing file, a folder, a device, a pipe or a socket, before opening it.

    Opening a pipe would block and a device may never end, so this is checked on the
    file's status, not by trying to read it.
    """
    try:
        status = os.stat(path)
    except FileNotFoundError as ex:
        raise IngestError(f"{path}: no such file") from ex
    except OSError as ex:
        raise IngestError(f"cannot read {path}: {ex.strerror}") from ex
    if stat.S_ISDIR(status.st_mode):
        raise IngestError(f"{path} is a folder, not a file")
    if not stat.S_ISREG(status.st_mode):
        raise IngestError(f"{path} is not a regular file (a device, pipe or socket?)")


def _targets(seeds_dir: Path, source_id: str) -> tuple[Path, Path]:
    """The text and YAML paths to write, checked to be new and inside the seeds folder.

    The id is a slug, so the names cannot climb out of the folder; but texts/ or sources/
    may be symbolic links to somewhere else, which would put the files outside the seeds.
    """
    if not seeds_dir.is_dir():
        raise IngestError(f"the seeds folder {seeds_dir} does not exist")
    root = seeds_dir.resolve()
    targets = []
    for folder, name in (("texts", f"{source_id}.txt"), ("sources", f"{source_id}.yaml")):
        directory = seeds_dir / folder
        if directory.is_symlink() or directory.exists():
            resolved = directory.resolve()
            if not resolved.is_relative_to(root):
                raise IngestError(f"{directory} leads outside the seeds folder (to {resolved}); refusing to write there")
            if not resolved.is_dir():
                raise IngestError(f"{directory} is not a folder")
        target = directory / name
        if os.path.lexists(target):
            raise IngestError(f"{target} already exists: choose another id, or remove the file if it is left over")
        targets.append(target)
    other = seeds_dir / "sources" / f"{source_id}.yml"
    if os.path.lexists(other):
        raise IngestError(f"{other} already exists: choose another id")
    return targets[0], targets[1]


def _check_new_id(seeds_dir: Path, source_id: str) -> None:
    """Refuse an id some source record already has, in any file of sources/."""
    entries, unreadable = source_entries(seeds_dir)
    for entry in entries:
        if entry.id == source_id:
            raise IngestError(f"a source with id {source_id!r} already exists at {seeds_dir / entry.file}:{entry.line}")
    for relative in unreadable:
        if _mentions_id(seeds_dir / relative, source_id):
            raise IngestError(f"a source with id {source_id!r} appears to exist already in {seeds_dir / relative}")


# -- the Source seed ------------------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z0-9\u00c0-\u024f][\w\u00c0-\u024f .,'()&/;!?+-]*")
_COMMENT_COLUMN = 40


def _scalar(value: str) -> str:
    """A YAML scalar for ``value``: plain when that is unambiguous, else double-quoted.

    Plain text is kept where it cannot be read as anything else, for the curator's eyes;
    anything else is quoted by :func:`_quoted`.
    """
    plain = _PLAIN.fullmatch(value) and not value.endswith(" ") and " #" not in value
    if plain:
        parsed = read_yaml("", f"x: {value}\n")
        if not parsed.problems and parsed.value == {"x": value}:
            return value
    return _quoted(value)


def _quoted(value: str) -> str:
    """A double-quoted YAML scalar: a JSON string, with every unprintable character escaped.

    JSON escapes only the C0 controls; YAML also reads U+0085, U+2028 and U+2029 as line
    breaks (folding them away) and refuses some other unprintable characters.
    """
    return "".join(c if c.isprintable() else _escape(c) for c in json.dumps(value, ensure_ascii=False))


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _printable(text: str) -> str:
    """``text`` for a YAML comment: on one line, unprintable characters as '?'."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _line(text: str, comment: str | None = None) -> str:
    if comment is None:
        return text
    return f"{text:<{_COMMENT_COLUMN - 1}} # {comment}" if len(text) < _COMMENT_COLUMN - 1 else f"{text}  # {comment}"


def source_yaml(
    source: Source,
    *,
    file_name: str,
    extracted: Extracted,
    kind_guessed: bool,
    title_from: str | None,
    origin_guessed: bool,
) -> str:
    """The YAML of a new source: its known fields, and the others as comments to complete."""
    lines = [
        f"# Added by `provenance add-source` from {_printable(file_name)}: complete the commented fields,",
        "# then run `provenance check`. See seeds/README.md for what each field means.",
        f"id: {source.id}",
        _line(
            f"kind: {source.kind}",
            "guessed from the file type: check it (see schema/sources.schema.json)" if kind_guessed else None,
        ),
        _line(f"title: {_scalar(source.title)}", f"from {title_from}: check it" if title_from else None),
    ]
    if source.authors:
        lines.append("authors:")
        lines += [f"  - {_scalar(_name(a))}" for a in source.authors]
    else:
        lines += [
            _line("# authors:", '"Family, Given" for a person; an organisation without a comma'),
            "#   - Family, Given",
        ]
    if source.issued:
        lines.append(f"issued: {json.dumps(source.issued)}")
    else:
        lines.append(_line('# issued: "YYYY-MM-DD"', "EDTF: when the document was issued, not the events"))
    lines.append(
        _line(f"origin: {source.origin}", "a placeholder: primary | secondary | tertiary; check it" if origin_guessed else None)
    )
    lines += [
        "# reliability:",
        _line("#   grade: F", "Admiralty A (reliable) ... F (cannot be judged)"),
        _line("#   reason: ...", "one line a historian would accept for the grade"),
        "# container_title: ...",
        "# publisher: ...",
        _line("# url: https://...", "where it was found"),
        "# archive: ...",
        _line("# archive_location: ...", "document number, fond/opis/delo, CIA-RDP number"),
        _line("# language: en", "BCP 47 tag of the text"),
        _line(f"text: {source.text}", extracted.how),
    ]
    return "\n".join(lines) + "\n"


def _name(name: Name) -> str:
    """A name as a seed file writes it: "Family, Given", or the literal name."""
    if name.literal:
        return name.literal
    return f"{name.family}, {name.given}" if name.given else str(name.family)


_OPTIONS = {"title": "--title", "kind": "--kind", "issued": "--issued", "authors": "--author", "origin": "--origin"}


def _validated(data: dict) -> Source:
    """The Source the options describe, or an error naming the option that is wrong."""
    try:
        return Source.model_validate(data)
    except ValidationError as ex:
        problems = []
        for error in ex.errors():
            field = error["loc"][0] if error["loc"] else ""
            message = error["msg"].removeprefix("Value error, ")
            if field == "authors" and len(error["loc"]) > 1:
                given = data["authors"][error["loc"][1]] if isinstance(error["loc"][1], int) else ""
                message = f"{given!r}: {message}"
            problems.append(f"{_OPTIONS.get(str(field), field)}: {message}")
        raise IngestError("; ".join(problems)) from ex


# -- writing --------------------------------------------------------------------------------


def add_source(
    seeds_dir: Path,
    file: Path,
    source_id: str,
    *,
    title: str | None = None,
    kind: str | None = None,
    issued: str | None = None,
    authors: Sequence[str] = (),
    origin: str | None = None,
    encoding: str | None = None,
) -> AddedSource:
    """Extract ``file``'s text and add it to the seeds as a new source with id ``source_id``.

    Everything is checked before anything is written: the id, the file, the targets, the
    extraction and the record. Then the text and the YAML are written atomically.
    """
    check_id(source_id)
    text_path, yaml_path = _targets(seeds_dir, source_id)
    _check_new_id(seeds_dir, source_id)
    check_regular_file(file)
    if file.suffix.lower() not in EXTENSIONS:
        raise IngestError(_unknown_extension(file))
    if kind is not None and kind not in SOURCE_KINDS:
        raise IngestError(f"--kind: {kind!r} is not one of {', '.join(SOURCE_KINDS)}")
    extracted = extract_text(file, encoding)

    chosen_title = " ".join((title or extracted.title or file.name).split())
    title_from = None if title else extracted.title_from or "the file name"
    data: dict = {
        "id": source_id,
        "kind": kind or DEFAULT_KINDS[file.suffix.lower()],
        "title": chosen_title,
        "origin": origin or DEFAULT_ORIGIN,
        "text": f"texts/{source_id}.txt",
    }
    if authors:
        data["authors"] = list(authors)
    if issued is not None:
        data["issued"] = issued
    source = _validated(data)
    yaml_text = source_yaml(
        source,
        file_name=file.name,
        extracted=extracted,
        kind_guessed=kind is None,
        title_from=title_from,
        origin_guessed=origin is None,
    )
    _check_round_trip(yaml_text, source)
    _write_both(
        [(text_path, extracted.text.encode("utf-8")), (yaml_path, yaml_text.encode("utf-8"))],
    )
    return AddedSource(source, text_path, yaml_path, extracted)


def _check_round_trip(yaml_text: str, source: Source) -> None:
    """The YAML written must read back as exactly this source, so that `check` accepts it."""
    parsed = read_yaml("", yaml_text)
    try:
        again = Source.model_validate(parsed.value)
    except ValidationError as ex:
        raise IngestError(f"internal error: the source written would not validate: {ex}") from ex
    if parsed.problems or again != source:
        raise IngestError("internal error: the source written would not read back as given")


def _write_both(files: list[tuple[Path, bytes]]) -> None:
    """Write each file to a temporary file beside it, then rename them all into place.

    A failure before the renames leaves only removed temporary files; a failure between
    them removes what was already renamed, so the seeds never hold a text without its
    record or a record without its text. Temporary names start with a dot, which the
    seeds reader skips.
    """
    temporaries: list[tuple[str, Path]] = []
    placed: list[Path] = []
    try:
        for target, data in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            temporaries.append((temp, target))
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        for temp, target in temporaries:
            if os.path.lexists(target):  # created since the checks: never overwrite
                raise IngestError(f"{target} appeared while writing; nothing was added")
            os.replace(temp, target)
            placed.append(target)
    except BaseException as ex:
        for temp, _ in temporaries:
            if os.path.lexists(temp):
                os.unlink(temp)
        for target in placed:
            os.unlink(target)
        if isinstance(ex, OSError):
            raise IngestError(f"cannot write {ex.filename or 'the seeds'}: {ex.strerror}; nothing was added") from ex
        raise
