"""Services as records (issue 22): a provider's service and its details, each change a fact.

A service used to be known from the settings (SAFEGUARD_SERVICES) or from the concerns raised at
it. Now each is a stream of facts of its own (`eventstore/services.py`), so `safeguard backup`
covers it and every change says who made it and when. The record's details stand over those a
concern carried: the concern keeps what was sent with it, and what is read about the service (the
raise form, the commissioner records, the lists of services) is the record's.

Pure: the facts, the fold, and the decisions (add, change, migrate) with their problems in plain
words. Who may is `domain.access.may_administer`; the use cases are `casework/services.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Literal, Mapping

from pydantic import ValidationError

from domain.concern import Service
from domain.fact import Fact
from domain.inputs import DEFAULT_RULES, InputRules

DETAILS = ("name", "provider", "client_group", "company")
REQUIRED = ("name", "provider", "client_group")
# each detail in words, for problems and pages ("Enter the service's name")
WORDS = {"id": "the service's id", "name": "the service's name", "provider": "the provider's name",
         "client_group": "the client group", "company": "the registered company"}
Source = Literal["settings", "concern", "administrator"]


class ServiceRecorded(Fact):
    """A service became a record, with its details and where they came from: the settings (at a first
    start), its latest concern (a service known only from its concerns, or a concern raised at a service
    new to Safeguard), or an administrator."""

    type: Literal["ServiceRecorded"] = "ServiceRecorded"
    service_id: str
    name: str
    provider: str
    client_group: str
    company: str | None = None  # the registered company, where it differs from the provider's trading name
    by: str
    source: Source
    case_id: str | None = None  # source "concern": the concern its details were taken from


class ServiceDetailsChanged(Fact):
    """An administrator changed a service's details: all of them as they are from now on, and which changed."""

    type: Literal["ServiceDetailsChanged"] = "ServiceDetailsChanged"
    service_id: str
    name: str
    provider: str
    client_group: str
    company: str | None = None
    changed: tuple[str, ...]
    by: str


SERVICE_FACTS: tuple[type[Fact], ...] = (ServiceRecorded, ServiceDetailsChanged)


@dataclass(frozen=True)
class ServiceRecord:
    service_id: str
    name: str
    provider: str
    client_group: str
    company: str | None
    recorded_at: datetime
    recorded_by: str
    source: str
    changed_at: datetime | None = None
    changed_by: str | None = None
    changes: int = 0

    def details(self) -> dict[str, str | None]:
        return {k: getattr(self, k) for k in DETAILS}


def evolve(record: ServiceRecord | None, fact: Fact) -> ServiceRecord | None:
    if isinstance(fact, ServiceRecorded) and record is None:
        return ServiceRecord(fact.service_id, fact.name, fact.provider, fact.client_group, fact.company, fact.at,
                             fact.by, fact.source)
    if isinstance(fact, ServiceDetailsChanged) and record is not None:
        return ServiceRecord(record.service_id, fact.name, fact.provider, fact.client_group, fact.company,
                             record.recorded_at, record.recorded_by, record.source, fact.at, fact.by,
                             record.changes + 1)
    return record


def fold_service(facts: Iterable[Fact]) -> ServiceRecord | None:
    record = None
    for fact in facts:
        record = evolve(record, fact)
    return record


class ServiceProblem(ValueError):
    """Details that will not do, or a request at odds with the record: each problem by detail, in words."""

    def __init__(self, problems: dict[str, str]) -> None:
        order = ("id", *DETAILS)  # as a form asks them
        problems = dict(sorted(problems.items(), key=lambda p: order.index(p[0]) if p[0] in order else len(order)))
        super().__init__(" ".join(problems.values()))
        self.problems = problems


def _sentence(text: str) -> str:
    text = text.removeprefix("Value error, ").strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def checked(service_id: str, details: Mapping[str, str | None], rules: InputRules = DEFAULT_RULES) -> Service:
    """The service as input: the id under the input rules for ids, each detail bounded text; the three
    details a service must have given; an empty company left out. ServiceProblem, by detail, if not."""
    data = {"id": (service_id or "").strip(),
            **{k: v.strip() for k in DETAILS if isinstance(v := details.get(k), str) and v.strip()}}
    problems = {k: f"Enter {WORDS[k]}." for k in ("id", *REQUIRED) if not data.get(k)}
    problems |= {k: _sentence(f"{WORDS[k]} must be on one line") for k in DETAILS
                 if any(c in (data.get(k) or "") for c in "\n\r\t")}
    try:  # what is missing is named above; the rest is checked as a concern's service is
        service = Service.model_validate({**{k: "-" for k in ("id", *REQUIRED)}, **data}, context=rules.context())
    except ValidationError as e:
        for err in e.errors():
            field = str(err["loc"][0]) if err["loc"] else "id"
            message = err["msg"].removeprefix("Value error, ")
            problems.setdefault(field, _sentence(message if message.startswith("'") else f"{WORDS.get(field, field)} {message}"))
    if problems:
        raise ServiceProblem(problems)
    return service


def decide_add(record: ServiceRecord | None, service: Service, by: str, source: Source, now: datetime,
               case_id: str | None = None) -> list[Fact]:
    """Record a service: nothing when it is recorded already with these details (a retry); a
    ServiceProblem when it is recorded with others (a service is changed, never added twice)."""
    details = {k: getattr(service, k) for k in DETAILS}
    if record is not None:
        if record.details() == details:
            return []
        raise ServiceProblem({"id": f"{service.id} is already a service, {record.name}: change its details instead."})
    return [ServiceRecorded(at=now, service_id=service.id, by=by, source=source, case_id=case_id, **details)]


def decide_change(record: ServiceRecord | None, service_id: str, changes: Mapping[str, str | None], by: str,
                  now: datetime, rules: InputRules = DEFAULT_RULES) -> list[Fact]:
    """Change the details given in `changes` (a company given empty is taken away); nothing when they
    are as recorded already."""
    if record is None:
        raise ServiceProblem({"id": f"There is no service {service_id}: add it first."})
    unknown = sorted(set(changes) - set(DETAILS))
    if unknown:
        raise ServiceProblem({"id": f"A service's details are its name, provider, client group and company, not "
                                    f"{', '.join(unknown)}."})
    wanted = {**record.details(), **changes}
    service = checked(service_id, wanted, rules)
    after = {k: getattr(service, k) for k in DETAILS}
    changed = tuple(k for k in DETAILS if after[k] != record.details()[k])
    if not changed:
        return []
    return [ServiceDetailsChanged(at=now, service_id=service_id, changed=changed, by=by, **after)]


def decide_migration(record: ServiceRecord | None, service_id: str, configured: Mapping[str, str] | None,
                     from_concern: Mapping[str, str | None] | None, case_id: str | None, by: str, now: datetime,
                     rules: InputRules = DEFAULT_RULES) -> list[Fact]:
    """A service the settings name (`configured`) or earlier concerns name (`from_concern`: its latest
    concern's details) recorded once: the settings' details preferred, each missing one from the
    concern. Nothing for a service with a record already, whatever its details now."""
    if record is not None:
        return []
    details = {**{k: v for k, v in (from_concern or {}).items() if v}, **{k: v for k, v in (configured or {}).items() if v}}
    service = checked(service_id, details, rules)
    source: Source = "settings" if configured else "concern"
    return decide_add(None, service, by, source, now, None if configured else case_id)
