"""Who the CLI acts as. Embedded (the default): the local operator, as always: actor and role as
typed (`--actor`, `--as`), and every fact says it came by the CLI and from which operating-system
user. Production (SAFEGUARD_MODE=production): every command that reads or writes case data needs
a personal API token (SAFEGUARD_TOKEN); the actor and role come from it, through the same use
cases and authorisation as the API (casework/)."""

from __future__ import annotations

import getpass
from datetime import datetime, timezone

from pydantic import ValidationError

from cli.common import CommandError
from cli.runtime import records
from configuration.settings import Settings, get_settings
from domain.access import Principal
from domain.inputs import describe
from eventstore.accounts import AccountError, Accounts

TOKEN_NEEDED = ("SAFEGUARD_MODE=production: staff actions from the CLI need your personal API token in "
                "SAFEGUARD_TOKEN (an administrator issues one: safeguard tokens issue YOUR-ID --name cli)")


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in a container without a passwd entry
        return "unknown"


def settings() -> Settings:
    """The settings, or a CommandError naming what is wrong with them (never a traceback)."""
    try:
        return get_settings()
    except ValidationError as e:
        raise CommandError(describe(e, "settings (SAFEGUARD_*)")) from None


def production() -> bool:
    return settings().mode == "production"


def _token_principal(request: str) -> Principal:
    settings_ = settings()
    if not settings_.token:
        raise CommandError(TOKEN_NEEDED)
    try:
        token, account = Accounts(records()).check_token(settings_.token, datetime.now(timezone.utc))
    except AccountError as e:
        raise CommandError(f"SAFEGUARD_TOKEN: {e}") from None
    principal = account.principal("cli", token.scope, token_id=token.token_id)
    return Principal(**{**principal.__dict__, "request": request, "os_user": os_user()})


def acting(actor: str | None, role: str | None, request: str, both: bool = True) -> Principal:
    """Who does a staff action: embedded, the local operator as `--actor` in role `--as` (`both`:
    each needed); in production, the token's holder (and neither may be given)."""
    if not production():
        if both and (actor is None or role is None):
            raise CommandError("give --as ROLE and --actor ID (the embedded CLI acts as the local operator)")
        return Principal.local_operator(actor, role, request, os_user())
    if actor is not None or role is not None:
        raise CommandError("in production mode your actor and role come from your token: leave out --as and --actor")
    return _token_principal(request)


def reading(request: str) -> Principal:
    """Who reads: embedded, the local operator (named by their login); in production, the token's holder."""
    if not production():
        return Principal.local_operator(f"cli:{os_user()}", None, request, os_user())
    return _token_principal(request)


def answering(by: str | None, request: str) -> Principal:
    """Who does an organisation-level command (an export, retention's erasure): embedded, --by (a
    staff id) or the login name; in production the token's holder, and --by is refused."""
    if not production():
        if by is not None and (problem := settings().input_rules().id_problem(by, "staff")):
            raise CommandError(f"--by {by!r} {problem}")
        return Principal.local_operator(by or os_user(), None, request, os_user())
    if by:
        raise CommandError(f"in production mode {request} is recorded as your token's holder: leave out --by")
    return _token_principal(request)
