"""`safeguard users` and `safeguard tokens`: local accounts, their roles, and API tokens.

The operator's tool: run on the server, as the OS user named in the access audit (`cli:<user>`).
Accounts live in the event store, so `safeguard backup` covers them. Adding and closing accounts,
granting and revoking roles, listing users and tokens and revoking a token go through the same use
cases as the Administration pages (casework/accounts_admin.py, casework/administration.py), as the
local operator, whom every check lets through (the guard on the last administrator holds for them too).
"""

from __future__ import annotations

import getpass
import secrets
import sys
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Optional

import typer

from casework import accounts_admin, administration
from casework.refusals import Invalid
from cli.common import CommandError, emit_json, fail, input_rules, say
from cli.runtime import guarded, records
from configuration.settings import get_settings
from domain.access import Assignment, Principal, ROLES, role_name
from domain.identity import Account, Token
from domain.inputs import MAX_TEXT, text_problem
from eventstore.accounts import AccountError, Accounts

users_app = typer.Typer(help="Local accounts and the roles they hold, per service or organisation-wide.",
                        no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens: personal or service, scoped, expiring, revocable.", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="print JSON")
SERVICE = typer.Option(None, "--service", help="the service (omit for organisation-wide)")


def operator() -> str:
    """Who runs the CLI, as the audit names them."""
    return f"cli:{getpass.getuser()}"


def _os_user() -> str:
    return getpass.getuser()


def _accounts() -> Accounts:
    return Accounts(records())


def _as_operator(command: str) -> Principal:
    """The local operator, as the access log names them (`cli:<login>`), running `command`."""
    return Principal.local_operator(None, None, command, _os_user())


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _ports():
    """What the use cases take, over this command's store (no Temporal: these never ask a workflow)."""
    import bootstrap

    return bootstrap.ports(get_settings(), records())


def _do(fn):
    def go():
        try:
            return fn()
        except AccountError as e:
            raise CommandError(str(e)) from None
    return guarded(go)


def _staff_id(user_id: str) -> str:
    problem = input_rules().id_problem(user_id, "staff")
    if problem:
        fail(f"user id {user_id!r} {problem}")
    return user_id


def _until(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(23, 59, 59), timezone.utc)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--until {text!r} is not an ISO date (2027-03-31) or instant") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def account_json(a: Account) -> dict[str, Any]:
    return {"user_id": a.user_id, "display_name": a.display_name, "kind": a.kind, "password": a.password_hash is not None,
            "deactivated_at": a.deactivated_at.isoformat() if a.deactivated_at else None,
            "roles": [{"role": x.role, "service": x.service, "cases": list(x.cases),
                       "until": x.until.isoformat() if x.until else None} for x in a.assignments]}


@users_app.command("add")
def add(
    user_id: str = typer.Argument(..., help="the staff id (e.g. TL-4): it is the actor on every fact they record"),
    name: str = typer.Option(..., "--name", help="display name"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from standard input"),
    no_password: bool = typer.Option(False, "--no-password", help="signs in by OIDC, or uses API tokens only"),
    service_account: bool = typer.Option(False, "--service-account", help="an integration, not a person"),
    as_json: bool = JSON,
) -> None:
    """Add a local account. Without --password-stdin or --no-password, a password is generated and shown once."""
    _staff_id(user_id)
    problem = text_problem(name, MAX_TEXT)
    if problem:
        fail(f"--name {problem}")
    generated = None
    password: str | None
    if no_password or service_account:
        password = None
    elif password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = generated = secrets.token_urlsafe(12)
    c = accounts_admin.AddUser(user_id, name, kind="service" if service_account else "person", password=password)
    account = guarded(lambda: accounts_admin.add_user(_ports(), _as_operator("users add"), c, _now())).value
    if as_json:
        emit_json({**account_json(account), **({"generated_password": generated} if generated else {})})
        return
    say(f"user {user_id} added ({name})")
    if generated:
        say(f"  password (shown once): {generated}")
    say(f"  grant a role: safeguard users grant {user_id} ROLE --service SVC-ID")


@users_app.command("grant")
def grant(
    user_id: str, role: str = typer.Argument(..., help=" | ".join(ROLES)),
    service: Optional[str] = typer.Option(None, "--service", help="the service they hold it at"),
    organisation_wide: bool = typer.Option(False, "--organisation-wide",
                                           help="at every service (a role held only organisation-wide needs neither)"),
    case: list[str] = typer.Option([], "--case", help="an inspector's grant: a case they may read (repeat)"),
    until: Optional[str] = typer.Option(None, "--until", help="an inspector's grant ends then (ISO date or instant)"),
    as_json: bool = JSON,
) -> None:
    """Grant a role at a service (--service) or organisation-wide (--organisation-wide): a role that may be held
    at a service is never organisation-wide unless told. An inspector's grant names cases and an end."""
    if role not in ROLES:
        fail(f"unknown role {role!r}; the roles are: {', '.join(ROLES)}")
    if service is not None and organisation_wide:
        fail("either --service or --organisation-wide, not both")
    assignment = Assignment(role, service, tuple(case), guarded(lambda: _until(until)))
    where = None if organisation_wide else "" if service is None else service  # "": not said (the use case asks)
    c = accounts_admin.GrantRole(user_id, role, where, assignment.cases, assignment.until)
    done = guarded(lambda: _grant(c))
    emit_json(account_json(done.value)) if as_json else say(f"{user_id} now holds {assignment.describe()}")


def _grant(c: accounts_admin.GrantRole) -> Any:
    try:
        return accounts_admin.grant_role(_ports(), _as_operator("users grant"), c, _now())
    except Invalid as e:
        if e.details.get("organisation_only"):  # the page's words name its "Where" choice; here, the option
            raise Invalid(f"The role {role_name(c.role)} is held across the whole organisation: leave out --service.",
                          **e.details) from None
        if e.details.get("where_unchosen"):
            raise Invalid("Say where they hold the role: --service SVC-ID, or --organisation-wide.", **e.details) from None
        raise


@users_app.command("revoke")
def revoke(user_id: str, role: str, service: Optional[str] = SERVICE, as_json: bool = JSON) -> None:
    """Revoke a role (at a service, or the organisation-wide one). Their tokens lose it at once."""
    c = accounts_admin.RevokeRole(user_id, role, service)
    account = guarded(lambda: accounts_admin.revoke_role(_ports(), _as_operator("users revoke"), c, _now()))
    emit_json(account_json(account)) if as_json else say(f"{user_id} no longer holds {Assignment(role, service).describe()}")


@users_app.command("deactivate")
def deactivate(user_id: str, reason: Optional[str] = typer.Option(None, help="why (a leaver, say): kept in the access log"),
               as_json: bool = JSON) -> None:
    """Close an account: their sessions and tokens are refused from the next request, at once."""
    c = accounts_admin.DeactivateUser(user_id, reason)
    account = guarded(lambda: accounts_admin.deactivate_user(_ports(), _as_operator("users deactivate"), c, _now()))
    emit_json(account_json(account)) if as_json else say(f"{user_id} deactivated: their sessions and tokens end now")


@users_app.command("contact")
def contact(user_id: str,
            email: Optional[str] = typer.Option(None, "--email", help="where email alerts go"),
            mobile: Optional[str] = typer.Option(None, "--mobile", help="a UK mobile number, for urgent alerts by text message"),
            approaching: Optional[bool] = typer.Option(None, "--approaching-alerts/--no-approaching-alerts",
                                                       help="alerts when a deadline is near (escalations cannot be "
                                                            "turned off); left out, the person's own choice stays"),
            as_json: bool = JSON) -> None:
    """Set where a person's alerts go. Give both each time: a detail left out is cleared."""
    from casework import alerting  # the same use case as the My alerts page and the API

    principal = Principal.local_operator(None, None, "users contact", _os_user())
    if approaching is None:
        account = _accounts().account(user_id)
        approaching = account.approaching_alerts if account is not None else True
    c = alerting.SetAlerts(email, mobile, approaching, user_id=user_id)
    view = guarded(lambda: alerting.set_my_alerts(_ports(), principal, c, datetime.now(timezone.utc)))
    if as_json:
        account = _do(lambda: _accounts().account(user_id))
        emit_json({**account_json(account), "email": view.email is not None, "mobile": view.mobile is not None,
                   "approaching_alerts": view.approaching_alerts})
        return
    held = [w for w, v in (("email", view.email), ("mobile", view.mobile)) if v]
    say(f"contact details set for {user_id}: " + (" and ".join(held) or "none (alerts for them go one role up)")
        + ("" if view.approaching_alerts else "; approaching-deadline alerts off"))


@users_app.command("password")
def password(user_id: str) -> None:
    """Set a user's password from standard input: at least 12 characters, and not easy to guess."""
    value = sys.stdin.readline().rstrip("\n")
    _do(lambda: _accounts().set_password(user_id, value, operator()))
    say(f"password set for {user_id}")


@users_app.command("reset-link")
def reset_link(user_id: str,
               print_link: bool = typer.Option(False, "--print", help="show the link here instead of emailing it (a "
                                               "machine with no mail): hand it to the person yourself")) -> None:
    """Send a person a one-time link to set their password, to their email address for alerts: it works
    once, for 24 hours, and ends any link sent before. The link is not shown (unless --print)."""
    from casework import passwords  # the same use case as the Administration pages
    from cli.identity import reading

    principal = guarded(lambda: reading("users reset-link"))
    sent = guarded(lambda: passwords.issue_reset_link(_ports(), principal, user_id, datetime.now(timezone.utc),
                                                      send=not print_link))
    until = sent.expires_at.isoformat(timespec="minutes")
    if sent.link is not None:
        typer.echo(f"warning: anyone with this link can set {user_id}'s password until {until}: give it to them "
                   "yourself, and do not keep it", err=True)
        typer.echo(sent.link)
        return
    say(f"a link to set a password was sent to {user_id}'s email address{' a moment ago' if sent.again else ''}; "
        f"it works once, until {until}")


@users_app.command("list")
def list_users(as_json: bool = JSON) -> None:
    """Every account and the roles it holds."""
    accounts = guarded(lambda: accounts_admin.users(_ports(), _as_operator("users list"), accounts_admin.ListUsers(), _now()))
    if as_json:
        emit_json([account_json(a) for a in accounts])
        return
    if not accounts:
        say("no users: add one with `safeguard users add ID --name NAME`")
    for a in accounts:
        roles = "; ".join(x.describe() for x in a.assignments) or "no role"
        if a.deactivated_at is not None:
            roles = f"CLOSED {a.deactivated_at.date().isoformat()} (was: {roles})"
        say(f"{a.user_id:<16} {a.display_name:<28} {a.kind:<8} {roles}")


# ---- tokens ----------------------------------------------------------------------------------


def _scope(entries: list[str]) -> tuple[Assignment, ...] | None:
    if not entries:
        return None
    out = []
    for e in entries:
        role, _, service = e.partition("@")
        if role not in ROLES:
            raise CommandError(f"--scope {e!r}: unknown role {role!r}; the roles are: {', '.join(ROLES)}")
        out.append(Assignment(role, service or None))
    return tuple(out)


def token_json(t: Token) -> dict[str, Any]:
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {"token_id": t.token_id, "user_id": t.user_id, "name": t.name,
            "scope": None if t.scope is None else [{"role": s.role, "service": s.service} for s in t.scope],
            "issued_at": iso(t.issued_at), "expires_at": iso(t.expires_at), "revoked_at": iso(t.revoked_at),
            "last_used_at": iso(t.last_used_at), "last_used_from": t.last_used_from}


@tokens_app.command("issue")
def issue(
    user_id: str, name: str = typer.Option(..., "--name", help="what it is for, e.g. 'rota integration'"),
    scope: list[str] = typer.Option([], "--scope", help="ROLE or ROLE@SERVICE it may act as (repeat; default: all the user's)"),
    days: Optional[int] = typer.Option(None, "--days", help="days until it expires (default SAFEGUARD_TOKEN_DAYS)"),
    as_json: bool = JSON,
) -> None:
    """Issue an API token for a user (a person's personal token, or a service account's). Shown once."""
    chosen = guarded(lambda: _scope(scope))
    if days is not None and not 1 <= days <= 366:
        fail(f"--days {days}: a token lasts 1 to 366 days")
    life = timedelta(days=days if days is not None else get_settings().token_days)
    issued = _do(lambda: _accounts().issue_token(user_id, name, chosen, life, operator()))
    if as_json:
        emit_json({**token_json(issued.token), "token": issued.secret})
        return
    say(f"token {issued.token.token_id} for {user_id}, expires {issued.token.expires_at.isoformat()}")
    say(f"  {issued.secret}")
    say("  (shown once: only its digest is kept; send it as 'Authorization: Bearer <token>')")


@tokens_app.command("list")
def list_tokens(user: Optional[str] = typer.Option(None, "--user"), as_json: bool = JSON) -> None:
    """Tokens, with their scope, expiry, revocation and last use."""
    rows = guarded(lambda: administration.tokens(_ports(), _as_operator("tokens list"), administration.ListTokens(user),
                                                 _now()))
    tokens = [r.token for r in rows]
    if as_json:
        emit_json([token_json(t) for t in tokens])
        return
    for t in tokens:
        state = f"revoked {t.revoked_at.isoformat()}" if t.revoked_at else f"expires {t.expires_at.isoformat()}"
        used = f"last used {t.last_used_at.isoformat()} from {t.last_used_from}" if t.last_used_at else "never used"
        scope = "all roles" if t.scope is None else ", ".join(s.describe() for s in t.scope)
        say(f"{t.token_id}  {t.user_id:<12} {t.name:<24} {scope}; {state}; {used}")


@tokens_app.command("revoke")
def revoke_token(token_id: str) -> None:
    """Revoke a token: refused from its next use."""
    c = administration.RevokeToken(token_id)
    guarded(lambda: administration.revoke_token(_ports(), _as_operator("tokens revoke"), c, _now()))
    say(f"token {token_id} revoked")


def access_log(
    case_id: Optional[str] = typer.Argument(None, help="only this case"),
    user: Optional[str] = typer.Option(None, "--user", help="only this user (as actor or as the one acted on)"),
    as_json: bool = JSON,
) -> None:
    """The access audit: every read, export, sign-in and -out, refusal, grant and revocation (never record text)."""
    entries = _do(lambda: _accounts().access_log(case_id, user))
    if as_json:
        emit_json([e.model_dump(mode="json", exclude={"type"}) for e in entries])
        return
    if not entries:
        say("nothing in the access audit" + (f" for {case_id}" if case_id else "") + (f" for {user}" if user else ""))
    for e in entries:
        outcome = "allowed" if e.allowed else "REFUSED"
        about = " ".join(x for x in (e.case_id and f"case {e.case_id}", e.service and f"at {e.service}",
                                     e.target and f"on {e.target}") if x)
        why = f" ({e.reason})" if e.reason else ""
        say(f"{e.at.isoformat()}  {e.user_id or '-':<14} {e.action:<13} {outcome:<8} {e.what}  {about}  "
            f"[{e.channel}{' ' + e.address if e.address else ''}]{why}")
