"""The curated vocabulary: Source, Citation, Entity, Property, Claim and Evidence.

These models are what a seed file may say, and nothing else: they are strict (no silent
coercion of ``"12"`` to 12) and reject unknown fields. Every field has a description;
the descriptions flow into the JSON Schema in ``schema/`` and the column descriptions of
the published database, so they are written here once.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from .dates import check_edtf

__all__ = [
    "SQLITE_MAX_INT",
    "SLUG_PATTERN",
    "Name",
    "Reliability",
    "Source",
    "Citation",
    "Alias",
    "Entity",
    "Property",
    "ClaimValue",
    "ClaimLink",
    "Evidence",
    "Claim",
    "SOURCE_KINDS",
    "STANCES",
]

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

Slug = Annotated[
    str,
    Field(
        pattern=SLUG_PATTERN,
        max_length=120,
        description="A stable id: lowercase letters, digits and single hyphens (it becomes part of a URL).",
    ),
]
EDTF = Annotated[
    str,
    AfterValidator(check_edtf),
    Field(description="An EDTF (ISO 8601-2) date: 1950-11-01, 1950-11, 1950-10~ (about), 1950? (uncertain), 1949/1950."),
]
Text = Annotated[str, Field(min_length=1)]
# Numbers are bounded to what SQLite stores (an INTEGER is 64 bits, a REAL a finite double),
# so that a value the checks accept can always be written: larger ones failed only at insert.
SQLITE_MIN_INT, SQLITE_MAX_INT = -(2**63), 2**63 - 1
Int = Annotated[int, Field(ge=SQLITE_MIN_INT, le=SQLITE_MAX_INT)]


def _storable(number: int | float) -> int | float:
    # A bound on the int branch of int | float would let a large int through as a float
    # (strict floats accept ints), silently rounded; so the union is checked as a whole.
    if isinstance(number, float) and math.isinf(number):
        raise ValueError("is too large: it reads as infinity, and a number must be finite")
    if isinstance(number, float) and math.isnan(number):
        raise ValueError("must be a number, not NaN")
    if isinstance(number, int) and not SQLITE_MIN_INT <= number <= SQLITE_MAX_INT:
        raise ValueError(
            f"{number} is beyond the whole numbers the database stores ({SQLITE_MIN_INT} to {SQLITE_MAX_INT}); "
            "write a larger measure with a decimal point (e.g. 1.5e20)"
        )
    return number


Number = Annotated[int | float, AfterValidator(_storable)]

SOURCE_KINDS = (
    "archival-document",
    "telegram",
    "letter",
    "memo",
    "intelligence-report",
    "report",
    "minutes",
    "speech",
    "diary",
    "memoir",
    "interview",
    "book",
    "book-chapter",
    "edited-volume",
    "documentary-collection",
    "article",
    "newspaper-article",
    "thesis",
    "blog-post",
    "web-page",
    "official-history",
)
SourceKind = Literal[SOURCE_KINDS]  # type: ignore[valid-type]
STANCES = ("supports", "conflicts", "qualifies", "reports")
Stance = Literal[STANCES]  # type: ignore[valid-type]


class Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _check_url(url: str | None) -> str | None:
    if url is None:
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("only http:// and https:// links are allowed")
    return url


Url = Annotated[str, AfterValidator(_check_url), Field(description="An http or https address.")]


class Name(Model):
    """A person's name in parts, or an organisation's name as one literal string.

    In a seed file a name may be written as one string: "Zhang, Shiyao" (family, given) or
    "Central Intelligence Agency" (no comma: an organisation, kept literal).
    """

    family: str | None = Field(None, description="Family name (surname).")
    given: str | None = Field(None, description="Given names or initials.")
    literal: str | None = Field(None, description="An organisation or a name that must not be split.")

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        # Seed files may write the name as one string; say so in the JSON Schema too.
        return {
            "anyOf": [
                {
                    "type": "string",
                    "minLength": 1,
                    "description": "'Family, Given' for a person, or an organisation's name without a comma.",
                },
                handler(core_schema),
            ]
        }

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data):
        if isinstance(data, str):
            family, comma, given = data.partition(",")
            if comma:
                return {"family": family.strip(), "given": given.strip() or None}
            return {"literal": data.strip()}
        return data

    @model_validator(mode="after")
    def _one_form(self):
        if bool(self.literal) == bool(self.family):
            raise ValueError("give either family (and given) or literal")
        return self

    def display(self) -> str:
        if self.literal:
            return self.literal
        return f"{self.given} {self.family}" if self.given else str(self.family)


class Reliability(Model):
    """How far the source can be trusted, as an Admiralty (NATO) source grade."""

    grade: Literal["A", "B", "C", "D", "E", "F"] = Field(
        description="A completely reliable, B usually reliable, C fairly reliable, D not usually reliable, "
        "E unreliable, F reliability cannot be judged."
    )
    reason: Text = Field(description="One line a historian would accept for the grade.")


class Source(Model):
    """A document: one that we hold as text, or one that is only cited (a telegram by number)."""

    id: Slug
    kind: SourceKind = Field(description="What sort of document it is.")
    title: Text = Field(description="The title as published, or a descriptive title in square brackets.")
    short_title: str | None = Field(
        None,
        description='How a reader names it in a sentence ("Zakharov\'s report to Stalin"); reasons use it before author and year.',
    )
    authors: list[Name] = Field(default_factory=list, description="Authors, in order.")
    editors: list[Name] = Field(default_factory=list, description="Editors, in order.")
    issued: EDTF | None = Field(None, description="When the document was issued (not the date of the events it describes).")
    issued_as_written: str | None = Field(
        None, description="The document's own wording of its date, when it is vague or unusual."
    )
    date_note: str | None = Field(
        None, description="Other dates of the document (date of information, approval, declassification)."
    )
    container_title: str | None = Field(None, description="The book, journal, series or collection it appears in.")
    volume: str | None = Field(None, description="Volume or issue of the container.")
    pages: str | None = Field(None, description="Pages in the container.")
    publisher: str | None = Field(None, description="Publisher or issuing body.")
    place: str | None = Field(None, description="Place of publication.")
    url: Url | None = None
    archive: str | None = Field(None, description="The archive or repository that holds it.")
    archive_location: str | None = Field(None, description="Archive reference: document number, fond/opis/delo, CIA-RDP number.")
    language: str | None = Field(
        None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", description="BCP 47 language tag of the text (en, ru, zh)."
    )
    origin: Literal["primary", "secondary", "tertiary"] = Field(
        description="primary: produced at the time by a participant or witness; secondary: analyses primary sources; "
        "tertiary: summarises secondary work."
    )
    reliability: Reliability | None = Field(None, description="Admiralty source grade with its reason.")
    declassified: str | None = Field(None, description="Declassification or release note.")
    redactions: str | None = Field(None, description="What is redacted or missing from the text.")
    text: str | None = Field(
        None, description="Path of the text file, relative to the seeds folder. Sources only cited have none."
    )
    notes: str | None = Field(None, description="Anything else a reader should know about the document.")


CITATION_RELATIONS = ("cites", "quotes", "summarises", "translates", "version-of")


class Citation(Model):
    """A link from one source to another: a footnote, a quotation, a summary, a translation."""

    id: Slug
    source: Slug = Field(description="The citing source (the one with the footnote).")
    cites: Slug = Field(description="The cited source.")
    relation: Literal[CITATION_RELATIONS] = Field(  # type: ignore[valid-type]
        "cites",
        description="cites: rests on it; quotes: reproduces its words; summarises: retells it; translates: renders it "
        "in another language; version-of: another edition or version of the same document.",
    )
    footnote: int | None = Field(None, ge=1, le=SQLITE_MAX_INT, description="Footnote or endnote number in the citing source.")
    locator: str | None = Field(None, description="Where in the citing source, when not a numbered note (p. 12, para 3).")
    pages: str | None = Field(None, description="Pages or document number in the cited source.")
    passage: str | None = Field(None, description="The citing passage, usually the footnote's text, verbatim.")
    inferred: bool = Field(
        False, description="True when the citing source gives no note and the curator infers the dependence (say why in note)."
    )
    note: str | None = Field(None, description="The curator's remark on the citation.")

    @model_validator(mode="after")
    def _inference_explained(self):
        if self.inferred and not self.note:
            raise ValueError("an inferred citation needs a note saying why the curator infers it")
        if self.source == self.cites:
            raise ValueError("a source cannot cite itself")
        return self


class Alias(Model):
    """Another name of an entity, as some sources spell it."""

    name: Text = Field(description="The name as written.")
    sources: list[Slug] = Field(default_factory=list, description="Sources that use this spelling.")
    note: str | None = Field(None, description="Why the spelling differs (transliteration, error, code name).")

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        # Seed files may write the name as one string; say so in the JSON Schema too.
        return {
            "anyOf": [
                {"type": "string", "minLength": 1, "description": "The name as written, with no sources or note."},
                handler(core_schema),
            ]
        }

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data):
        return {"name": data} if isinstance(data, str) else data


class Entity(Model):
    """A person, place, unit, organisation or event that claims are about."""

    id: Slug
    type: Literal["person", "place", "unit", "organisation", "event", "document", "aircraft", "operation"] = Field(
        description="What sort of thing it is."
    )
    name: Text = Field(description="The preferred name.")
    aliases: list[Alias] = Field(default_factory=list, description="Other names and spellings used by the sources.")
    description: str | None = Field(None, description="One line saying who or what it is.")


class Property(Model):
    """A property that claims may state of a subject, declared once so claims compare."""

    id: Slug
    label: Text = Field(description="Human-readable name of the property.")
    value_type: Literal["date", "number", "entity", "text"] = Field(description="The kind of value claims give it.")
    multiple: bool = Field(False, description="True when a subject may hold several values at once; such values never conflict.")
    unit: str | None = Field(None, description="Unit of numeric values.")
    description: str | None = Field(None, description="What the property means.")


class RelativeDate(Model):
    """A date stated relative to another claim's date: "12 days after the CPV entered Korea"."""

    claim: Slug = Field(description="The claim whose date this one counts from (its value date, else its event date).")
    days: Int = Field(description="Days after that date (negative: before).")


class ClaimValue(Model):
    """The value a claim gives its property: exactly one of date, relative, number, entity or text."""

    date: EDTF | None = None
    relative: RelativeDate | None = Field(None, description="A date given relative to another claim's date.")
    number: Number | None = Field(None, description="A count or measure.")
    entity: Slug | None = Field(None, description="An entity id.")
    text: str | None = Field(None, description="A value that is none of the above.")
    unit: str | None = Field(None, description="Unit of the number.")
    tolerance: Number | None = Field(None, ge=0, description="How far another number may differ and still agree.")
    as_written: str | None = Field(None, description="The value in the sources' words, when they are vague.")

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [k for k in ("date", "relative", "number", "entity", "text") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of date, relative, number, entity or text")
        return self

    @property
    def kind(self) -> str:
        """The value's type as properties declare it (a relative date is a date)."""
        if self.relative is not None:
            return "date"
        return next(k for k in ("date", "number", "entity", "text") if getattr(self, k) is not None)


class ClaimLink(Model):
    """A curator's statement that this claim contradicts, refines or implies another."""

    relation: Literal["contradicts", "refines", "implies"] = Field(description="How this claim relates to the other.")
    claim: Slug = Field(description="The other claim's id.")
    note: str | None = Field(None, description="Why.")


class Evidence(Model):
    """A passage of a source that bears on a claim, quoted verbatim."""

    id: Slug | None = Field(None, description="Optional stable id; derived from claim, source and quote when absent.")
    source: Slug = Field(description="The source the passage is in.")
    stance: Stance = Field(
        description="supports, conflicts or qualifies the claim; reports: relays it without endorsing it (hearsay)."
    )
    quote: Text = Field(description="The exact words of the source: one contiguous passage, never paraphrased.")
    occurrence: int | None = Field(
        None, ge=1, le=SQLITE_MAX_INT, description="Which occurrence of the quote is meant, when it occurs more than once."
    )
    locator: Text = Field(description="Where in the source: page, paragraph, footnote.")
    name_as_written: str | None = Field(None, description="The subject's name as the passage spells it, when it differs.")
    credibility: int | None = Field(
        None, ge=1, le=6, description="Admiralty information grade 1-6 given by the curator (1 confirmed ... 6 cannot be judged)."
    )
    via: list[Slug] = Field(default_factory=list, description="Citations (footnotes) the passage rests on.")
    note: str | None = Field(None, description="The curator's remark on the passage.")

    @field_validator("quote")
    @classmethod
    def _not_blank(cls, quote: str) -> str:
        if not quote.strip():
            raise ValueError("the quote is blank")
        return quote


class Claim(Model):
    """One checkable assertion about the events, with the evidence for and against it."""

    id: Slug
    statement: Text = Field(description="The assertion in one sentence.")
    subject: Slug | None = Field(None, description="The entity the claim is about.")
    property: Slug | None = Field(None, description="The declared property the claim states.")
    value: ClaimValue | None = Field(None, description="The value the claim gives the property.")
    event_date: EDTF | None = Field(None, description="When the asserted event happened.")
    event_date_as_written: str | None = Field(None, description="The sources' wording of the date when it is vague (early 1951).")
    note: str | None = Field(None, description="The curator's remark, e.g. why an apparent tension is not a contradiction.")
    links: list[ClaimLink] = Field(default_factory=list, description="Curated links to other claims.")
    evidence: list[Evidence] = Field(default_factory=list, description="Passages that bear on the claim.")

    @model_validator(mode="after")
    def _structure(self):
        if (self.property is None) != (self.value is None):
            raise ValueError("property and value go together: give both or neither")
        if self.property is not None and self.subject is None:
            raise ValueError("a claim with a property needs a subject")
        return self
