"""A form's unsent answers, kept when the session ended while it was being filled (a shared PC's idle
time-out), so the person carries on after signing in again.

Kept on the server, never in the browser: beside the read models (the documents view "form_drafts"),
under the case's own key (a case erased under retention takes its drafts with it), for
`DRAFT_KEPT` at most, and given back once, to the same person, if they may still read the case.
A draft is not a record: nothing reaches the case until the person sends the form.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta

from casework.access import visible_case
from casework.ports import Ports
from casework.refusals import Refusal
from domain.access import Principal
from eventstore.events import case_stream
from eventstore.keys import Erased

VIEW = "form_drafts"
DRAFT_KEPT = timedelta(hours=2)
NOT_KEPT = ("csrf_token", "login_csrf")  # tokens of the session that ended: a new session has its own


def _key(user_id: str, path: str) -> str:
    return hashlib.sha256(f"{user_id}\n{path}".encode()).hexdigest()  # no id or path in the store's keys


def keep_draft(ports: Ports, user_id: str, case_id: str, path: str, form: dict[str, str], now: datetime) -> bool:
    """Keep what `user_id` typed into the form at `path` of `case_id` (their session has just ended)."""
    values = {k: v for k, v in form.items() if k not in NOT_KEPT and isinstance(v, str)}
    if not values or not user_id:
        return False
    plain = json.dumps(values).encode()
    try:
        cipher = ports.records.keys.cipher(case_stream(case_id)) if ports.records.keys is not None else None
    except Erased:
        return False
    if ports.records.keys is not None and cipher is None:
        return False  # no such case: nothing to keep a draft for
    sealed = cipher.encrypt(plain) if cipher is not None else plain
    stale = {k: None for k, doc in ports.documents.scan(VIEW) if now - datetime.fromisoformat(doc["kept_at"]) > DRAFT_KEPT}
    ports.documents.write(VIEW, {**stale, _key(user_id, path): {"case_id": case_id, "kept_at": now.isoformat(),
                                                       "sealed": base64.b64encode(sealed).decode()}}, None)
    return True


def take_draft(ports: Ports, principal: Principal, case_id: str, path: str, now: datetime) -> dict[str, str] | None:
    """The principal's kept answers for the form at `path`, once (the draft is gone after): None if
    there are none, they are older than DRAFT_KEPT, the case was erased, or the principal may no
    longer read the case."""
    key = _key(principal.user_id, path)
    doc = ports.documents.read(VIEW, [key]).get(key)
    if doc is None:
        return None
    ports.documents.write(VIEW, {key: None}, None)
    if doc.get("case_id") != case_id or now - datetime.fromisoformat(doc["kept_at"]) > DRAFT_KEPT:
        return None
    try:
        visible_case(ports, principal, case_id, now, action=None)
        cipher = ports.records.keys.cipher(case_stream(case_id)) if ports.records.keys is not None else None
        sealed = base64.b64decode(doc["sealed"])
        return json.loads(cipher.decrypt(sealed) if cipher is not None else sealed)
    except (Refusal, Erased):
        return None
