"""Sources named as a reader names them: "Zhang 2020, n. 143", "Zakharov's report to
Stalin", never by slug (DESIGN.md: "The reason names sources as a reader would").

* a source with a curated ``short_title`` goes by it;
* a primary document (a telegram, a report) by its own title where that says who wrote
  to whom ("Shtykov to Stalin, 15 July 1950"), else by its author and day;
* any other work by its first author's family name and year ("Shen and Xia 2015",
  "Mansourov et al. 1995"), or its title and year when it names no author.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

__all__ = ["SourceName", "reader_name", "with_notes", "and_list"]

_LONGEST = 72  # characters of a title shown in a reason


@dataclass(frozen=True)
class SourceName:
    """What naming a source needs: a row of ``sources``."""

    id: str
    title: str | None = None
    authors: str | None = None  # JSON name parts, as stored
    issued: str | None = None
    origin: str | None = None
    short_title: str | None = None


def _family(part: dict) -> str:
    return part.get("family") or part.get("literal") or part.get("given") or ""


def _year(issued: str | None) -> str:
    if not issued:
        return "n.d."
    head = issued.lstrip("-")[:4]
    return head if head.isdigit() else issued


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_TRANSLATED = re.compile(r"^[^\[\]]+ \[([^\]]+)\](.*)$")  # "Zhou Enlai wengao [Zhou Enlai's Manuscripts], vol. 3"


def _date(issued: str | None) -> str:
    """ "2 October 1950", "October 1950" or the year, from an EDTF date."""
    parts = (issued or "").split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2 and all(p.isdigit() for p in parts) and 1 <= int(parts[1]) <= 12:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return _year(issued)


def _title(title: str) -> str:
    """The title a reader of English knows it by: the translation in brackets, if any."""
    title = title.strip()
    if title.startswith("[") and title.endswith("]"):
        title = title[1:-1]
    translated = _TRANSLATED.match(title)
    if translated:
        title = translated.group(1) + translated.group(2)
    return title


def _short(title: str) -> str:
    if len(title) <= _LONGEST:
        return title
    return title[:_LONGEST].rsplit(" ", 1)[0].rstrip(",:;") + "…"


def reader_name(source: SourceName) -> str:
    """How a reader names ``source`` in a sentence."""
    if source.short_title:
        return source.short_title
    try:
        authors = [a for a in json.loads(source.authors or "[]") if _family(a)]
    except (TypeError, ValueError):
        authors = []
    title = _title(source.title) if source.title else None
    if source.origin == "primary" and title and ": " in title:
        # a document titled by who wrote to whom: "Shtykov to Stalin, 15 July 1950"
        head = title.split(": ", 1)[0]
        year = _year(source.issued)
        return _short(head if year in head else f"{head}, {_date(source.issued)}")
    year = _year(source.issued) if source.issued else ""
    if authors:
        names = [_family(a) for a in authors]
        who = names[0] if len(names) == 1 else " and ".join(names) if len(names) == 2 else f"{names[0]} et al."
        if source.origin == "primary" and source.issued and len(source.issued.split("-")) == 3:
            return f"{who}, {_date(source.issued)}"  # a dated document: "Stalin, 13 October 1950"
        return f"{who} {year}".strip()
    if title:
        return f"{_short(title)} ({year})" if year else _short(title)
    return source.id


def with_notes(name: str, footnotes: list[int]) -> str:
    """ "Zhang 2020, n. 143", "Zhang 2020, nn. 142, 143", or the name alone."""
    notes = sorted(set(footnotes))
    if not notes:
        return name
    return f"{name}, {'n.' if len(notes) == 1 else 'nn.'} {', '.join(map(str, notes))}"


def and_list(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
