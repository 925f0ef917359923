"""Security headers on every answer: pages, the API, the codec endpoint.

- A Content-Security-Policy allowing only Safeguard's own origin: no inline script or style (htmx
  is told not to inject its indicator styles, nor to evaluate), no framing, forms posting home
  only. The API's Swagger UI page (/api/docs) needs its one inline script, and is allowed it.
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`.
- `Cache-Control: no-store` on everything but the static assets: shared PCs are the norm, and a
  page or an answer with case data must not stay in a browser's cache for the next person.
- `Strict-Transport-Security` when the request came over TLS (the proxy in front says so).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
          "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
DOCS_POLICY = POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'")
CACHEABLE = ("/static/", "/api/docs/assets/")
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(path: str, scheme: str | None) -> dict[str, str]:
    """The headers for an answer at `path`. A fault's answer (made outside every middleware, by
    Starlette's last handler) takes them from here too."""
    headers = {"Content-Security-Policy": DOCS_POLICY if path == "/api/docs" else POLICY,
               "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
    if not path.startswith(CACHEABLE):
        headers["Cache-Control"] = "no-store"
    if scheme == "https":
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(security_headers(path, scope.get("scheme")))
            await send(message)

        await self.app(scope, receive, with_headers)
