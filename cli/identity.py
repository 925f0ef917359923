"""Who the CLI acts as. Embedded (the default): the local operator, as always: actor and role as
typed, and every fact says it came by the CLI and from which operating-system user. Production
(SAFEGUARD_MODE=production): staff actions need a personal API token (SAFEGUARD_TOKEN); the actor
and role come from it, through the same authorisation as the API (casework/authorised.py)."""

from __future__ import annotations

import getpass
from datetime import datetime, timezone
from typing import Any

from pydantic import ValidationError

from casework.authorised import IdentityInBody, case_service, raised_by
from casework.errors import CaseworkError, describe_validation
from cli.common import CommandError
from cli.runtime import records
from configuration.settings import Settings, get_settings
from domain.access import Decision, Principal, may_read_case
from eventstore.accounts import AccountError, Accounts

TOKEN_NEEDED = ("SAFEGUARD_MODE=production: staff actions from the CLI need your personal API token in "
                "SAFEGUARD_TOKEN (an administrator issues one: safeguard tokens issue YOUR-ID --name cli)")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def via() -> dict[str, Any]:
    """What every command sent from the CLI carries: the channel and the operating-system user."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in a container without a passwd entry
        user = "unknown"
    return {"channel": "cli", "os_user": user}


def settings() -> Settings:
    """The settings, or a CommandError naming what is wrong with them (never a traceback)."""
    try:
        return get_settings()
    except ValidationError as e:
        raise CommandError(describe_validation(e, "settings (SAFEGUARD_*)")) from None


def production() -> bool:
    return settings().mode == "production"


def cli_principal(actor: str | None, role: str | None) -> Principal | None:
    """None in embedded mode (then --actor and --as are needed); the token's principal in production
    (then neither may be given)."""
    settings_ = settings()
    if settings_.mode != "production":
        if actor is None or role is None:
            raise CommandError("give --as ROLE and --actor ID (the embedded CLI acts as the local operator)")
        return None
    if actor is not None or role is not None:
        raise CommandError("in production mode your actor and role come from your token: leave out --as and --actor")
    if not settings_.token:
        raise CommandError(TOKEN_NEEDED)
    try:
        token, account = Accounts(records()).check_token(settings_.token, utc_now())
    except AccountError as e:
        raise CommandError(f"SAFEGUARD_TOKEN: {e}") from None
    return account.principal("cli", token.scope, token_id=token.token_id)


def exported(who: str, what: str, case_ids: list[str], principal: Principal | None = None,
             target: str | None = None) -> None:
    """An export from the CLI, in the access audit: one line per case it holds."""
    accounts = Accounts(records())
    for case_id in case_ids:
        accounts.audit(who, "export", what, True, case_id=case_id, target=target, channel="cli",
                       token_id=principal.token_id if principal else None)


def acting(by: str | None, decide: Any, what: str) -> tuple[str, Principal | None]:
    """Who does an organisation-level command (an export, retention's erasure): in production the
    token's holder, if `decide(principal)` allows it (a refusal audited); embedded, --by (a staff id)
    or the login name."""
    if not production():
        if by is not None and (problem := settings().input_rules().id_problem(by, "staff")):
            raise CommandError(f"--by {by!r} {problem}")
        return by or via()["os_user"], None
    if by:
        raise CommandError(f"in production mode {what} is recorded as your token's holder: leave out --by")
    principal = cli_principal(None, None)
    assert principal is not None
    case_id, decision = decide(principal)
    allowed(principal, decision, what, case_id, None)
    return principal.user_id, principal


def refused(principal: Principal, what: str, reason: str, case_id: str | None = None, service: str | None = None) -> None:
    Accounts(records()).audit(principal.user_id, "refused", what, False, case_id=case_id, service=service, reason=reason,
                              channel="cli", token_id=principal.token_id)


def visible_service(principal: Principal, case_id: str, what: str) -> str:
    """The case's service, if the principal may see the case; else 'no case', as for an unknown one."""
    service = case_service(records(), case_id)
    decision = may_read_case(principal, case_id, service, utc_now()) if service else Decision(False, f"no case {case_id}")
    if not decision:
        refused(principal, what, decision.reason, case_id, service)
        raise CaseworkError(f"no case {case_id}")
    return service  # type: ignore[return-value]


def allowed(principal: Principal, decision: Decision, what: str, case_id: str | None, service: str | None) -> str:
    """The role to act as, or the refusal (audited) as a command error."""
    if not decision:
        refused(principal, what, decision.reason, case_id, service)
        raise CommandError(decision.reason)
    return decision.role  # type: ignore[return-value]



def raised_by_token(principal: Principal, data: dict[str, Any], what: str) -> dict[str, Any]:
    """The concern body with raised_by from the token (casework/authorised.py); a refusal audited."""
    try:
        data, decision = raised_by(principal, data)
    except IdentityInBody as e:
        raise CommandError(str(e)) from None
    if decision is not None:
        service = data["service"]["id"]
        allowed(principal, decision, what, data.get("case_id") if isinstance(data.get("case_id"), str) else None, service)
    return data
