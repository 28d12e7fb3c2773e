"""The JSON Schema in schema/ is generated from the models, and every seed file satisfies it."""

from pathlib import Path

import jsonschema
import pytest

from provenance.schema import seed_schemas, stale_schemas
from provenance.yamlfile import read_yaml

from .conftest import CORPUS, ROOT

SCHEMAS = seed_schemas()


def test_schema_files_are_up_to_date():
    assert stale_schemas(ROOT / "schema") == [], "run: provenance schema"


def _seed_files():
    for corpus in (ROOT / "seeds", CORPUS):
        for folder in ("sources", "citations", "entities", "properties", "claims"):
            for path in sorted((corpus / folder).glob("*.yaml")):
                yield pytest.param(folder, path, id=str(path.relative_to(ROOT)))


@pytest.mark.parametrize("folder, path", list(_seed_files()))
def test_seed_file_satisfies_the_schema(folder, path: Path):
    parsed = read_yaml(str(path), path.read_text(encoding="utf-8"))
    assert parsed.problems == []
    jsonschema.validate(parsed.value, SCHEMAS[f"{folder}.schema.json"], cls=jsonschema.Draft202012Validator)


def test_schema_rejects_what_the_models_reject():
    validator = jsonschema.Draft202012Validator(SCHEMAS["claims.schema.json"])
    bad = [{"id": "c", "statement": "s", "evidence": [{"source": "x", "stance": "agrees", "quote": "q", "locator": "p"}]}]
    assert any("agrees" in e.message for e in validator.iter_errors(bad))
    assert list(validator.iter_errors([{"id": "c", "statement": "s", "colour": "red"}]))
