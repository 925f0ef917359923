"""Reading a JSON body as Safeguard reads every file: `StrictRoute` checks what FastAPI's own body
parsing lets through, before it parses. The body must be JSON (415), within the request limit (413),
UTF-8, and JSON under casework's rules (400: a duplicate key, NaN, nesting too deep); FastAPI then
validates the parsed body against the route's pydantic model, whose refusals are worded in the
model's own words (`what`, the field, the problem: web/problems.py)."""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Coroutine, get_args

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, model_validator

from casework.inputs import parse_json
from casework.refusals import Refusal
from web.problems import Problem

JSON_TYPES = ("application/json", "application/problem+json")
IDENTITY_FIELDS = ("actor", "role")


class Body(BaseModel):
    """A request body: unknown fields refused; `what` names it in every refusal. The actor and role
    come from who is signed in, so a body naming either is refused."""

    model_config = ConfigDict(extra="forbid")
    what: ClassVar[str] = "the request"

    @model_validator(mode="before")
    @classmethod
    def _no_identity(cls, data: Any) -> Any:
        if isinstance(data, dict):
            given = [k for k in IDENTITY_FIELDS if k in data]
            if given:
                verb = "comes" if len(given) == 1 else "come"
                raise ValueError(f"{' and '.join(given)} {verb} from who you are signed in as; remove "
                                 f"{', '.join(given)} from the body")
        return data


def body_model(route: Any) -> type[Body] | None:
    """The route's body model (its one body parameter, optional or not), if it is a `Body`."""
    params = getattr(getattr(route, "dependant", None), "body_params", None) or []
    annotation = getattr(params[0].field_info, "annotation", None) if len(params) == 1 else None
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Body):
            return candidate
    return None


class StrictRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        model = body_model(self)
        if model is None:
            return handler

        async def strict(request: Request) -> Response:
            await read_json(request, model.what)
            return await handler(request)

        return strict


async def read_json(request: Request, what: str) -> None:
    """Check and parse the body, leaving it where Starlette keeps a parsed body (FastAPI reads it there)."""
    limit = request.app.state.web.settings.max_request_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Problem(413, f"the request is {int(declared) / 1024:,.0f} KB: at most {limit // 1024:,} KB")
    raw = await request.body()
    if not raw:
        return
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in JSON_TYPES:
        raise Problem(415, f"send {what} as application/json (got {ctype or 'no content type'})")
    if len(raw) > limit:
        raise Problem(413, f"the request is {len(raw) / 1024:,.0f} KB: at most {limit // 1024:,} KB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise Problem(400, f"{what} is not UTF-8 text (byte {e.start + 1} is not UTF-8)") from None
    try:
        request._json = parse_json(text, what)  # type: ignore[attr-defined]  # Starlette's cache of the parsed body
    except Refusal as e:
        raise Problem(400, e.message) from None
