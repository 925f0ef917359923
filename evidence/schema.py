"""Writes docs/evidence-pack.schema.json, the evidence pack's JSON Schema (a test keeps it current):

    .venv/bin/python -m evidence.schema
"""

from __future__ import annotations

import json
from pathlib import Path

from evidence.pack import EvidencePack

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "docs" / "evidence-pack.schema.json"


def schema_text() -> str:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "$id": "https://safeguard.invalid/schemas/evidence-pack-1.json", **EvidencePack.model_json_schema()}
    return json.dumps(schema, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(schema_text())
    print(f"wrote {SCHEMA_FILE}")
