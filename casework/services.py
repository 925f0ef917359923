"""The use cases of services (issue 22): the services known, adding one, changing its details,
and recording, once, every service the settings or earlier concerns name (the migration). Each takes
(ports, principal, command, now) and returns its result, or raises a typed refusal having recorded
nothing; the CLI and the pages call these alike.

Only an administrator adds a service or changes its details (`domain.access.may_administer`); each
refusal is in the access log, as each change is. What a service's details may be is
`domain/services.py`'s. Sent again, a request records nothing more: a service recorded with the same
details, or details already as asked, answer from the record.

A concern raised at a service with no record makes one, from the concern's details, by whoever
raised it (`record_from_concern`): so a service staff name on the raise form becomes data, and the
details of a service with a record can never be changed by raising a concern there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping

import structlog

from casework.access import allowed, audit
from casework.idempotency import Outcome
from casework.ports import Ports
from casework.refusals import Conflict, Invalid
from domain.access import Principal, may_administer
from domain.concern import Service
from domain.fact import Fact
from domain.services import ServiceProblem, ServiceRecord, checked, decide_add, decide_change, decide_migration, fold_service
from eventstore.application import AlreadyExists, OutOfSequence
from eventstore.services import ServiceStore
from projections.commissioner import CommissionerRecords
from projections.services import Services, details_of, service_records

log = structlog.get_logger("safeguard.services")
TRIES = 3


@dataclass(frozen=True)
class AddService:
    service_id: str
    name: str
    provider: str
    client_group: str
    company: str | None = None


@dataclass(frozen=True)
class ChangeService:
    service_id: str
    changes: Mapping[str, str | None]  # only the details given change; a company given empty is taken away


@dataclass(frozen=True)
class Migrated:
    recorded: tuple[ServiceRecord, ...] = ()
    not_recorded: tuple[tuple[str, str], ...] = ()  # (service id, why), in words
    already: int = 0  # services that had a record


# ---- reading -------------------------------------------------------------------------------------------


def services(ports: Ports) -> list[ServiceRecord]:
    """Every service recorded, by id: no personal data, so anyone signed in may see them."""
    return service_records(ports.read_models([Services()]))


def known_services(ports: Ports) -> dict[str, dict[str, Any]]:
    """Each service's details by id, as the raise form and the lists offer them: the records'; a service
    the settings name with no record yet (a first start not yet made) as the settings give it."""
    recorded = details_of(services(ports))
    return {**{k: dict(v) for k, v in ports.settings.services.items() if k not in recorded}, **recorded}


# ---- changing ------------------------------------------------------------------------------------------


def _shown_id(service_id: str) -> str | None:
    return service_id if isinstance(service_id, str) and 0 < len(service_id) <= 64 else None


def _invalid(ports: Ports, principal: Principal, service_id: str, what: str, e: ServiceProblem) -> Invalid:
    audit(ports, principal, "write", False, service=_shown_id(service_id),
          reason=f"{what} refused: {', '.join(e.problems)}")
    return Invalid(str(e), field=next(iter(e.problems)), problems=e.problems)


def _write(ports: Ports, service_id: str, decide: Callable[[ServiceRecord | None], list[Fact]]) -> Outcome[ServiceRecord]:
    """Decide on the service's stream as read, and append at its end; another writer first: decide again."""
    store = ServiceStore(ports.records)
    for _ in range(TRIES):
        facts = store.facts(service_id)
        record = fold_service(facts)
        new = decide(record)
        if not new:
            assert record is not None
            return Outcome(record, replayed=True, at=record.changed_at or record.recorded_at)
        try:
            store.append(service_id, new, len(facts))
        except (AlreadyExists, OutOfSequence):
            continue
        return Outcome(fold_service([*facts, *new]))  # type: ignore[arg-type]
    raise Conflict(f"{service_id} was being changed by someone else at the same moment: look at it again, "
                   "then make your change")


def add_service(ports: Ports, principal: Principal, c: AddService, now: datetime) -> Outcome[ServiceRecord]:
    allowed(ports, principal, may_administer(principal, "add a service"), service=_shown_id(c.service_id))
    try:
        service = checked(c.service_id, {"name": c.name, "provider": c.provider, "client_group": c.client_group,
                                         "company": c.company})
        done = _write(ports, service.id, lambda r: decide_add(r, service, principal.user_id, "administrator", now))
    except ServiceProblem as e:
        raise _invalid(ports, principal, c.service_id, "adding a service", e) from None
    if not done.replayed:
        audit(ports, principal, "write", True, service=service.id, reason="service added")
    return done


def change_service(ports: Ports, principal: Principal, c: ChangeService, now: datetime) -> Outcome[ServiceRecord]:
    allowed(ports, principal, may_administer(principal, "change a service's details"), service=_shown_id(c.service_id))
    try:
        done = _write(ports, c.service_id, lambda r: decide_change(r, c.service_id, c.changes, principal.user_id, now))
    except ServiceProblem as e:
        raise _invalid(ports, principal, c.service_id, "changing a service", e) from None
    if not done.replayed:
        audit(ports, principal, "write", True, service=c.service_id, reason="service details changed")
    return done


def record_from_concern(ports: Ports, principal: Principal, service: Service, case_id: str, now: datetime) -> None:
    """After a concern is raised: its service, if it has no record, recorded with the concern's details.
    Never refuses: the concern is raised already (a failure leaves it to `migrate`)."""
    try:
        _write(ports, service.id, lambda r: [] if r else decide_add(None, service, principal.user_id, "concern", now,
                                                                     case_id))
    except Exception as e:  # noqa: BLE001 (the raise stands whatever happens here)
        log.warning("service not recorded from its concern", service=service.id, error=e.__class__.__name__)


def migrate(ports: Ports, principal: Principal, now: datetime) -> Migrated:
    """Record every service the settings name (SAFEGUARD_SERVICES) or an earlier concern names that has
    no record yet: with the settings' details, each one they lack from the service's latest concern.
    Run at every start and by `safeguard services migrate`; a second run records nothing more."""
    allowed(ports, principal, may_administer(principal, "record the services"))
    configured = ports.settings.services
    concerns = {key: doc for key, doc in ports.read_models([CommissionerRecords()]).scan(CommissionerRecords.name)
                if doc.get("cases") and doc.get("details")}
    recorded, refused, already = [], [], 0
    for service_id in sorted(set(configured) | set(concerns)):
        doc = concerns.get(service_id) or {}
        case_id = (doc.get("details_from") or [None, None])[1]
        try:
            done = _write(ports, service_id, lambda r: decide_migration(
                r, service_id, configured.get(service_id), doc.get("details"), case_id, principal.user_id, now))
        except ServiceProblem as e:
            refused.append((service_id, str(e)))
            continue
        if done.replayed:
            already += 1
        else:
            recorded.append(done.value)
    if recorded:
        audit(ports, principal, "write", True, reason=f"{len(recorded)} service{'s' if len(recorded) > 1 else ''} "
                                                      "recorded from the settings and earlier concerns")
    return Migrated(tuple(recorded), tuple(refused), already)
