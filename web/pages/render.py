"""Rendering pages: the Jinja2 environment (templates in web/pages/templates), its filters, and
the page's common context (who is signed in, the CSRF token, the navigation they may use)."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse

from domain.sources import plain_citations, source_words
from domain.access import (Principal, administers, keeps_a_rota, may_list_cases, may_read_commissioning,
                           may_read_governance, may_read_lists)
from projections.wording import shown
from projections.engine_words import CAUSE_WORDS, escalation_cause, role_words, step_title
from web.pages.words import scrubbed
from web.pages import formats, forms

HERE = Path(__file__).parent
STATIC = HERE / "static"
# Safeguard's templates first, then the NHS design system's components (nhsuk-frontend-jinja), whose
# macros need ChainableUndefined (they read nested parameters that may be missing).
env = Environment(loader=ChoiceLoader([FileSystemLoader(HERE / "templates"), PackageLoader("nhsuk_frontend_jinja")]),
                  undefined=ChainableUndefined, autoescape=True)
templates = Jinja2Templates(env=env)


def brief(value: Any, limit: int = 160) -> str:
    """A recorded value as one short line for the chronology (its full text stays in the store)."""
    text = shown(value, formats.london)
    return text if len(text) <= limit else text[: limit - 1] + "…"


env.filters.update(brief=brief, date_parts=forms.date_parts, cited=plain_citations, source_words=source_words, london=formats.london, human=formats.humanise, duration=formats.duration,
                   tojson_compact=lambda v: json.dumps(v, separators=(",", ":")))
# steps by their titles ('CQC notification ...' keeps its case in a sentence), roles in words
env.filters.update(step_title=step_title, role=role_words, plain=scrubbed)  # recorded engine text, in words
# a row's step (an open step, an escalation): a decision's review by the title its amendment recorded
env.filters["step_named"] = lambda row: row.get("title") or step_title(row.get("step"))
# why an escalation was raised: a deadline's in words (its step is named beside it), a trigger's reason as recorded
env.filters["why"] = lambda e: (escalation_cause(e["cause"], e["reason"]) if e.get("cause") in CAUSE_WORDS
                                else scrubbed(e.get("reason") or ""))
env.globals.update(joined=formats.joined, SOURCE_WORDS=formats.SOURCE_WORDS, REPORTER_WORDS=formats.REPORTER_WORDS)


def nav(principal: Principal | None) -> list[tuple[str, str]]:
    """The pages this principal may open (the pages themselves check again)."""
    if principal is None:
        return []
    items = []
    if principal.services() is None or principal.services():
        items += [("/", "My work"), ("/concerns/new", "Raise a concern")]
    if may_list_cases(principal, datetime.now(timezone.utc)):  # an inspector's grant ended: no longer
        items.append(("/cases", "Cases"))
    if may_read_lists(principal):
        items.append(("/board", "Deadline board"))
    if may_read_governance(principal):
        items.append(("/governance", "Governance"))
    if may_read_commissioning(principal):
        items.append(("/commissioner", "Commissioner records"))
    items.append(("/threshold", "Threshold tool"))
    if keeps_a_rota(principal):
        items.append(("/on-call", "On call"))
    items.append(("/alerts", "My alerts"))
    if administers(principal):
        items.append(("/admin", "Administration"))
    return items


def page(request: Request, template: str, principal: Principal | None, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page; the messages left for it (what the last form did) show at its top."""
    ctx = request.app.state.web
    context["notices"] = list(context.get("notices") or []) + request.session.pop("flash", [])
    return templates.TemplateResponse(request, template, {
        "principal": principal, "nav": nav(principal), "path": request.url.path,
        "nav_items": [{"href": href, "text": label, "current": request.url.path == href
                       or (href == "/admin" and request.url.path.startswith("/admin/"))} for href, label in nav(principal)],
        "csrf": request.session.get("csrf") if principal else None,
        "local_account": bool(principal and principal.session_id and request.session.get("local")),
        "idle_minutes": ctx.settings.session_idle_minutes, **context,
    }, status_code=status)


def flash(request: Request, text: str, kind: str = "done", link: tuple[str, str] | None = None) -> None:
    """A message for the next page shown (what the form just did); `link`: (where, its words) after it,
    to where the problem is put right."""
    request.session.setdefault("flash", []).append({"text": text, "kind": kind} | (
        {"href": link[0], "link": link[1]} if link else {}))


def form_key() -> str:
    """A form's hidden key: sent twice (a double click, a second tab), it is recorded once."""
    return secrets.token_urlsafe(16)


def page_key(form: dict[str, str]) -> str | None:
    """The idempotency key a posted form carries: its hidden `form_key` and what was typed in it. Sent
    twice as it was (a double click, a second tab), it is recorded once; changed and sent again (back,
    edit, send), it is a new request."""
    key = form.get("form_key", "")
    if not (0 < len(key) <= 150 and key.isprintable()):
        return None
    typed = json.dumps(sorted((k, v) for k, v in form.items() if k not in ("csrf_token", "form_key")))
    return f"page:{key}:{hashlib.sha256(typed.encode()).hexdigest()[:16]}"
