"""Read the seeds folder into validated records, reporting every problem with its place.

The folder (documented in ``seeds/README.md``)::

    seeds/
      sources/*.yaml      one source (a mapping) or a list of sources per file
      citations/*.yaml    lists of citations (footnotes) between sources
      entities/*.yaml     lists of people, places, units, organisations, events
      properties/*.yaml   lists of the properties claims may state
      claims/*.yaml       lists of claims with their evidence inline; the file name is the topic
      texts/              the source texts, unchanged

:class:`Seeds` reads them in that order and yields records one at a time, so a build can
write them as they come; claims are read a file at a time and source texts are kept in a
small cache, so memory does not grow with the corpus (beyond an index of ids, and the
relative dates with the dates they count from, checked after the last claim). Problems
are collected, never raised one by one: after the last record, :meth:`Seeds.records`
raises :class:`~provenance.errors.SeedsInvalid` with all of them.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import stat
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .anchorer import Anchorer, Job, Pending, Result
from .anchoring import Anchor, normalise_text
from .dates import FIRST_DAY, LAST_DAY, check_edtf, edtf_interval, shift_interval
from .errors import Problem, SeedsInvalid
from .models import SLUG_PATTERN, SQLITE_MAX_INT, Citation, Claim, Entity, Evidence, Property, Source
from .yamlfile import YamlFile, read_yaml

__all__ = [
    "MAX_TEXT_BYTES",
    "Seeds",
    "record_counts",
    "SourceRecord",
    "ClaimRecord",
    "EvidenceRecord",
    "Located",
    "seeds_digest",
    "evidence_id",
    "QUOTE_WORDS",
]

FOLDERS = ("sources", "citations", "entities", "properties", "claims")
_FOLDER_LIST = "sources/, citations/, entities/, properties/ or claims/"
QUOTE_WORDS = (4, 150)  # a quote shorter or longer than this is an error
QUOTE_WORDS_ADVISED = (8, 80)  # outside this, a warning
MAX_TEXT_BYTES = 50 * 1024 * 1024
MAX_YAML_BYTES = MAX_TEXT_BYTES  # a seed file's records are read whole; a million claims fit in many files
# From this many claims on, quotes are anchored in a second process (see anchorer.py).
ANCHOR_IN_WORKER_FROM = 5000


@dataclass(frozen=True)
class Located:
    """A validated record with the file and line it was read from."""

    record: Any
    file: str  # relative to the seeds folder, with forward slashes
    line: int


@dataclass(frozen=True)
class SourceRecord:
    source: Source
    file: str
    line: int
    text: str | None
    sha256: str | None


@dataclass(frozen=True)
class EvidenceRecord:
    evidence: Evidence
    id: str
    anchor: Anchor | None
    line: int


@dataclass(frozen=True)
class _Unanchored:
    """An evidence item that passed every check but anchoring, with its anchoring job."""

    evidence: Evidence
    id: str
    line: int
    loc: Located  # the claim, and the item's position in its evidence: where to report a problem
    position: int
    job: Job


class _Relative(NamedTuple):
    """A claim's relative date, kept until the last claim is read (a plain tuple, no per-object dict)."""

    base: str  # the claim it counts from
    days: int
    event_date: str | None  # the claim's own event date, to check the resolved date against
    file: str
    claim_line: int  # line of value.relative.claim
    days_line: int  # line of value.relative.days


_UNREAD = ("", "")  # the date of a claim counted from, not read yet (compared by identity)


@dataclass(frozen=True)
class ClaimRecord:
    claim: Claim
    topic: str
    file: str
    line: int
    evidence: list[EvidenceRecord]


@dataclass(frozen=True)
class _PendingClaim:
    """A claim that passed every check but the anchoring of its quotes."""

    claim: Claim
    topic: str
    file: str
    line: int
    evidence: list[_Unanchored]


def record_counts(records: Iterable[SourceRecord | Located | ClaimRecord]) -> dict[str, int]:
    """How many of each kind of record the seeds hold, as ``check`` reports them."""
    counts = dict.fromkeys(["sources", "sources with text", "citations", "entities", "properties", "claims", "evidence"], 0)
    names: dict[type, str] = {Citation: "citations", Entity: "entities", Property: "properties"}
    for record in records:
        if isinstance(record, SourceRecord):
            counts["sources"] += 1
            counts["sources with text"] += record.text is not None
        elif isinstance(record, ClaimRecord):
            counts["claims"] += 1
            counts["evidence"] += len(record.evidence)
        else:
            counts[names[type(record.record)]] += 1
    return counts


def evidence_id(claim_id: str, evidence: Evidence) -> str:
    """The stable id of an evidence item: curated, or derived from claim, source and quote."""
    if evidence.id:
        return evidence.id
    quote = normalise_text(evidence.quote)
    digest = hashlib.sha1(f"{claim_id}\n{evidence.source}\n{quote}".encode()).hexdigest()
    return f"ev-{digest[:12]}"


def seeds_digest(directory: str | os.PathLike) -> str:
    """A sha256 over every file of the seeds folder (names and contents), to tell when it changed.

    It never fails and never reads what the checks refuse: a file it cannot read, a link
    out of the folder or a file too large to be a seed or text counts by its name and
    state (size and time for the large one), and the build reports it."""
    root = Path(directory)
    inside = root.resolve()
    digest = hashlib.sha256()
    for path in sorted(_walk(root)):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        try:
            info = os.stat(path)
            if not path.resolve().is_relative_to(inside) or not stat.S_ISREG(info.st_mode):
                digest.update(b"not read")
            elif info.st_size > MAX_TEXT_BYTES:
                digest.update(f"too large {info.st_size} {info.st_mtime_ns}".encode())
            else:
                file_digest = hashlib.sha256()
                with _open(path) as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        file_digest.update(block)
                digest.update(file_digest.digest())
        except (OSError, RuntimeError):  # RuntimeError: a loop of links (Path.resolve)
            digest.update(b"unreadable")
    return digest.hexdigest()


def _walk(root: Path) -> Iterator[Path]:
    """Every file under ``root`` but hidden ones, without following links to folders (no loops)."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        yield from (Path(folder) / name for name in files if not name.startswith("."))


def _is_yaml(name: str) -> bool:
    """A seed file's name: .yaml or .yml, in any case (combat.YAML is read, not dropped)."""
    return name.lower().endswith((".yaml", ".yml"))


# -- the file system ------------------------------------------------------------------
#
# Seed files and texts are opened and folders listed only through these two functions, so
# that the tests can make them fail as ``chmod 000`` does for other users (root reads
# through it).


def _open(path: Path) -> typing.BinaryIO:
    return open(path, "rb")


def _list_dir(path: Path) -> list[os.DirEntry]:
    """The entries of a folder, in name order."""
    with os.scandir(path) as entries:
        return sorted(entries, key=lambda entry: entry.name)


class _Unreadable(Exception):
    """A seed file or text that was not read, and why, in a curator's words."""


def _reason(ex: OSError) -> str:
    """'permission denied' from a PermissionError, and so on."""
    return (ex.strerror or type(ex).__name__).lower()


def _read_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; raises _Unreadable.

    The size is checked before reading (a sparse 2 GiB file costs nothing), and only
    regular files are opened: a FIFO would block the build, a device never ends."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise _Unreadable("is not a regular file")
        if info.st_size > limit:
            raise _Unreadable(f"is larger than {limit // 2**20} MiB")
        with _open(path) as handle:
            raw = handle.read(limit + 1)
    except OSError as ex:
        raise _Unreadable(f"cannot be read ({_reason(ex)})") from None
    if len(raw) > limit:  # it grew after the stat
        raise _Unreadable(f"is larger than {limit // 2**20} MiB")
    return raw


@dataclass
class _Index:
    """Where each id was defined, per kind, for duplicate and reference checks."""

    places: dict[str, dict[str, tuple[str, int]]] = field(default_factory=lambda: {k: {} for k in FOLDERS + ("evidence",)})

    def add(self, kind: str, record_id: str, file: str, line: int) -> tuple[str, int] | None:
        seen = self.places[kind]
        if record_id in seen:
            return seen[record_id]
        seen[record_id] = (file, line)
        return None

    def has(self, kind: str, record_id: str) -> bool:
        return record_id in self.places[kind]

    def suggest(self, kind: str, record_id: str) -> str:
        close = difflib.get_close_matches(record_id, list(self.places[kind]), n=1, cutoff=0.75)
        return f" (did you mean {close[0]!r}?)" if close else ""


class Seeds:
    """The seeds folder, read lazily. Iterate :meth:`records` once; then see ``warnings``."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.display = str(directory).rstrip("/\\") or "."
        self.problems: list[Problem] = []
        self.index = _Index()
        self._text_files: dict[str, tuple[str, str]] = {}  # source id -> (sha256 of its text, path)
        self._pending_links: list[tuple[str, int, str, str, str]] = []  # (file, line, claim, field, target)
        # Relative dates are checked after the last claim (_check_relative_dates). Kept until
        # then: each relative value, and the date of each claim a relative value counts from
        # (as the EDTF text and where it came from), nothing for other claims. See _keep_base_dates.
        self._relatives: dict[str, _Relative] = {}
        self._base_dates: dict[str, tuple[str, str] | None] = {}
        self._citations: dict[str, Citation] = {}
        self._broken: set[str] = set()  # ids of records that failed validation
        self._names: dict[str, tuple[str, str, int]] = {}  # an entity name or alias, casefolded -> entity, file, line
        # Each relative claim's interval once resolved (after the last claim): the build
        # writes it into the claim's row. Bounded, as _relatives is, by the relative values.
        self.resolved_dates: dict[str, tuple[str, str]] = {}
        self._unreadable: set[str] = set()  # kinds with a file that could not be parsed

    def digest(self) -> str:
        """What the database records as the seeds it was built from (to know when to rebuild)."""
        return seeds_digest(self.directory)

    def inputs(self) -> Path:
        """What a build reads from, resolved: its output must not be in there."""
        return self.directory.resolve()

    # -- problems ---------------------------------------------------------------------

    @property
    def errors(self) -> list[Problem]:
        return sorted(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> list[Problem]:
        return sorted(p for p in self.problems if p.severity == "warning")

    def _path(self, relative: str) -> str:
        return f"{self.display}/{relative}"

    def _relative(self, path: str) -> str:
        return path[len(self.display) + 1 :]

    def _topic(self, file: str, loc: Located) -> str:
        """A claim's topic: the name of the file it is curated in."""
        return Path(file).stem

    def _text_file(self, source: Source) -> tuple[Path, Path]:
        """Where a source's text file is, and the folder it must stay inside (only asked
        of a source that has one)."""
        assert source.text is not None
        return (self.directory / source.text).resolve(), self.directory.resolve()

    def _problem(self, file: str, line: int, record: str, fld: str, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self._path(file), line, record, fld, message, severity))

    # -- reading ----------------------------------------------------------------------

    def records(self) -> Iterator[SourceRecord | Located | ClaimRecord]:
        """Yield every record, sources first and claims last; raise SeedsInvalid at the end if any error."""
        if not self.directory.is_dir():
            raise SeedsInvalid([Problem(self.display, 1, "", "", "the seeds folder does not exist")])
        self._check_layout()
        files = {folder: self._files(folder) for folder in FOLDERS}
        if not any(files.values()):
            self._problem(".", 1, "", "", f"no seed files found: expected YAML files in {', '.join(FOLDERS)}/")

        sources = [loc for f in files["sources"] for loc in self._read(f, Source, "sources", allow_single=True)]
        entities = [loc for f in files["entities"] for loc in self._read(f, Entity, "entities")]
        properties = {loc.record.id: loc.record for f in files["properties"] for loc in self._read(f, Property, "properties")}
        citations = [loc for f in files["citations"] for loc in self._read(f, Citation, "citations")]

        for loc in sources:
            yield self._source_record(loc)
        for loc in entities:
            self._check_entity(loc)
            yield loc
        for loc in citations:
            self._check_citation(loc)
            self._citations[loc.record.id] = loc.record
            yield loc
        yield from (Located(p, "", 0) for p in properties.values())
        # Claims a file (or chunk) at a time: validated here, their quotes anchored by the
        # anchorer, perhaps in a second process while the next file is validated.
        anchorer = Anchorer(worker=self._claims_expected(files["claims"]) >= ANCHOR_IN_WORKER_FROM)
        try:
            waiting: tuple[list[_PendingClaim], Pending] | None = None
            for file in files["claims"]:
                claims = [
                    self._claim_record(loc, self._topic(file, loc), properties) for loc in self._read(file, Claim, "claims")
                ]
                self._keep_base_dates(claims)
                jobs = [item.job for claim in claims for item in claim.evidence]
                submitted = (claims, anchorer.submit(jobs))
                if waiting is not None:
                    yield from self._anchored(*waiting)
                waiting = submitted
            if waiting is not None:
                yield from self._anchored(*waiting)
        except BaseException:  # including a reader that stops early (GeneratorExit)
            anchorer.kill()
            raise
        anchorer.close()
        self._check_links()
        self._check_relative_dates()
        self._check_citation_cycles()
        if self.errors:
            raise SeedsInvalid(self.errors)

    def _check_layout(self) -> None:
        """Report what the top of the seeds folder holds that would not be read.

        A misspelt folder ("claim/") or a seed file outside the folders would otherwise be
        left out of the build without a word."""
        try:
            entries = _list_dir(self.directory)
        except OSError as ex:
            raise SeedsInvalid([Problem(self.display, 1, "", "", f"cannot read the seeds folder ({_reason(ex)})")]) from None
        known = FOLDERS + ("texts",)
        for entry in entries:
            if entry.name.startswith(".") or entry.name in known:
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                close = difflib.get_close_matches(entry.name, known, n=1, cutoff=0.6)
                if close:
                    self._unreadable.add(close[0])  # its ids may be in there: no "unknown id" for each
                    where = f" (did you mean {close[0]!r}?): nothing in it was read"
                else:
                    where = f": nothing in it was read; seed files go in {_FOLDER_LIST}, texts in texts/"
                self._problem(entry.name, 1, "", "", f"unknown folder {entry.name!r}{where}")
            elif _is_yaml(entry.name):
                self._problem(entry.name, 1, "", "", f"a seed file here is not read: move it into {_FOLDER_LIST}")

    def _files(self, folder: str) -> list[str]:
        """The YAML files of a folder and its subfolders, in name order; what cannot be read is reported."""
        root = self.directory.resolve()
        found: list[Path] = []
        pending = [self.directory / folder]
        seen: set[Path] = set()  # folders listed, resolved: a link back up is not a loop
        while pending:
            base = pending.pop()
            relative = base.relative_to(self.directory).as_posix()
            try:
                resolved = base.resolve()
            except (OSError, RuntimeError):  # a loop of links
                resolved = None
            if resolved is None or not resolved.is_relative_to(root):
                self._problem(relative, 1, "", "", "a link to a folder outside the seeds folder; nothing in it was read")
                self._unreadable.add(folder)
                continue
            if resolved in seen or not base.is_dir():
                continue
            seen.add(resolved)
            try:
                entries = _list_dir(base)
            except OSError as ex:
                self._problem(relative, 1, "", "", f"cannot read the folder ({_reason(ex)}); none of its files were read")
                self._unreadable.add(folder)
                continue
            for entry in entries:
                if not entry.name.startswith("."):
                    self._file_entry(folder, base / entry.name, root, found, pending)
        return [path.relative_to(self.directory).as_posix() for path in sorted(found)]

    def _file_entry(self, folder: str, path: Path, root: Path, found: list[Path], pending: list[Path]) -> None:
        """Sort one entry of a seeds folder: a folder to list, a YAML file to read, or a problem."""
        relative = path.relative_to(self.directory).as_posix()
        if path.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                if _is_yaml(path.name):
                    self._problem(relative, 1, "", "", "a link to a file that does not exist; it was not read")
                    self._unreadable.add(folder)
                return
            if not target.is_relative_to(root):
                # refused without reading: its contents could end up in an error message
                self._problem(
                    relative, 1, "", "", "a link to a file outside the seeds folder; it was not read (copy the file in instead)"
                )
                self._unreadable.add(folder)
                return
        if path.is_dir():
            pending.append(path)
        elif not _is_yaml(path.name):
            if path.suffix not in (".md", ".txt"):
                self._problem(relative, 1, "", "", "not a YAML file (expected .yaml); it was ignored", "warning")
        elif not path.is_file():
            self._problem(relative, 1, "", "", "the file is not a regular file (a FIFO, device or socket); it was not read")
            self._unreadable.add(folder)
        else:
            found.append(path)

    def _read(self, file: str, model: type[BaseModel], kind: str, allow_single: bool = False) -> list[Located]:
        parsed = self._parse(file)
        if parsed is None or (parsed.value is None and parsed.problems):
            self._unreadable.add(kind)
        if parsed is None or parsed.value is None:
            return []
        value = parsed.value
        if isinstance(value, dict) and allow_single:
            items: list[tuple[tuple, Any]] = [((), value)]
        elif isinstance(value, list):
            items = [((i,), item) for i, item in enumerate(value)]
        else:
            shape = "a mapping (one source) or a list" if allow_single else "a list of records, each starting with '- id:'"
            self._problem(file, parsed.line(()), "", "", f"expected {shape}, found {_describe(value)}")
            return []
        out = []
        for root, item in items:
            located = self._validate(parsed, root, item, model, kind)
            if located is not None:
                out.append(located)
        return out

    def _parse(self, file: str) -> YamlFile | None:
        path = self.directory / file
        try:
            raw = _read_file(path, MAX_YAML_BYTES)
        except _Unreadable as ex:
            self._problem(file, 1, "", "", f"the file {ex}")
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as ex:
            line = raw[: ex.start].count(b"\n") + 1
            self._problem(
                file, line, "", "", f"not UTF-8 text (byte {raw[ex.start]:#04x} at offset {ex.start}); save the file as UTF-8"
            )
            return None
        parsed = read_yaml(self._path(file), text.removeprefix("\ufeff"))
        for problem, where in zip(parsed.problems, parsed.problem_paths, strict=True):
            self.problems.append(_with_record(problem, where, parsed.value))
        return parsed

    def _validate(self, parsed: YamlFile, root: tuple, item: Any, model: type[BaseModel], kind: str) -> Located | None:
        file = self._relative(parsed.path)
        line = parsed.line(root)
        if not isinstance(item, dict):
            self._problem(file, line, "", "", f"expected a record (a mapping of fields), found {_describe(item)}")
            return None
        record_id: str = item["id"] if isinstance(item.get("id"), str) else f"#{root[0] + 1}" if root else ""
        try:
            record = model.model_validate(item)
        except ValidationError as ex:
            yaml_lines = {p.line for p in parsed.problems}
            for loc, message in _messages(ex, model):
                line = parsed.line(root + loc)
                if line in yaml_lines and loc and loc[-1] in item and item.get(loc[-1]) is None:
                    continue  # the YAML problem on this line already explains the missing value
                self._problem(file, line, record_id, _field(loc), message)
            if isinstance(item.get("id"), str):
                # Known but broken: references to it are not reported again as unknown.
                self.index.add(kind, item["id"], file, line)
                self._broken.add(item["id"])
            return None
        record_id = item["id"]  # validated: every record read from a file has an id
        first = self.index.add(kind, record_id, file, line)
        if first is not None:
            self._problem(file, line, record_id, "id", f"duplicate id: already used at {self._path(first[0])}:{first[1]}")
            return None
        located = Located(record, file, line)
        object.__setattr__(located, "_yaml", parsed)  # kept for field lines in later checks
        object.__setattr__(located, "_root", root)
        return located

    def _line(self, loc: Located, *path: Any) -> int:
        return loc._yaml.line(loc._root + path)  # type: ignore[attr-defined]

    def _ref(self, loc: Located, kind: str, ref: str, path: tuple, what: str) -> bool:
        if self.index.has(kind, ref):
            return True
        if kind in self._unreadable:
            return False  # a file of that kind could not be read: the id may be in it
        self._problem(
            loc.file,
            self._line(loc, *path),
            loc.record.id,
            _field(path),
            f"unknown {what} {ref!r}{self.index.suggest(kind, ref)}",
        )
        return False

    # -- sources and their texts -------------------------------------------------------

    def _source_record(self, loc: Located) -> SourceRecord:
        source: Source = loc.record
        text = sha = None
        if source.text is not None:
            loaded = self._load_text(loc)
            if loaded is not None:
                text, sha = loaded
            else:
                self._broken.add(source.id)  # its quotes cannot be checked: say so once, at the source
        return SourceRecord(source, loc.file, loc.line, text, sha)

    def _load_text(self, loc: Located) -> tuple[str, str] | None:
        source: Source = loc.record
        line = self._line(loc, "text")
        try:
            path, root = self._text_file(source)
        except (OSError, RuntimeError):  # a loop of links
            self._problem(loc.file, line, source.id, "text", f"{source.text!r} is a link that cannot be followed")
            return None
        if not path.is_relative_to(root):
            self._problem(loc.file, line, source.id, "text", f"{source.text!r} is outside the seeds folder")
            return None
        if not path.exists():
            self._problem(loc.file, line, source.id, "text", f"text file {source.text!r} not found")
            return None
        try:
            raw = _read_file(path, MAX_TEXT_BYTES)
        except _Unreadable as ex:
            self._problem(loc.file, line, source.id, "text", f"text file {source.text} {ex}")
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as ex:
            at = raw[: ex.start].count(b"\n") + 1
            self._problem(
                loc.file,
                line,
                source.id,
                "text",
                f"{source.text} is not UTF-8 (line {at}, byte offset {ex.start}); convert it to UTF-8",
            )
            return None
        if not text.strip():
            self._problem(loc.file, line, source.id, "text", f"{source.text} is empty")
            return None
        nul = raw.find(b"\0")
        if nul >= 0:
            # Never in a text as received: a UTF-16 file or a binary one (a PDF saved as .txt)
            at = raw[:nul].count(b"\n") + 1
            self._problem(
                loc.file,
                line,
                source.id,
                "text",
                f"{source.text} has a NUL byte (line {at}, byte offset {nul}); save the document as UTF-8 plain text",
            )
            return None
        sha = hashlib.sha256(raw).hexdigest()
        self._text_files[source.id] = (sha, str(path))
        return text, sha

    # -- entities and citations --------------------------------------------------------

    def _check_entity(self, loc: Located) -> None:
        entity: Entity = loc.record
        for i, alias in enumerate(entity.aliases):
            for j, source in self._listed_once(loc, ("aliases", i, "sources"), alias.sources):
                self._ref(loc, "sources", source, ("aliases", i, "sources", j), "source")
        self._check_shared_names(loc)

    def _check_shared_names(self, loc: Located) -> None:
        """Warn when another entity has one of this entity's names (ignoring case).

        A warning, not an error: sources do use one name for two people ("Belov"), and the
        curator may be right to keep them apart; but a search for the name finds both, and
        it often means one entity was entered twice."""
        entity: Entity = loc.record
        names = [(entity.name, ("name",))] + [(alias.name, ("aliases", i)) for i, alias in enumerate(entity.aliases)]
        warned = set()
        for name, path in names:
            key = name.casefold()
            first = self._names.setdefault(key, (entity.id, loc.file, self._line(loc, *path)))
            if first[0] != entity.id and key not in warned:
                warned.add(key)
                self._problem(
                    loc.file,
                    self._line(loc, *path),
                    entity.id,
                    _field(path),
                    f"{name!r} is also a name of {first[0]!r} ({self._path(first[1])}:{first[2]}); a search for it finds both "
                    "entities: merge them if they are one, or keep the name on both if the sources really use it for each",
                    "warning",
                )

    def _check_citation(self, loc: Located) -> None:
        citation: Citation = loc.record
        self._ref(loc, "sources", citation.source, ("source",), "source")
        self._ref(loc, "sources", citation.cites, ("cites",), "source")

    def _check_citation_cycles(self) -> None:
        """A cycle of citations (A cites B cites A) is reported as a warning; analysis cuts it."""
        graph: dict[str, list[str]] = {}
        for citation in self._citations.values():
            graph.setdefault(citation.source, []).append(citation.cites)
        state: dict[str, int] = {}
        reported: set[frozenset] = set()
        for start in sorted(graph):
            stack = [(start, iter(graph.get(start, ())))]
            path = [start]
            state[start] = state.get(start, 0) or 1
            if state[start] == 2:
                continue
            while stack:
                node, children = stack[-1]
                child = next(children, None)
                if child is None:
                    stack.pop()
                    path.pop()
                    state[node] = 2
                    continue
                if state.get(child) == 1:
                    cycle = path[path.index(child) :] + [child]
                    if frozenset(cycle) not in reported:
                        reported.add(frozenset(cycle))
                        where = self.index.places["sources"].get(child, ("", 1))
                        self._problem(where[0], where[1], child, "", "citation cycle: " + " -> ".join(cycle), "warning")
                elif not state.get(child):
                    state[child] = 1
                    path.append(child)
                    stack.append((child, iter(graph.get(child, ()))))

    # -- claims and evidence -----------------------------------------------------------

    def _claim_record(self, loc: Located, topic: str, properties: dict[str, Property]) -> _PendingClaim:
        claim: Claim = loc.record
        if claim.subject:
            self._ref(loc, "entities", claim.subject, ("subject",), "entity")
        if claim.property:
            declared = properties.get(claim.property)
            if self._ref(loc, "properties", claim.property, ("property",), "property") and declared:
                if claim.value is not None and claim.value.kind != declared.value_type:
                    self._problem(
                        loc.file,
                        self._line(loc, "value"),
                        claim.id,
                        "value",
                        f"property {claim.property!r} takes {_a(declared.value_type)} value, not {_a(claim.value.kind)}",
                    )
        if claim.value is not None and claim.value.entity:
            self._ref(loc, "entities", claim.value.entity, ("value", "entity"), "entity")
        if claim.value is not None and claim.value.relative:
            relative = claim.value.relative
            path = ("value", "relative", "claim")
            line = self._line(loc, *path)
            self._pending_links.append((loc.file, line, claim.id, _field(path), relative.claim))
            days_line = self._line(loc, "value", "relative", "days")
            self._relatives[claim.id] = _Relative(relative.claim, relative.days, claim.event_date, loc.file, line, days_line)
            self._base_dates.setdefault(relative.claim, _UNREAD)
        links = self._listed_once(loc, ("links",), claim.links, key=lambda link: f"{link.relation} {link.claim}")
        if len(links) < len(claim.links):  # a link given twice is reported, and written once
            claim = claim.model_copy(update={"links": [link for _i, link in links]})
        for i, link in links:
            self._pending_links.append(
                (loc.file, self._line(loc, "links", i, "claim"), claim.id, f"links[{i + 1}].claim", link.claim)
            )
        if not claim.evidence:
            self._problem(loc.file, loc.line, claim.id, "evidence", "the claim has no evidence", "warning")

        items = []
        seen: dict[str, tuple[str, int]] = {}
        for i, evidence in enumerate(claim.evidence):
            item = self._evidence(loc, i, evidence, seen)
            if item is not None:
                items.append(item)
        return _PendingClaim(claim, topic, loc.file, loc.line, items)

    def _anchored(self, claims: list[_PendingClaim], results: Pending) -> Iterator[ClaimRecord]:
        """The claims of a chunk, each item with its anchor; quotes that could not be anchored are reported."""
        anchors: Iterator[Result] = iter(results.result())
        for record in claims:
            items = []
            for item in record.evidence:
                anchor = next(anchors)
                if isinstance(anchor, str):
                    path = ("evidence", item.position, "quote")
                    self._problem(record.file, self._line(item.loc, *path), record.claim.id, _field(path), anchor)
                else:
                    items.append(EvidenceRecord(item.evidence, item.id, anchor, item.line))
            yield ClaimRecord(record.claim, record.topic, record.file, record.line, items)

    def _claims_expected(self, files: list[str]) -> int:
        """About how many claims the files hold, to decide where to anchor (YAML: by size)."""
        return sum((self.directory / f).stat().st_size for f in files) // 500

    def _evidence(self, loc: Located, i: int, evidence: Evidence, seen: dict) -> _Unanchored | None:
        claim: Claim = loc.record
        path = ("evidence", i)
        line = self._line(loc, *path)
        ok = self._ref(loc, "sources", evidence.source, path + ("source",), "source")
        if len(self._listed_once(loc, path + ("via",), evidence.via)) < len(evidence.via):
            ok = False  # reported; the item is not anchored or written
        for j, via in enumerate(evidence.via):
            if self._ref(loc, "citations", via, path + ("via", j), "citation") and via in self._citations:
                citing = self._citations[via].source
                if citing != evidence.source:
                    self._problem(
                        loc.file,
                        self._line(loc, *path, "via", j),
                        claim.id,
                        _field(path + ("via", j)),
                        f"citation {via!r} is a note of {citing!r}, not of {evidence.source!r}",
                    )
        ev_id = evidence_id(claim.id, evidence)
        # A derived id includes the claim's id, so it can only repeat within this claim;
        # only curated ids need the corpus-wide index (memory for the claim, not the corpus).
        first = self.index.add("evidence", ev_id, loc.file, line) if evidence.id else seen.get(ev_id)
        seen.setdefault(ev_id, (loc.file, line))
        if first is not None:
            what = "evidence id" if evidence.id else "the same passage of the same source is already evidence for this claim"
            self._problem(loc.file, line, claim.id, _field(path), f"{what}: {ev_id} (first at {self._path(first[0])}:{first[1]})")
            return None

        words = word_count(evidence.quote)
        low, high = QUOTE_WORDS
        advised_low, advised_high = QUOTE_WORDS_ADVISED  # inside (low, high)
        if not advised_low <= words <= advised_high:
            where = (loc.file, self._line(loc, *path, "quote"), claim.id, _field(path + ("quote",)))
            if not low <= words <= high:
                self._problem(*where, f"the quote has {words} words; quotes need {low} to {high}")
                return None
            self._problem(*where, f"the quote has {words} words; {advised_low} to {advised_high} are advised", "warning")
        if not ok or evidence.source in self._broken:
            return None
        text_file = self._text_files.get(evidence.source)
        if text_file is None:
            if self.index.has("sources", evidence.source):
                self._problem(
                    loc.file,
                    line,
                    claim.id,
                    _field(path + ("source",)),
                    f"source {evidence.source!r} has no text to quote from; quote the source that cites it, with via",
                )
            return None
        job = (*text_file, evidence.quote, evidence.occurrence)
        return _Unanchored(evidence, ev_id, line, loc, i, job)

    def _listed_once(self, loc: Located, path: tuple, items: list, key=str) -> list[tuple[int, Any]]:
        """The items of a list with their positions, each the first time only; an item given
        again is an error at its line: "listed twice" is a slip, and the database keeps
        each once (a via or link twice broke its table's key at insert, after check said ok)."""
        first: dict[str, int] = {}
        out = []
        for i, item in enumerate(items):
            shown = key(item)
            if shown in first:
                message = f"{shown!r} is listed twice (first as {_field(path + (first[shown],))}); remove one"
                self._problem(loc.file, self._line(loc, *path, i), loc.record.id, _field(path + (i,)), message)
            else:
                first[shown] = i
                out.append((i, item))
        return out

    def _check_links(self) -> None:
        for file, line, claim_id, fld, target in self._pending_links:
            if not self.index.has("claims", target):
                self._problem(file, line, claim_id, fld, f"unknown claim {target!r}{self.index.suggest('claims', target)}")
            elif target == claim_id:
                self._problem(file, line, claim_id, fld, "a claim cannot link to itself")

    # -- relative dates ----------------------------------------------------------------
    #
    # A relative value ("12 days after the CPV entered Korea") resolves to the date of the
    # claim it counts from (its value.date, its own resolved relative value, else its
    # event_date), as an interval of days, moved by `days`. It must overlap the claim's own
    # event_date. The base is often read after the relative claim (another topic file), so
    # the check runs after the last claim.
    #
    # Memory: claims are streamed, and keeping every claim's date for this check would add
    # an entry per claim (30 MB at a million claims for the dict alone, more for the dates)
    # for the few claims that are counted from. So only these are kept: every relative
    # value (_relatives), and the date of each claim that a relative value read *earlier*
    # names (_base_dates, filled as each file is read; a base in the same file is caught
    # whatever the order, as the whole file is looked at). A base read before any relative
    # value named it is read again at the end by a small second pass: only its own lines
    # (or JSON line) are parsed again (_reread_claims). Both are bounded by the number of
    # relative values, not of claims, and a corpus without them costs nothing.

    def _keep_base_dates(self, claims: list[_PendingClaim]) -> None:
        """Note the date of each claim of a file that a relative value counts from."""
        wanted = self._base_dates
        for record in claims:
            claim = record.claim
            if claim.id in wanted and claim.id not in self._relatives:
                wanted[claim.id] = _own_date(claim.value.date if claim.value is not None else None, claim.event_date)

    def _reread_claims(self, places: dict[str, tuple[str, int]]) -> Iterator[tuple[str, dict]]:
        """The raw records of some claims (id -> file and line where it was read), read again.

        Parsing dominates reading, so each claim's own lines are parsed, not its whole file;
        a file is parsed whole (once) only for claims whose layout defeats that."""
        by_file: dict[str, dict[int, str]] = {}
        for claim_id, (file, line) in places.items():
            by_file.setdefault(file, {})[line] = claim_id
        for file, wanted in by_file.items():
            try:
                text = (self.directory / file).read_bytes().decode("utf-8").removeprefix("\ufeff")
            except (OSError, UnicodeDecodeError):  # changed since it was read: its problems were reported then
                continue
            lines = _LINE_BREAK.split(text)
            rest: dict[int, str] = {}
            for line, claim_id in wanted.items():
                item = _list_item(self._path(file), lines, line)
                if isinstance(item, dict) and item.get("id") == claim_id:
                    yield claim_id, item
                else:
                    rest[line] = claim_id
            if not rest:
                continue
            parsed = read_yaml(self._path(file), text)
            if not isinstance(parsed.value, list):
                continue
            for i, item in enumerate(parsed.value):
                found = rest.get(parsed.line((i,)))
                if found is not None and isinstance(item, dict) and item.get("id") == found:
                    yield found, item

    def _check_relative_dates(self) -> None:
        """Resolve every relative value; report one that cannot be resolved or misses the claim's event_date."""
        if not self._relatives:
            return
        unread = {
            claim_id: self.index.places["claims"][claim_id]
            for claim_id, date in self._base_dates.items()
            if date is _UNREAD
            and claim_id not in self._relatives
            and claim_id not in self._broken
            and self.index.has("claims", claim_id)
        }
        for claim_id, record in self._reread_claims(unread) if unread else ():
            value = record.get("value")
            self._base_dates[claim_id] = _own_date(
                value.get("date") if isinstance(value, dict) else None, record.get("event_date")
            )
        resolved: dict[str, tuple[str, str] | None] = {}  # relative claim -> its interval, None if it has none
        for claim_id in self._relatives:
            if claim_id not in resolved:
                self._resolve(claim_id, resolved)
        self.resolved_dates = {claim_id: interval for claim_id, interval in resolved.items() if interval is not None}

    def _resolve(self, start: str, resolved: dict[str, tuple[str, str] | None]) -> None:
        """Resolve a relative claim and the relative claims it counts from, innermost first (no recursion)."""
        path, on_path = [start], {start}
        while True:
            base = self._relatives[path[-1]].base
            if base not in self._relatives or base in resolved:
                break
            if base in on_path:
                cycle = path[path.index(base) :] + [base]
                if len(cycle) > 2:  # a claim counted from itself is reported as a link to itself
                    r = self._relatives[base]
                    self._problem(
                        r.file,
                        r.claim_line,
                        base,
                        "value.relative.claim",
                        "the relative dates count from each other in a circle ("
                        + " -> ".join(cycle)
                        + "), so none of them has a "
                        "date; count one of them from a claim with a date, or give it a date",
                    )
                for claim_id in path:
                    resolved[claim_id] = None
                return
            path.append(base)
            on_path.add(base)
        for claim_id in reversed(path):
            resolved[claim_id] = self._resolve_one(claim_id, resolved)

    def _resolve_one(self, claim_id: str, resolved: dict[str, tuple[str, str] | None]) -> tuple[str, str] | None:
        """The interval a relative value denotes, once its base is resolved; problems reported here."""
        r = self._relatives[claim_id]
        if r.base in self._relatives:
            interval = resolved[r.base]
            if interval is None:
                return None  # reported where the chain breaks
            counted = self._relatives[r.base]
            base = f"{r.base} ({_count(counted.days)} {counted.base}: {_span(interval)})"
        else:
            date = self._base_dates.get(r.base, _UNREAD)
            if date is _UNREAD or r.base == claim_id:
                return None  # unknown or broken (reported), or its file changed since it was read
            if date is None:
                self._problem(
                    r.file,
                    r.claim_line,
                    claim_id,
                    "value.relative.claim",
                    f"{r.base} has no date to count from (neither value.date nor event_date); "
                    "give it one, or give this claim a date instead of a relative one",
                )
                return None
            text, source = date
            interval = edtf_interval(text)
            base = f"{r.base} ({text})" if source == "value.date" else f"{r.base} (event_date {text})"
        try:
            shifted = shift_interval(interval, r.days)
        except OverflowError:
            edge = f"after {LAST_DAY}, the last" if r.days > 0 else f"before {FIRST_DAY}, the first"
            message = f"{_count(r.days)} {base} falls {edge} day this tracker can compare; fix the days"
            self._problem(r.file, r.days_line, claim_id, "value.relative.days", message)
            return None
        if r.event_date is not None:
            low, high = edtf_interval(r.event_date)
            if shifted[1] < low or high < shifted[0]:
                self._problem(
                    r.file,
                    r.days_line,
                    claim_id,
                    "value.relative.days",
                    f"{_count(r.days)} {base} is {_span(shifted)}, but event_date is {_edtf_shown(r.event_date)}; "
                    "fix the days or the event date",
                )
        return shifted


# -- turning pydantic's errors into messages for a curator ----------------------------


def _with_record(problem: Problem, path: tuple, value: Any) -> Problem:
    """Name the record and field of a problem found while reading the YAML itself."""
    record = ""
    if path and isinstance(path[0], int) and isinstance(value, list) and path[0] < len(value):
        item = value[path[0]]
        record = item["id"] if isinstance(item, dict) and isinstance(item.get("id"), str) else f"#{path[0] + 1}"
        path = path[1:]
    elif isinstance(value, dict) and isinstance(value.get("id"), str):
        record = value["id"]
    return Problem(problem.path, problem.line, record, _field(path), problem.message, problem.severity)


def _field(loc: tuple) -> str:
    """('evidence', 2, 'quote') -> 'evidence[3].quote' (items count from 1, as people do)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def word_count(text: str) -> int:
    """Words in a quote; in Chinese, Japanese and Korean script each character counts as one."""
    if text.isascii() or not _CJK.search(text):
        return len(text.split())
    count = 0
    for token in text.split():
        cjk = len(_CJK.findall(token))
        count += cjk + (1 if len(token) > cjk and not cjk else 0) if cjk else 1
    return count


_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")  # what YAML counts as a new line


def _list_item(path: str, lines: list[str], line: int) -> Any:
    """The item of a top-level block list ("- id: ...") that starts on ``line``, parsed on
    its own; None when the layout is any other (the caller then parses the whole file)."""
    if not 0 < line <= len(lines) or not lines[line - 1].startswith("- "):
        return None
    end = line
    while end < len(lines) and (not lines[end][:1].strip() or lines[end].startswith("#")):
        end += 1  # the item runs until the next line that starts at the left margin
    parsed = read_yaml(path, "\n".join(lines[line - 1 : end]))
    if parsed.problems or not isinstance(parsed.value, list) or len(parsed.value) != 1:
        return None  # e.g. an alias whose anchor is elsewhere in the file
    return parsed.value[0]


def _own_date(value_date: Any, event_date: Any) -> tuple[str, str] | None:
    """A claim's own date, to count from: its value.date, else its event_date, with which it is; None if neither.

    Dates read again as raw text (a second pass) are checked again: a file may have changed."""
    for date, source in ((value_date, "value.date"), (event_date, "event_date")):
        if isinstance(date, str):
            try:
                return check_edtf(date), source
            except ValueError:
                return _UNREAD
    return None


def _count(days: int) -> str:
    """12 -> '12 days after', -1 -> '1 day before'."""
    return f"{abs(days)} day{'' if abs(days) == 1 else 's'} {'before' if days < 0 else 'after'}"


def _span(interval: tuple[str, str]) -> str:
    low, high = interval
    return low if low == high else f"{low} to {high}"


def _edtf_shown(value: str) -> str:
    """An EDTF value as written, with the days it spans unless it is a plain day, month or year."""
    return value if re.fullmatch(r"\d{4}(-\d{2}){0,2}", value) else f"{value} ({_span(edtf_interval(value))})"


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"the text {value!r}"


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None or part not in current.model_fields:
            return None
        current = _inner_model(current.model_fields[part].annotation)
    return current


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _data_loc(loc: tuple, model: type[BaseModel]) -> tuple:
    """Drop the parts pydantic adds for union members ('int', 'float', 'function-after[...]')."""
    out: list[Any] = []
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            out.append(part)
            continue
        if current is not None and part in current.model_fields:
            out.append(part)
            current = _inner_model(current.model_fields[part].annotation)
        elif current is not None and not out and part not in current.model_fields:
            out.append(part)  # an unknown field at the top of the record
            current = None
        elif current is None and out and isinstance(out[-1], str) and _is_extra(part):
            out.append(part)
    return tuple(out)


def _is_extra(part: str) -> bool:
    return not (part in ("int", "float", "str", "bool", "none") or "[" in part or "-" in part)


def _messages(ex: ValidationError, model: type[BaseModel]) -> list[tuple[tuple, str]]:
    merged: dict[tuple, list[str]] = {}
    errors = ex.errors(include_url=False)
    # A misspelt field is reported once, as unknown with its suggestion, not also as missing.
    suggested = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            parent = _model_at(model, err["loc"][:-1])
            close = difflib.get_close_matches(str(err["loc"][-1]), list(parent.model_fields) if parent else [], n=1, cutoff=0.6)
            if close:
                suggested.add(tuple(err["loc"][:-1]) + (close[0],))
    for err in errors:
        if err["type"] == "missing" and tuple(err["loc"]) in suggested:
            continue
        loc = _data_loc(err["loc"], model)
        merged.setdefault(loc, [])
        message = _message(err, model)
        if message not in merged[loc]:
            merged[loc].append(message)
    return [(loc, " or ".join(messages)) for loc, messages in merged.items()]


def _message(err: ErrorDetails, model: type[BaseModel]) -> str:
    kind = err["type"]
    loc = tuple(p for p in err["loc"])
    value = err.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        name = str(loc[-1])
        parent = _model_at(model, loc[:-1])
        known = list(parent.model_fields) if parent else []
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else (f"; known fields: {', '.join(known)}" if known else "")
        return f"unknown field {name!r}{hint}"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        options = [o.strip().strip("'") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6) if isinstance(value, str) else []
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{_short(value)} is not one of {expected}{hint}"
    if kind == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == SLUG_PATTERN:
        return f"{_short(value)} is not a valid id: use lowercase letters, digits and single hyphens"
    ctx = err.get("ctx", {})
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = next(iter(ctx.values()), "")
        words = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }
        why = " (the largest whole number the database stores)" if bound == SQLITE_MAX_INT else ""
        return f"must be {words[kind]} {bound}{why}, not {_short(value)}"
    if kind == "string_too_short" and not (value or "").strip():
        return "must not be empty"
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "language":
        return f"{_short(value)} is not a BCP 47 language tag (e.g. en, ru, zh-Hant)"
    if kind in ("value_error", "assertion_error"):
        return err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{err['msg'].replace('Input should be', 'should be')}, not {_describe(value)}"
    return f"{err['msg']} (got {_short(value)})"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
