"""The exceptions provenance raises, and the problem records they carry.

::

    ProvenanceError                 base of everything this package raises on purpose
    ├── SeedsInvalid                the seeds have one or more problems (carries them all)
    ├── BuildError                  the database could not be written (I/O, lock, integrity,
    │   │                           a helper process that died)
    │   └── BuildLocked             another build of the same database is running
    ├── DatabaseError               a built database is missing, stale or not ours
    │   └── NotFound                a claim, source or other id is not in the database
    ├── ExportError                 an export was asked for with options it cannot honour
    ├── IngestError                 a document could not be added as a source
    └── LocateError                 the passage search could not run

A problem in the seeds is not an exception on its own: loading collects every
:class:`Problem` it meets, so that one run reports all of them, and raises
:class:`SeedsInvalid` at the end. Each problem names the file, the line, the record id
and the field, in the form ``file:line: record: field: message``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Problem",
    "ProvenanceError",
    "SeedsInvalid",
    "BuildError",
    "BuildLocked",
    "DatabaseError",
    "NotFound",
    "ExportError",
    "IngestError",
    "LocateError",
]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the seeds, located as precisely as the input allows."""

    path: str
    line: int
    record: str = ""
    field: str = ""
    message: str = ""
    severity: str = "error"  # "error" stops the build, "warning" is reported only

    def __str__(self) -> str:
        parts = [f"{self.path}:{self.line}"]
        if self.record:
            parts.append(self.record)
        if self.field:
            parts.append(self.field)
        prefix = "warning: " if self.severity == "warning" else ""
        return ": ".join(parts) + f": {prefix}{self.message}"


class ProvenanceError(Exception):
    """Base class of every error raised on purpose by provenance."""


class SeedsInvalid(ProvenanceError):
    """Raised by loading, checking or building when the seeds have errors.

    ``problems`` holds every error found in the run (warnings are not included).
    """

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        count = len(self.problems)
        lines = [str(p) for p in self.problems]
        lines.append(f"{count} error{'s' if count != 1 else ''} found; nothing was built.")
        super().__init__("\n".join(lines))


class BuildError(ProvenanceError):
    """Raised when the database cannot be written or fails its integrity check."""


class BuildLocked(BuildError):
    """Raised when another build of the same database holds its lock."""


class DatabaseError(ProvenanceError):
    """Raised when a command needs a built database and the one given is unusable."""


class NotFound(DatabaseError):
    """Raised when an id asked for is not in the database."""


class ExportError(ProvenanceError):
    """Raised by ``provenance export`` when the format is unknown or an option does not
    apply to it (``--source`` with a PROV document of the whole database)."""


class IngestError(ProvenanceError):
    """Raised by ``provenance add-source`` when a document cannot be read or added: an
    unknown file type, an undecodable or encrypted file, a source id already taken, a
    seeds folder that cannot be written. The message says why and what to do."""


class LocateError(ProvenanceError):
    """Raised by ``provenance locate`` when the search cannot run: an unknown source, a
    source without text, nothing to look for."""
