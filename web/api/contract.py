"""The API's contract: the statuses each operation can answer, as data the routes declare, and the
OpenAPI document made from the routes with every error answered as `application/problem+json`
under one schema (`ProblemDetails`), as web/problems.py answers it. Schemathesis checks the
served document against the API in CI (tests/test_api_contract.py)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from web.api.responses import ProblemDetails

PROBLEM_TYPE = "application/problem+json"
WHY = {
    400: "Bad request: the body is not JSON as Safeguard reads it (a duplicate key, NaN, too deeply nested, not "
         "UTF-8), or the Idempotency-Key header is not 1 to 200 printable characters",
    401: "Not signed in: no API token or session, or it has expired, been revoked or ended",
    403: "Not allowed: your roles, their services or your token's scope do not reach this; or a session's "
         "request without its CSRF token; or a password that must be changed first",
    404: "Not found, or not one you may see",
    409: "Conflict: the case or process is closed, the step is done already, or the Idempotency-Key was used "
         "for a different request",
    410: "Gone: erased under retention",
    413: "The request is larger than the limit",
    415: "The body is not sent as application/json",
    422: "Refused: the request breaks one of Safeguard's rules (the detail says which, and how to put it right)",
    429: "Too many attempts: wait for the time in Retry-After",
    503: "Unavailable: Temporal or the event store did not answer, or no worker runs: try again later",
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"description": WHY[code]} for code in sorted(set(codes))}


SIGNED_IN = (401, 403, 503)
READ = problems(*SIGNED_IN, 422)
CASE_READ = problems(*SIGNED_IN, 404, 410, 422)
BODY = (400, 413, 415, 422)
WRITE = problems(*SIGNED_IN, *BODY, 409)
CASE_WRITE = problems(*SIGNED_IN, *BODY, 404, 409, 410)


_READ_BY_HAND: dict[str, type[BaseModel]] = {}  # bodies a route reads itself (JSON or a form), by name


def request_body(model: type[BaseModel], *media_types: str) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its body itself: the model's schema, under each media type."""
    _READ_BY_HAND[model.__name__] = model
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {m: {"schema": ref} for m in media_types}}}


def install(app: FastAPI) -> None:
    """Serve the document FastAPI generates, with its errors put as Safeguard answers them."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        first = app.openapi_schema is None
        document = generate()
        if first:
            with_problems(document)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def with_problems(document: dict[str, Any]) -> None:
    """Every 4xx and 5xx answer as problem+json (FastAPI's own 422 says application/json and a shape
    Safeguard never sends)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for model in (ProblemDetails, *_READ_BY_HAND.values()):
        schemas[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
    ref = {"$ref": "#/components/schemas/ProblemDetails"}
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if status[:1] in ("4", "5"):
                    response["content"] = {PROBLEM_TYPE: {"schema": ref}}
                    response["description"] = WHY.get(int(status), response.get("description", ""))
    text = str(document["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):
        if f"/{unused}'" not in text:
            schemas.pop(unused, None)
