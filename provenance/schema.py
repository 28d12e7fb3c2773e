"""JSON Schema for the seed files, generated from the models.

Editors check seed files as they are typed when a file starts with a line such as
``# yaml-language-server: $schema=../../schema/claims.schema.json``. A test regenerates
the schemas and fails when the files in ``schema/`` are stale; ``provenance schema``
rewrites them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from .models import Citation, Claim, Entity, Property, Source

__all__ = ["seed_schemas", "write_schemas", "stale_schemas", "SCHEMA_FOLDER"]

SCHEMA_FOLDER = "schema"

# folder of seed files -> (type of one file, title)
_FILES: dict[str, tuple[Any, str]] = {
    "sources": (Source | list[Source], "A seeds/sources/ file: one source, or a list of sources"),
    "citations": (list[Citation], "A seeds/citations/ file: a list of citations between sources"),
    "entities": (list[Entity], "A seeds/entities/ file: a list of entities with their aliases"),
    "properties": (list[Property], "A seeds/properties/ file: a list of properties claims may state"),
    "claims": (list[Claim], "A seeds/claims/ file: a list of claims with their evidence"),
}


def seed_schemas() -> dict[str, dict]:
    """File name -> JSON Schema (draft 2020-12) for each folder of seed files."""
    out = {}
    for folder, (kind, title) in _FILES.items():
        schema = TypeAdapter(kind).json_schema()
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **schema}
        out[f"{folder}.schema.json"] = schema
    return out


def _render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schemas(folder: str | Path = SCHEMA_FOLDER) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in seed_schemas().items():
        path = folder / name
        path.write_text(_render(schema), encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(folder: str | Path = SCHEMA_FOLDER) -> list[str]:
    """Names of schema files that are missing or differ from what the models generate."""
    folder = Path(folder)
    stale = []
    for name, schema in seed_schemas().items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != _render(schema):
            stale.append(name)
    return stale
