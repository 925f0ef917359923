"""Answering: a result as JSON, and a write's outcome with the header saying it was answered from
what an earlier sending of the same request recorded."""

from __future__ import annotations

from typing import Any

from fastapi.encoders import jsonable_encoder
from starlette.responses import JSONResponse

from casework.idempotency import Outcome

REPLAYED = "Idempotent-Replayed"


def answer(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(jsonable_encoder(data), status_code=status)


def answered(outcome: Outcome[Any], body: Any, key: str | None, status: int = 200) -> JSONResponse:
    """A write's answer; sent again with its key, it says so (header Idempotent-Replayed: true)."""
    response = answer(body, status)
    if key is not None and outcome.replayed:
        response.headers[REPLAYED] = "true"
    return response
