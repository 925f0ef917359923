"""The API's contract as generated from its types: every operation and the status codes it declares
stay as recorded in `fixtures/openapi_operations.json` (a change to the API is a change to that file,
made on purpose), and no operation carries a hand-written schema: request bodies are pydantic models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
RECORDED = Path(__file__).parent / "fixtures" / "openapi_operations.json"


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    from configuration.settings import get_settings
    from web.app import create_app

    settings = get_settings().model_copy(update={"data_dir": tmp_path_factory.mktemp("openapi")})
    return create_app(settings).openapi()


def test_the_operations_and_their_status_codes_are_as_recorded(document):
    found = {f"{m.upper()} {p}": sorted(o.get("responses", {})) for p, ops in document["paths"].items() for m, o in ops.items()}
    assert found == json.loads(RECORDED.read_text())


def test_every_schema_reference_resolves(document):
    text = json.dumps(document)
    refs = {part.split('"')[0] for part in text.split('"$ref": "')[1:]}
    for ref in refs:
        node = document
        for key in ref.removeprefix("#/").split("/"):
            assert key in node, f"{ref} does not resolve"
            node = node[key]


def test_request_bodies_are_generated_from_models(document):
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body is not None:
                assert "$ref" in body or "anyOf" in body, f"{method.upper()} {path}: a schema written by hand"
