"""Bulk interchange: the corpus as JSON Lines, out of a built database and back in.

One line per record, in dependency order (sources, citations, entities, properties,
claims with their evidence inline)::

    {"type": "source", "record": {...the seed fields...}, "text_content": "..."}
    {"type": "claim", "topic": "first-combat", "record": {...}}

``record`` holds exactly what a seed file would, so an import is validated by the same
models and checks as the seeds (:class:`JsonlSeeds` is :class:`~provenance.seeds.Seeds`
reading a JSONL file instead of a folder), and errors name the line of the JSONL file.
Source texts travel inline (``text_content``) or beside the file, at the record's
``text`` path. The file is read twice and a thousand claims at a time, so memory does
not grow with the number of claims.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import json
import os
import sys
import tempfile
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlite_utils

from .errors import Problem
from .models import Source
from .seeds import Located, Seeds
from .yamlfile import YamlFile

__all__ = ["JsonlSeeds", "export_jsonl", "TYPES"]

# record type -> seeds folder it stands for
TYPES = {"source": "sources", "citation": "citations", "entity": "entities", "property": "properties", "claim": "claims"}
_CLAIM_LINE = b'{"type": "claim", '  # how export writes a claim's line (and most writers would)
CHUNK = 1000  # claims validated and written per batch


def _compact(record: dict) -> dict:
    """Drop empty fields, so a record reads as a seed file would."""
    return {k: v for k, v in record.items() if v is not None and v != [] and v is not False}


def _names(value: str | None) -> list[dict]:
    return json.loads(value) if value else []


def export_jsonl(db: sqlite_utils.Database) -> Iterator[str]:
    """Every curated record of a built database, one JSON line each, in dependency order."""

    def line(kind: str, record: dict, **extra) -> str:
        return json.dumps({"type": kind, **extra, "record": _compact(record)}, ensure_ascii=False) + "\n"

    for s in db.query("select * from sources order by rowid"):
        record = {
            "id": s["id"],
            "kind": s["kind"],
            "title": s["title"],
            "short_title": s["short_title"],
            "authors": _names(s["authors"]),
            "editors": _names(s["editors"]),
            **{
                k: s[k]
                for k in (
                    "issued",
                    "issued_as_written",
                    "date_note",
                    "container_title",
                    "volume",
                    "pages",
                    "publisher",
                    "place",
                    "url",
                    "archive",
                    "archive_location",
                    "language",
                    "origin",
                )
            },
            "reliability": {"grade": s["reliability_grade"], "reason": s["reliability_reason"]}
            if s["reliability_grade"]
            else None,
            **{k: s[k] for k in ("declassified", "redactions")},
            "text": s["text_path"],
            "notes": s["notes"],
        }
        extra = {"text_content": s["text"]} if s["text"] is not None else {}
        yield line("source", record, **extra)
    for c in db.query("select * from citations order by rowid"):
        yield line(
            "citation",
            {
                "id": c["id"],
                "source": c["source_id"],
                "cites": c["cited_id"],
                "relation": c["relation"],
                "footnote": c["footnote"],
                "locator": c["locator"],
                "pages": c["pages"],
                "passage": c["passage"],
                "inferred": bool(c["inferred"]),
                "note": c["note"],
            },
        )
    aliases: dict[str, list[dict]] = {}
    for a in db.query("select * from aliases where preferred = 0 order by rowid"):
        aliases.setdefault(a["entity_id"], []).append(
            _compact({"name": a["name"], "sources": json.loads(a["sources"] or "[]"), "note": a["note"]})
        )
    for e in db.query("select * from entities order by rowid"):
        yield line(
            "entity",
            {
                "id": e["id"],
                "type": e["type"],
                "name": e["name"],
                "aliases": aliases.get(e["id"], []),
                "description": e["description"],
            },
        )
    for p in db.query("select * from properties order by rowid"):
        yield line("property", {**p, "multiple": bool(p["multiple"])})
    yield from _export_claims(db, line)


def _export_claims(db: sqlite_utils.Database, line) -> Iterator[str]:
    via: dict[str, list[str]] = {}
    for v in db.query("select evidence_id, citation_id from evidence_via order by rowid"):
        via.setdefault(v["evidence_id"], []).append(v["citation_id"])
    links: dict[str, list[dict]] = {}
    for link in db.query("select * from claim_links order by rowid"):
        links.setdefault(link["claim_id"], []).append(
            _compact({"relation": link["relation"], "claim": link["target_id"], "note": link["note"]})
        )
    for c in db.query("select * from claims order by rowid"):
        evidence = [
            _compact(
                {
                    "id": e["id"],
                    "source": e["source_id"],
                    "stance": e["stance"],
                    "quote": e["quote"],
                    "occurrence": e["occurrence"],
                    "locator": e["locator"],
                    "name_as_written": e["name_as_written"],
                    "credibility": e["credibility"],
                    "via": via.get(e["id"], []),
                    "note": e["note"],
                }
            )
            for e in db.query("select * from evidence where claim_id = ? order by position", [c["id"]])
        ]
        yield line(
            "claim",
            {
                "id": c["id"],
                "statement": c["statement"],
                "subject": c["subject_id"],
                "property": c["property_id"],
                "value": _value(c),
                "event_date": c["event_date"],
                "event_date_as_written": c["event_date_as_written"],
                "note": c["note"],
                "links": links.get(c["id"], []),
                "evidence": evidence,
            },
            topic=c["topic"],
        )


def _value(c: dict) -> dict | None:
    kind = c["value_kind"]
    if kind is None:
        return None
    value: dict[str, Any]
    if c["value_relative_claim_id"]:
        value = {"relative": {"claim": c["value_relative_claim_id"], "days": c["value_relative_days"]}}
    elif kind == "date":
        value = {"date": c["value_date"]}
    elif kind == "number":
        number = c["value_number"]
        value = {
            "number": int(number) if float(number).is_integer() else number,
            "unit": c["value_unit"],
            "tolerance": c["value_tolerance"],
        }
    elif kind == "entity":
        value = {"entity": c["value_entity_id"]}
    else:
        value = {"text": c["value_text"]}
    value["as_written"] = c["value_as_written"]
    return _compact(value)


class JsonlSeeds(Seeds):
    """The seeds read from a JSON Lines file: same checks, errors by line of the file."""

    def __init__(self, path: str | os.PathLike):
        self.jsonl = Path(path)
        super().__init__(self.jsonl.parent)
        self.display = str(path)
        # where each record's line starts, and its number, per folder (arrays: 16 bytes a record)
        self._offsets: dict[str, array] = {folder: array("q") for folder in TYPES.values()}
        self._numbers: dict[str, array] = {folder: array("q") for folder in TYPES.values()}
        self._topics: dict[int, str] = {}
        self._texts_dir = tempfile.TemporaryDirectory(prefix="provenance-import-")
        self._inline_texts: set[str] = set()
        if self.jsonl.is_file():
            try:
                self._scan()
            except OSError as ex:
                self.problems.append(
                    Problem(self.display, 1, "", "", f"cannot read the file ({(ex.strerror or str(ex)).lower()})")
                )

    # -- Seeds hooks -------------------------------------------------------------------

    def _path(self, relative: str) -> str:
        return self.display

    def _relative(self, path: str) -> str:
        return self.jsonl.name

    def _check_layout(self) -> None:
        pass  # one file, not a folder of them

    def inputs(self) -> Path:
        return self.jsonl.resolve()

    def _files(self, folder: str) -> list[str]:
        count = len(self._offsets[folder])
        return [f"{folder}:{start}" for start in range(0, count, CHUNK)]

    def _parse(self, file: str) -> YamlFile | None:
        folder, start = file.split(":")
        begin, end = int(start), int(start) + CHUNK
        parsed = YamlFile(self.display, value=[])
        if folder == "claims":
            self._topics = {}  # the previous chunk's claims have all been read
        with self.jsonl.open("rb") as handle:
            for offset, number in zip(self._offsets[folder][begin:end], self._numbers[folder][begin:end], strict=True):
                handle.seek(offset)
                raw = handle.readline()
                if folder == "claims":
                    envelope = self._envelope(number, raw, "claim")  # not checked by the scan
                    if envelope is None:
                        continue
                    self._topics[number] = envelope.get("topic") or self.jsonl.stem
                else:
                    envelope = json.loads(raw)
                parsed.lines[(len(parsed.value),)] = number
                parsed.value.append(envelope["record"])
        return parsed

    def _claims_expected(self, files: list[str]) -> int:
        return len(self._offsets["claims"])

    def _topic(self, file: str, loc: Located) -> str:
        return self._topics.get(loc.line, self.jsonl.stem)

    def _reread_claims(self, places: dict[str, tuple[str, int]]) -> Iterator[tuple[str, dict]]:
        """The claims wanted again (for relative dates), each read from its own line."""
        numbers, offsets = self._numbers["claims"], self._offsets["claims"]
        with self.jsonl.open("rb") as handle:
            for claim_id, (_file, number) in sorted(places.items(), key=lambda item: item[1][1]):
                i = bisect.bisect_left(numbers, number)
                if i == len(numbers) or numbers[i] != number:
                    continue
                handle.seek(offsets[i])
                try:
                    record = json.loads(handle.readline()).get("record")
                except (ValueError, AttributeError):  # changed since it was read
                    continue
                if isinstance(record, dict) and record.get("id") == claim_id:
                    yield claim_id, record

    def _text_file(self, source: Source) -> tuple[Path, Path]:
        if source.id in self._inline_texts:
            root = Path(self._texts_dir.name).resolve()
            return (root / source.id).resolve(), root
        return super()._text_file(source)

    def records(self):
        if not self.jsonl.is_file():
            self._problem("", 1, "", "", "the file does not exist")
        try:
            yield from super().records()
        finally:
            self._texts_dir.cleanup()

    def digest(self) -> str:
        try:
            return jsonl_digest(self.jsonl)
        except OSError:  # reported by the reading
            return ""

    # -- the first pass ----------------------------------------------------------------

    def _scan(self) -> None:
        """Note where each record starts, and write inline texts aside. Every line's envelope
        is checked here, except a claim's: its line is parsed once, when it is read."""
        offset = 0
        with self.jsonl.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                here, offset = offset, offset + len(raw)
                if raw.startswith(_CLAIM_LINE):
                    folder = "claims"
                else:
                    if not raw.strip():
                        continue
                    envelope = self._envelope(number, raw)
                    if envelope is None:
                        continue
                    folder = TYPES[envelope["type"]]
                    if folder == "sources" and "text_content" in envelope:
                        self._write_text(number, envelope)
                self._offsets[folder].append(here)
                self._numbers[folder].append(number)

    def _envelope(self, number: int, raw: bytes, scanned_as: str | None = None) -> dict | None:
        def problem(message: str) -> None:
            self.problems.append(Problem(self.display, number, "", "", message))

        try:
            envelope = json.loads(raw)
        except UnicodeDecodeError:
            problem("not UTF-8 text")
            return None
        except json.JSONDecodeError as ex:
            problem(f"invalid JSON: {ex.msg} (column {ex.colno})")
            return None
        except RecursionError:  # the json module recurses once a level
            problem("the values are nested too deeply; no record needs more than a few levels")
            return None
        except ValueError:  # a number longer than Python converts
            problem(f"a number is too long to read (more than {sys.get_int_max_str_digits():,} digits)")
            return None
        if not isinstance(envelope, dict) or not isinstance(envelope.get("record"), dict):
            problem('expected {"type": ..., "record": {...}}')
            return None
        kind = envelope.get("type")
        if kind not in TYPES:
            close = difflib.get_close_matches(str(kind), list(TYPES), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; one of {', '.join(TYPES)}"
            problem(f"unknown record type {kind!r}{hint}")
            return None
        if scanned_as is not None and kind != scanned_as:
            problem(f'"type" is given more than once (first {scanned_as!r}, then {kind!r})')
            return None
        unknown = set(envelope) - {"type", "record", "topic", "text_content"}
        if unknown:
            problem(f"unknown envelope field(s): {', '.join(sorted(unknown))}")
        return envelope

    def _write_text(self, number: int, envelope: dict) -> None:
        record, content = envelope["record"], envelope["text_content"]
        source_id = record.get("id")
        if not isinstance(content, str) or not isinstance(source_id, str) or "/" in source_id or source_id.startswith("."):
            self.problems.append(
                Problem(
                    self.display,
                    number,
                    str(source_id or ""),
                    "text_content",
                    "text_content must be text, with a valid source id",
                )
            )
            return
        if not record.get("text"):
            self.problems.append(
                Problem(
                    self.display,
                    number,
                    source_id,
                    "text",
                    "a source with text_content needs a text path (where the text belongs)",
                )
            )
            return
        (Path(self._texts_dir.name) / source_id).write_text(content, encoding="utf-8", newline="")
        self._inline_texts.add(source_id)


def jsonl_digest(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
