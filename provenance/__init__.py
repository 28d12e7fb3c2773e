"""provenance: claims, the evidence for and against them, and where that evidence comes from.

The public surface: read seeds, build the database, and the errors they raise. The CLI
and the Datasette plugins import from here.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("provenance")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

from .anchoring import Anchor, locate, normalise
from .build import BuildResult, build_database, database_digest
from .errors import (
    BuildError,
    BuildLocked,
    DatabaseError,
    NotFound,
    Problem,
    ProvenanceError,
    SeedsInvalid,
)
from .seeds import Seeds, seeds_digest

__all__ = [
    "__version__",
    "Anchor",
    "locate",
    "normalise",
    "BuildResult",
    "build_database",
    "database_digest",
    "Seeds",
    "seeds_digest",
    "Problem",
    "ProvenanceError",
    "SeedsInvalid",
    "BuildError",
    "BuildLocked",
    "DatabaseError",
    "NotFound",
]
