"""`/healthz` and `/readyz` on the public port (issue 23): answered to anyone, signed in or not,
since they carry no data: 'alive'; 'ready', or 503 and a plain sentence naming what cannot be
reached (the store, Temporal). `/metrics` is not here: it is on the internal port only
(operations/internal_port.py), and the public app answers it 404 like any other unknown path."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import PlainTextResponse

from operations.health import ALIVE, READY, Readiness

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz")
async def healthz() -> PlainTextResponse:
    return PlainTextResponse(f"{ALIVE}\n", headers=NO_STORE)


@router.get("/readyz")
async def readyz(request: Request) -> PlainTextResponse:
    readiness = getattr(request.app.state, "readiness", None)
    if readiness is None:  # one per app: its probe's answer is shared for a second
        ports = request.app.state.web.ports
        readiness = request.app.state.readiness = Readiness(ports.records, ports.temporal)
    reason = await readiness.reason()
    return PlainTextResponse(f"{reason or READY}\n", status_code=503 if reason else 200, headers=NO_STORE)
