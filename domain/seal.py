"""A command's seal: the proof that it came through Safeguard's application layer.

Temporal's frontend takes an update or a workflow start from anyone who can reach it. Safeguard's
own clients seal every command they send (encryption/seal.py): an HMAC over the workflow it is for,
what it asks (the update's or the workflow's name) and the command itself, under a key only
Safeguard's processes hold. The case checks the seal before it takes the command, so a command
sent round the application layer, or one lifted from one case or update to another, is refused
and records nothing. Each sealed command carries a request id of its own under the seal, so one
lifted from history and sent again to the same case is already recorded. Pure: the key is given.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from pydantic import BaseModel

SEAL_FIELD = "seal"
KEY_INFO = b"safeguard command seal v1"


def command_key(master: bytes) -> bytes:
    """The sealing key, derived from the master key every Safeguard process holds (never stored)."""
    return hmac.new(master, KEY_INFO, hashlib.sha256).digest()


def _message(workflow_id: str, name: str, command: BaseModel | dict[str, Any]) -> bytes:
    body: Any = command.model_dump(mode="json", exclude={SEAL_FIELD}) if isinstance(command, BaseModel) else {
        k: v.model_dump(mode="json") if isinstance(v, BaseModel) else v for k, v in command.items()}
    return json.dumps([workflow_id, name, body], sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def seal_of(key: bytes, workflow_id: str, name: str, command: BaseModel | dict[str, Any]) -> str:
    return hmac.new(key, _message(workflow_id, name, command), hashlib.sha256).hexdigest()


def sealed(command: Any) -> bool:
    """Whether a command is of a kind that must carry a seal."""
    return isinstance(command, BaseModel) and SEAL_FIELD in type(command).model_fields


def carries_its_request(command: BaseModel) -> bool:
    """A command of a kind the case dedupes by request id carries one: Safeguard's client gives one to
    each command sent without a key, under the seal, so a sealed command lifted from history and sent
    again is taken as already recorded, never twice."""
    return "request_id" not in type(command).model_fields or getattr(command, "request_id", None) is not None


def seal_holds(key: bytes, workflow_id: str, name: str, command: BaseModel) -> bool:
    given = getattr(command, SEAL_FIELD, None)
    return isinstance(given, str) and hmac.compare_digest(given, seal_of(key, workflow_id, name, command))
