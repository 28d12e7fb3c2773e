"""The tables of the built database: columns, keys, indexes and descriptions, in one place.

The build creates the tables from these definitions, and the Datasette metadata takes
its table and column descriptions from them. Where a column holds a curated field, its
description is the model field's own, so it is written once.
"""

from __future__ import annotations

import difflib
import json
import operator
from dataclasses import dataclass, field

import sqlite_utils

from .models import Citation, Claim, ClaimValue, Entity, Evidence, Property, Source

__all__ = ["Column", "Table", "TABLES", "DERIVED_TABLES", "ALL_TABLES", "create_tables", "create_indexes", "insert_rows"]


def _d(model, name: str) -> str:
    return model.model_fields[name].description or ""


@dataclass(frozen=True)
class Column:
    name: str
    type: type
    description: str
    references: str | None = None  # "table" (its primary key "id")


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: list[Column]
    pk: str | tuple[str, ...] = "id"
    label_column: str | None = None
    indexes: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def foreign_keys(self) -> list[tuple[str, str, str]]:
        return [(c.name, c.references, "id") for c in self.columns if c.references]


SEED_COLUMNS = [
    Column("seed_file", str, "The seed file the record was read from, relative to the seeds folder."),
    Column("seed_line", int, "The line of the record in its seed file."),
]

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "sources",
            "Documents: those held as text (quoted as evidence) and those only cited (archive telegrams, collections).",
            [
                Column("id", str, "Stable slug of the source."),
                Column("kind", str, _d(Source, "kind")),
                Column("title", str, _d(Source, "title")),
                Column("short_title", str, _d(Source, "short_title")),
                Column("author_names", str, "Authors as one line, given name first."),
                Column("authors", str, "Authors as JSON name parts (family, given, literal)."),
                Column("editors", str, "Editors as JSON name parts."),
                Column("issued", str, _d(Source, "issued")),
                Column("issued_as_written", str, _d(Source, "issued_as_written")),
                Column("date_note", str, _d(Source, "date_note")),
                Column("container_title", str, _d(Source, "container_title")),
                Column("volume", str, _d(Source, "volume")),
                Column("pages", str, _d(Source, "pages")),
                Column("publisher", str, _d(Source, "publisher")),
                Column("place", str, _d(Source, "place")),
                Column("url", str, "An http or https address of the document."),
                Column("archive", str, _d(Source, "archive")),
                Column("archive_location", str, _d(Source, "archive_location")),
                Column("language", str, _d(Source, "language")),
                Column("origin", str, _d(Source, "origin")),
                Column("reliability_grade", str, "Admiralty source grade A-F (A completely reliable ... F cannot be judged)."),
                Column("reliability_reason", str, "Why the source has that grade."),
                Column("declassified", str, _d(Source, "declassified")),
                Column("redactions", str, _d(Source, "redactions")),
                Column("notes", str, _d(Source, "notes")),
                Column("text_path", str, _d(Source, "text")),
                Column("text", str, "The full stored text of the source, unchanged; quotes are anchored in it."),
                Column("text_sha256", str, "SHA-256 of the text file's bytes, recorded at build."),
                Column("text_length", int, "Length of the text in characters (Unicode code points)."),
                *SEED_COLUMNS,
            ],
            label_column="title",
            indexes=[("kind",), ("origin",)],
        ),
        Table(
            "citations",
            "Links between sources: a footnote of one source citing another, a summary, a translation, a version.",
            [
                Column("id", str, "Stable slug of the citation."),
                Column("source_id", str, _d(Citation, "source"), "sources"),
                Column("cited_id", str, _d(Citation, "cites"), "sources"),
                Column("relation", str, _d(Citation, "relation")),
                Column("footnote", int, _d(Citation, "footnote")),
                Column("locator", str, _d(Citation, "locator")),
                Column("pages", str, _d(Citation, "pages")),
                Column("passage", str, _d(Citation, "passage")),
                Column("inferred", int, _d(Citation, "inferred")),
                Column("note", str, _d(Citation, "note")),
                *SEED_COLUMNS,
            ],
            label_column="id",
        ),
        Table(
            "entities",
            "People, places, units, organisations and events that claims are about.",
            [
                Column("id", str, "Stable slug of the entity."),
                Column("type", str, _d(Entity, "type")),
                Column("name", str, _d(Entity, "name")),
                Column("description", str, _d(Entity, "description")),
                *SEED_COLUMNS,
            ],
            label_column="name",
            indexes=[("type",)],
        ),
        Table(
            "aliases",
            "Every name of every entity, as the sources spell it; the preferred name has preferred = 1.",
            [
                Column("id", int, "Row number."),
                Column("entity_id", str, "The entity this is a name of.", "entities"),
                Column("name", str, "The name as written."),
                Column("preferred", int, "1 for the entity's preferred name."),
                Column("sources", str, "JSON list of the sources that use this spelling."),
                Column("note", str, "Why the spelling differs."),
            ],
            label_column="name",
            indexes=[("name",)],
        ),
        Table(
            "properties",
            "The properties claims state of their subjects; claims on one subject and property are compared.",
            [
                Column("id", str, "Stable slug of the property."),
                Column("label", str, _d(Property, "label")),
                Column("value_type", str, _d(Property, "value_type")),
                Column("multiple", int, _d(Property, "multiple")),
                Column("unit", str, _d(Property, "unit")),
                Column("description", str, _d(Property, "description")),
            ],
            label_column="label",
        ),
        Table(
            "claims",
            "Checkable assertions about the events, each with a stable id that is safe to cite.",
            [
                Column("id", str, "Stable slug of the claim; its URL is a citation."),
                Column("statement", str, _d(Claim, "statement")),
                Column("topic", str, "The topic: the name of the claims file it is curated in."),
                Column("subject_id", str, _d(Claim, "subject"), "entities"),
                Column("property_id", str, _d(Claim, "property"), "properties"),
                Column("value_kind", str, "Which kind of value the claim gives: date, number, entity or text."),
                Column("value", str, "The value, for reading."),
                Column("value_date", str, "The value when it is a date, in EDTF."),
                Column("value_date_earliest", str, "Earliest day the date value may denote (ISO); resolved for relative dates."),
                Column("value_date_latest", str, "Latest day the date value may denote (ISO); resolved for relative dates."),
                Column("value_relative_claim_id", str, "For a relative date: the claim it counts from.", "claims"),
                Column("value_relative_days", int, "For a relative date: days after that claim's date."),
                Column("value_number", float, _d(ClaimValue, "number")),
                Column("value_entity_id", str, _d(ClaimValue, "entity"), "entities"),
                Column("value_text", str, _d(ClaimValue, "text")),
                Column("value_unit", str, _d(ClaimValue, "unit")),
                Column("value_tolerance", float, _d(ClaimValue, "tolerance")),
                Column("value_as_written", str, _d(ClaimValue, "as_written")),
                Column("event_date", str, _d(Claim, "event_date")),
                Column("event_date_earliest", str, "Earliest day the event date may denote (ISO)."),
                Column("event_date_latest", str, "Latest day the event date may denote (ISO)."),
                Column("event_date_as_written", str, _d(Claim, "event_date_as_written")),
                Column("note", str, _d(Claim, "note")),
                *SEED_COLUMNS,
            ],
            label_column="statement",
            indexes=[("topic",), ("subject_id", "property_id", "value")],
        ),
        Table(
            "claim_links",
            "Curated links between claims: contradicts, refines, implies.",
            [
                Column("claim_id", str, "The claim that links.", "claims"),
                Column("relation", str, "contradicts, refines or implies."),
                Column("target_id", str, "The claim linked to.", "claims"),
                Column("note", str, "Why."),
            ],
            pk=("claim_id", "relation", "target_id"),
        ),
        Table(
            "evidence",
            "Passages of sources that bear on claims, quoted verbatim and anchored in the source text.",
            [
                Column("id", str, _d(Evidence, "id")),
                Column("claim_id", str, "The claim the passage bears on.", "claims"),
                Column("position", int, "Order of the passage among the claim's evidence."),
                Column("source_id", str, _d(Evidence, "source"), "sources"),
                Column("stance", str, _d(Evidence, "stance")),
                Column("quote", str, _d(Evidence, "quote")),
                Column("occurrence", int, _d(Evidence, "occurrence")),
                Column("locator", str, _d(Evidence, "locator")),
                Column("name_as_written", str, _d(Evidence, "name_as_written")),
                Column("credibility", int, _d(Evidence, "credibility")),
                Column("note", str, _d(Evidence, "note")),
                Column("anchor_start", int, "Offset of the passage's first character in the source text (code points)."),
                Column("anchor_end", int, "Offset just past the passage's last character."),
                Column("anchor_exact", str, "The passage exactly as it stands in the source text."),
                Column("anchor_prefix", str, "Up to 32 characters of the text before the passage."),
                Column("anchor_suffix", str, "Up to 32 characters of the text after the passage."),
                Column("anchor_method", str, "How the quote was found: exact, or normalised (white space, quotes, dashes ...)."),
                *SEED_COLUMNS,
            ],
            label_column="quote",
            indexes=[("stance",)],
        ),
        Table(
            "evidence_via",
            "The citations (footnotes) each evidence passage rests on.",
            [
                Column("evidence_id", str, "The evidence passage.", "evidence"),
                Column("citation_id", str, "The citation it rests on.", "citations"),
            ],
            pk=("evidence_id", "citation_id"),
        ),
        Table(
            "build_info",
            "How and from what this database was built.",
            [
                Column("id", int, "Always 1."),
                Column("package_version", str, "Version of provenance that built it."),
                Column("seeds_digest", str, "SHA-256 over the seed files; the database is rebuilt when it changes."),
                Column("counts", str, "Rows per table, as JSON."),
                Column("sqlite_version", str, "SQLite library version used for the build."),
                Column("built_at", str, "When it was built (UTC)."),
            ],
        ),
    ]
}


DERIVED_TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "claim_status",
            "Each claim's status, computed from the independent lines of evidence on each side and their weights, "
            "with the counts behind it and the reason in words.",
            [
                Column("claim_id", str, "The claim.", "claims"),
                Column(
                    "status",
                    str,
                    "corroborated (two or more independent origins that are not doubtful support it, no strong conflict), "
                    "supported (support, no strong conflict), reported (only relayed by reports, no support), contested "
                    "(support or reports, and a strong conflict), refuted (only strong conflict), unsupported (neither). "
                    "A conflict is strong when credible, or unjudged against fewer than two credible supporting origins.",
                ),
                Column("supporting_sources", int, "Distinct sources with supporting passages."),
                Column("conflicting_sources", int, "Distinct sources with conflicting passages."),
                Column("qualifying_sources", int, "Distinct sources with qualifying passages."),
                Column("reporting_sources", int, "Distinct sources that relay the claim without endorsing it."),
                Column("supporting_evidence", int, "Supporting passages."),
                Column("conflicting_evidence", int, "Conflicting passages."),
                Column(
                    "independent_origins",
                    int,
                    "Independent lines of supporting evidence (groups of passages whose origins do not meet).",
                ),
                Column("credible_origins", int, "Of those, the lines weighed credible."),
                Column("conflicting_origins", int, "Independent lines of conflicting evidence."),
                Column("reporting_origins", int, "Independent lines of reporting (relayed) evidence."),
                Column(
                    "weak_dissent",
                    str,
                    "The sources of a conflict too weak to contest the claim (doubtful, or ungraded against two or more "
                    "credible supporting origins), as a reader names them.",
                ),
                Column("origin_groups", str, "JSON: for each independent supporting line, the root sources it rests on."),
                Column(
                    "sides",
                    str,
                    "JSON: for supports, conflicts and reports, each independent line's roots, weight (credible, unjudged, "
                    "doubtful) and passages.",
                ),
                Column("reason", str, "Why the claim has its status, in words, naming sources as a reader would."),
            ],
            pk="claim_id",
            indexes=[("status",)],
        ),
        Table(
            "evidence_origins",
            "The root sources each evidence passage rests on, found by following its own footnotes and the whole-work "
            "derivations of the sources on the way.",
            [
                Column("evidence_id", str, "The evidence passage.", "evidence"),
                Column("origin_id", str, "A root source: one that derives from nothing further in the corpus.", "sources"),
                Column("path", str, "JSON list of the sources from the passage's source to the root."),
                Column(
                    "inferred", int, "1 when a link on the path was inferred by the curator (the source gives no note for it)."
                ),
            ],
            pk=("evidence_id", "origin_id"),
        ),
        Table(
            "evidence_assessments",
            "The weight of each passage and the credibility grades computed by the build (kept apart from the curator's "
            "grades in evidence.credibility and sources.reliability_grade).",
            [
                Column("evidence_id", str, "The evidence passage.", "evidence"),
                Column(
                    "weight",
                    str,
                    "doubtful (source graded D or E, or information 4 or 5), unjudged (graded F or 6, not graded, or a "
                    "tertiary source citing nothing), credible (otherwise).",
                ),
                Column("weight_reason", str, "Which grade gives the weight."),
                Column(
                    "computed_credibility",
                    int,
                    "Admiralty information grade computed from the evidence (1: confirmed by other sources).",
                ),
                Column("reason", str, "Why the computed grade."),
            ],
            pk="evidence_id",
            indexes=[("weight",)],
        ),
        Table(
            "chain_links",
            "Evidence chains as rows: each hop from a passage's source through footnotes and derivations to the works it rests on.",
            [
                Column("id", int, "Row number."),
                Column("claim_id", str, "The claim.", "claims"),
                Column("evidence_id", str, "The evidence passage the chain starts from.", "evidence"),
                Column("step", int, "Order of the hop within the passage's chain."),
                Column("depth", int, "How many hops from the passage's source."),
                Column("from_id", str, "The source the hop starts from.", "sources"),
                Column("citation_id", str, "The citation followed (empty when the source cites nothing).", "citations"),
                Column("relation", str, "cites, quotes, summarises, translates or version-of."),
                Column("to_id", str, "The source reached (empty: no citation given).", "sources"),
                Column("footnote", int, "The footnote number, when the hop is a footnote."),
                Column("pages", str, "Pages in the source reached."),
                Column("inferred", int, "1 when the curator inferred the hop (the source gives no note)."),
                Column("to_read", int, "1 when the source reached is held as text (the curator read it); 0 when only cited."),
                Column("note", str, "'no citation given' where the chain ends at a source that cites nothing."),
            ],
        ),
        Table(
            "contradictions",
            "Disagreements found by the build: one per set of claims in tension (or per claim whose own sources "
            "divide), with every signal that flags it and a one-line explanation.",
            [
                Column("id", str, "Stable id: a digest of the claims in tension, kept when another signal joins."),
                Column(
                    "signals",
                    str,
                    "JSON list of what flags it: asserted (a curator's 'contradicts' link), value-conflict (same subject "
                    "and property, incompatible values), derived (a relative date that, once resolved, disagrees), "
                    "stance-conflict (supporting and conflicting passages on one claim).",
                ),
                Column("claims", int, "How many claims are in tension (1: a claim whose own sources divide)."),
                Column("weak", int, "1 when only weak dissent flags it: doubtful sources against a claim."),
                Column("subject_id", str, "The subject, for value conflicts.", "entities"),
                Column("property_id", str, "The property, for value conflicts.", "properties"),
                Column("explanation", str, "Why it was flagged, in one line."),
            ],
            label_column="explanation",
        ),
        Table(
            "contradiction_signals",
            "Each signal of each disagreement, with its own explanation.",
            [
                Column("id", int, "Row number."),
                Column("contradiction_id", str, "The disagreement.", "contradictions"),
                Column("signal", str, "asserted, value-conflict, derived or stance-conflict."),
                Column("explanation", str, "What this signal found."),
            ],
            indexes=[("signal", "contradiction_id")],
        ),
        Table(
            "contradiction_members",
            "The claims in tension in each disagreement, and the passages on each side of them.",
            [
                Column("id", int, "Row number."),
                Column("contradiction_id", str, "The disagreement.", "contradictions"),
                Column("claim_id", str, "A claim taking part.", "claims"),
                Column("evidence_id", str, "A passage taking part (empty for the claim itself).", "evidence"),
                Column("role", str, "claim (the claim itself), supports or conflicts (a passage on that side of the claim)."),
            ],
        ),
        Table(
            "source_notes",
            "Each source's Chicago note, rendered by the build with citeproc-py, so that pages cite it without rendering.",
            [
                Column("source_id", str, "The source.", "sources"),
                Column("note", str, "The note citing the source as a whole (no page or note number)."),
                Column(
                    "note_template",
                    str,
                    "The note citing a page of the source, with the character U+E000 where the page goes "
                    "(empty if the source's own fields hold that character).",
                ),
            ],
            pk="source_id",
        ),
    ]
}

ALL_TABLES: dict[str, Table] = {**TABLES, **DERIVED_TABLES}


def insert_rows(conn, table: str, rows: list[dict]) -> None:
    """Insert rows with one ``executemany`` of a statement prepared once per table.

    sqlite-utils' ``insert_all`` rebuilds its SQL for every chunk and caps a statement at
    999 variables; on millions of rows of known shape that is most of the build's time, so
    the bulk rows go in through the same connection with plain ``executemany``. Lists and
    dicts are stored as JSON, as sqlite-utils would store them. A key that is not a column
    (a misspelt ``lable``) is an error, not a value silently dropped; a column a row leaves
    out is NULL.
    """
    if not rows:
        return
    prepared = _INSERTS.get(table)
    if prepared is None:
        columns = [c.name for c in ALL_TABLES[table].columns]
        sql = f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' * len(columns))})"
        json_columns = [i for i, name in enumerate(columns) if (table, name) in JSON_COLUMNS]
        getter = operator.itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
        prepared = _INSERTS[table] = (sql, columns, json_columns, getter)
    sql, columns, json_columns, getter = prepared
    unknown = rows[0].keys() - set(columns)  # each table's rows are built by one function: its first row speaks for all
    if unknown:
        hints = [
            f"{k!r}" + (f" (did you mean {close[0]!r}?)" if (close := difflib.get_close_matches(k, columns, n=1)) else "")
            for k in sorted(unknown)
        ]
        raise ValueError(f"rows for {table} have keys that are not its columns: {', '.join(hints)}")
    try:
        values = list(map(getter, rows))  # in C, when every row has every column
    except KeyError:
        values = [tuple(map(row.get, columns)) for row in rows]
    if json_columns:
        values = [_with_json(v, json_columns) for v in values]
    conn.executemany(sql, values)


def _with_json(values: tuple, positions: list[int]) -> tuple:
    as_list = list(values)
    for i in positions:
        if isinstance(as_list[i], (list, dict)):
            as_list[i] = json.dumps(as_list[i], ensure_ascii=False)
    return tuple(as_list)


# Columns that hold lists or dicts, stored as JSON text.
JSON_COLUMNS = {("sources", "authors"), ("sources", "editors"), ("aliases", "sources")}
_INSERTS: dict[str, tuple] = {}


def create_tables(db: sqlite_utils.Database, tables: dict[str, Table] | None = None, *, indexes: bool = True) -> None:
    """Create ``tables`` (all curated ones by default) with their keys, and unless told
    otherwise an index on every foreign key. A bulk load creates the indexes afterwards
    (:func:`create_indexes`): building an index once is much cheaper than keeping it up
    to date through millions of inserts."""
    for table in (tables or TABLES).values():
        db.table(table.name).create(
            {c.name: c.type for c in table.columns},
            pk=table.pk,
            foreign_keys=table.foreign_keys,
            not_null={table.pk} if isinstance(table.pk, str) else set(table.pk),
        )
    if indexes:
        create_indexes(db, tables)


def create_indexes(db: sqlite_utils.Database, tables: dict[str, Table] | None = None) -> None:
    """An index on every foreign key (unless the primary key leads with it), and the
    indexes each table declares."""
    for table in (tables or TABLES).values():
        indexed: set[tuple[str, ...]] = set()
        for column, _, _ in table.foreign_keys:
            if isinstance(table.pk, tuple) and table.pk[0] == column:
                continue  # the primary key's index serves it
            db.table(table.name).create_index([column], find_unique_name=True)
            indexed.add((column,))
        for columns in table.indexes:
            if columns not in indexed:
                db.table(table.name).create_index(list(columns), find_unique_name=True)
