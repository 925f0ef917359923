"""`safeguard oncall`: the on-call rota per service and role (issue 20), and its gaps out of hours."""

from __future__ import annotations

from datetime import datetime, timezone

import typer

from casework import alerting
from cli.common import CommandError, emit_json, say
from cli.runtime import guarded, records
from cli.users import _os_user
from configuration.settings import get_settings
from domain.access import Principal
from eventstore.oncall import OnCallRota

app = typer.Typer(help="Who is on call, per service and role, for alerts out of working hours.", no_args_is_help=True)


def _instant(text: str, option: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text!r} is not a date and time, e.g. 2027-03-14T17:00:00+00:00") from None
    if value.tzinfo is None:
        raise CommandError(f"{option} {text!r} has no UTC offset: add one, e.g. +00:00 (GMT) or +01:00 (BST)")
    return value


def _uk(at: datetime) -> str:
    from zoneinfo import ZoneInfo
    return at.astimezone(ZoneInfo("Europe/London")).strftime("%a %-d %b %H:%M")


def _ports():
    """What the use cases take, over this command's store (no Temporal: the rota asks no workflow)."""
    import bootstrap

    return bootstrap.ports(get_settings(), records())


def _principal(request: str) -> Principal:
    return Principal.local_operator(None, None, request, _os_user())


@app.command("set")
def set_on_call(service: str, role: str, user_id: str,
                start: str = typer.Option(..., "--from", help="when their cover starts, with a UTC offset"),
                end: str = typer.Option(..., "--to", help="when it ends"),
                as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Put someone who holds the role at the service on call from --from to --to."""
    c = guarded(lambda: alerting.SetOnCall(service, role, user_id, _instant(start, "--from"), _instant(end, "--to"),
                                           ("--from", "--to")))
    guarded(lambda: alerting.set_on_call(_ports(), _principal("oncall set"), c, datetime.now(timezone.utc)))
    if as_json:
        every = guarded(lambda: OnCallRota(records()).rota(service, role))
        emit_json([{"user_id": e.user_id, "start": e.start.isoformat(), "end": e.end.isoformat()} for e in every.entries])
        return
    say(f"{user_id} is on call for {role.replace('_', ' ')} at {service} from {_uk(c.start)} to {_uk(c.end)}")


@app.command("show")
def show(service: str, role: str,
         days: int = typer.Option(7, "--days", min=1, max=62, help="how far ahead to look for gaps"),
         as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """The rota ahead, and the gaps out of working hours when an alert would go one role up."""
    now = datetime.now(timezone.utc)
    view = guarded(lambda: alerting.rota(_ports(), _principal("oncall show"), alerting.ReadRota(service, role, days), now))
    gaps, ahead = view.gaps, view.entries
    if as_json:
        emit_json({"entries": [{"user_id": e.user_id, "start": e.start.isoformat(), "end": e.end.isoformat()} for e in ahead],
                   "gaps": [{"start": s.isoformat(), "end": e.isoformat()} for s, e in gaps]})
        return
    say(f"on call for {role.replace('_', ' ')} at {service}, the next {days} days:")
    for e in ahead:
        say(f"  {_uk(e.start)} to {_uk(e.end)}: {e.user_id}")
    for s, e in gaps:
        say(f"  GAP {_uk(s)} to {_uk(e)}: out of hours with nobody on call; an alert goes one role up")
    if not ahead and not gaps:
        say("  nobody set, and no time out of hours in that window")
