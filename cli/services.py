"""`safeguard services`: the services and their details (issue 22), records in the event store.

The operator's tool, through the same use cases as the Services page (casework/services.py): each
change is a fact, by the OS user the access log names (`cli:<user>`), and sent again records nothing
more. `migrate` records every service the settings (SAFEGUARD_SERVICES) or earlier concerns name that
has no record yet, as each start of the worker does.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

import typer

from casework import services
from cli.common import emit_json, say
from cli.runtime import guarded, records
from cli.users import _os_user
from configuration.settings import get_settings
from domain.access import Principal
from domain.services import ServiceRecord

app = typer.Typer(help="Services and their details: list, add, change; record those the settings and earlier "
                       "concerns name.", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="print JSON")


def _ports():
    """What the use cases take, over this command's store (no Temporal: services ask no workflow)."""
    import bootstrap

    return bootstrap.ports(get_settings(), records())


def _principal(request: str) -> Principal:
    return Principal.local_operator(None, None, request, _os_user())


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def service_json(r: ServiceRecord) -> dict[str, Any]:
    return {"service_id": r.service_id, **r.details(), "recorded_at": r.recorded_at.isoformat(),
            "recorded_by": r.recorded_by, "source": r.source,
            "changed_at": r.changed_at.isoformat() if r.changed_at else None, "changed_by": r.changed_by}


def _line(r: ServiceRecord) -> str:
    company = f", registered as {r.company}" if r.company else ""
    return f"{r.service_id:<12} {r.name} ({r.provider}{company}; {r.client_group})"


@app.command("list")
def list_services(as_json: bool = JSON) -> None:
    """Every service recorded, with its details."""
    found = guarded(lambda: services.services(_ports()))
    if as_json:
        emit_json([service_json(r) for r in found])
        return
    for r in found:
        say(_line(r))
    if not found:
        say("no services recorded yet: `safeguard services add`, or `safeguard services migrate` to record those "
            "the settings and earlier concerns name")


@app.command("add")
def add(service_id: str,
        name: str = typer.Option(..., "--name", help="the service's name, e.g. 'Elm House'"),
        provider: str = typer.Option(..., "--provider", help="the provider running it"),
        client_group: str = typer.Option(..., "--client-group", help="who it serves, e.g. 'learning disability'"),
        company: Optional[str] = typer.Option(None, "--company", help="the registered company, if not the provider's name"),
        as_json: bool = JSON) -> None:
    """Add a service, with its details."""
    c = services.AddService(service_id, name, provider, client_group, company)
    done = guarded(lambda: services.add_service(_ports(), _principal("services add"), c, _now()))
    if as_json:
        emit_json(service_json(done.value))
        return
    say(f"{done.value.service_id} was already recorded with these details: nothing changed" if done.replayed
        else f"added {_line(done.value)}")


@app.command("set")
def set_details(service_id: str,
                name: Optional[str] = typer.Option(None, "--name"),
                provider: Optional[str] = typer.Option(None, "--provider"),
                client_group: Optional[str] = typer.Option(None, "--client-group"),
                company: Optional[str] = typer.Option(None, "--company", help="the registered company ('' takes it away)"),
                as_json: bool = JSON) -> None:
    """Change a service's details: only those given change."""
    changes = {k: v for k, v in (("name", name), ("provider", provider), ("client_group", client_group),
                                 ("company", company)) if v is not None}
    if company == "":
        changes["company"] = None
    c = services.ChangeService(service_id, changes)
    done = guarded(lambda: services.change_service(_ports(), _principal("services set"), c, _now()))
    if as_json:
        emit_json(service_json(done.value))
        return
    say(f"{service_id}'s details are as given already: nothing changed" if done.replayed
        else f"changed {_line(done.value)}")


@app.command("migrate")
def migrate(as_json: bool = JSON) -> None:
    """Record each service the settings or earlier concerns name that has no record yet (as every start does)."""
    done = guarded(lambda: services.migrate(_ports(), _principal("services migrate"), _now()))
    if as_json:
        emit_json({"recorded": [service_json(r) for r in done.recorded], "already_recorded": done.already,
                   "not_recorded": [{"service_id": s, "why": why} for s, why in done.not_recorded]})
        raise typer.Exit(2 if done.not_recorded else 0)
    for r in done.recorded:
        say(f"recorded {_line(r)} (from {'the settings' if r.source == 'settings' else 'its latest concern'})")
    for service_id, why in done.not_recorded:
        say(f"NOT recorded {service_id}: {why} (fix SAFEGUARD_SERVICES, or `safeguard services add`)")
    say(f"{len(done.recorded)} recorded, {done.already} already recorded")
    if done.not_recorded:
        raise typer.Exit(2)
