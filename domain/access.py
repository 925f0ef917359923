"""Who may do what: deny by default, as pure functions over a principal (no I/O, no clock read).

A principal holds role assignments, each at one service or organisation-wide. Staff roles are
the pathway's roles (`domain.policy.Role`); two more roles only read: `commissioner` (the
service-level commissioner records, which carry no adult ids) and `inspector` (read-only,
time-limited, only the cases named in the grant). Organisation-wide staff roles (a
`quality_safeguarding_lead`, an `operations_director` across the provider's services) hold at
every service.

Every check answers a `Decision`: allowed with the role to act as, or refused with a message
saying in plain words who may, where, and what the principal holds ("Only a designated
safeguarding lead at SVC-ELM can complete this step (Safeguarding route decision). You are a team
leader there."): the pages and the API show it as it is. The application layer (`casework/`) calls these for every face; the
case's own decider still checks the role again, so a principal can never widen what the case allows.

The embedded CLI acts as the local operator (`Principal.local_operator`): whoever can run
Safeguard's commands on its own machine, trusted as the role they name, so every check lets them
through and the case's decider is what refuses a wrong role. Production mode never makes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, wraps
from typing import Callable, Iterable, Literal, TypeVar, get_args

from domain.amendments import AMENDING_ROLES
from domain.inputs import DEFAULT_RULES
from domain.policy import Role

STAFF_ROLES: tuple[str, ...] = get_args(Role)
COMMISSIONER = "commissioner"
CONTRACT_MANAGER = "contract_manager"  # the commissioner's contract manager (004's provider-concern process)
INSPECTOR = "inspector"
QUALITY_LEAD = "quality_safeguarding_lead"
# runs Safeguard from the browser (issue 22): accounts, roles, tokens, rotas, services. Organisation-wide,
# distinct from the casework role `safeguarding_administrator`, and reads no case content by virtue of it
ADMINISTRATOR = "administrator"
ROLES: tuple[str, ...] = (*STAFF_ROLES, COMMISSIONER, CONTRACT_MANAGER, INSPECTOR, ADMINISTRATOR)
# roles that are never held at one service: they read across the organisation (an inspector only the granted cases)
ORGANISATION_ONLY: frozenset[str] = frozenset({QUALITY_LEAD, COMMISSIONER, CONTRACT_MANAGER, INSPECTOR, ADMINISTRATOR})
# who reads the governance audits and runs them; who reads the commissioner records
GOVERNANCE_READERS: frozenset[str] = frozenset({QUALITY_LEAD, "nominated_individual", "operations_director"})
COMMISSIONING_READERS: frozenset[str] = frozenset({COMMISSIONER, CONTRACT_MANAGER, QUALITY_LEAD, "nominated_individual"})
# who may export a case's evidence pack (it leaves the system as a document): the managers and leads
# answerable for the case, and an inspector for the cases of a current grant; not care staff
EXPORTERS: frozenset[str] = frozenset({"registered_manager", "designated_safeguarding_lead", QUALITY_LEAD,
                                       "operations_director", "nominated_individual", INSPECTOR})
# who may restart a case whose workflow stopped without closing: those answerable for the case
RECOVERERS: frozenset[str] = frozenset({"registered_manager", "designated_safeguarding_lead", QUALITY_LEAD,
                                        "operations_director", "nominated_individual"})
# who answers for personal data across the organisation: subject access exports, retention's erasure
DATA_PROTECTION: frozenset[str] = frozenset({QUALITY_LEAD, "operations_director", "nominated_individual"})
# who keeps a service's on-call rota (issue 20), and reads it: its managers and safeguarding leads,
# and those who answer for every service (each held at the service, or organisation-wide)
ROTA_KEEPERS: frozenset[str] = frozenset({"registered_manager", "designated_safeguarding_lead", QUALITY_LEAD,
                                          "operations_director", "nominated_individual"})

# who may download the case list as a spreadsheet (CSV): a service's managers and safeguarding leads,
# and those who answer for every service; each download keeps to the services they hold one of these at
CASE_LIST_DOWNLOADERS: frozenset[str] = frozenset({"registered_manager", "designated_safeguarding_lead", QUALITY_LEAD,
                                                   "operations_director", "nominated_individual"})

# each role as people name it, for the middle of a sentence (the pages and the evidence pack use these too)
ROLE_NAMES: dict[str, str] = {role: role.replace("_", " ") for role in ROLES}

Channel = Literal["api", "web", "cli"]


@dataclass(frozen=True)
class Assignment:
    """A role held at `service`, or organisation-wide when `service` is None. An inspector's
    names the cases it may read (`cases`) and when it ends (`until`)."""

    role: str
    service: str | None = None
    cases: tuple[str, ...] = ()
    until: datetime | None = None

    def describe(self) -> str:
        where = f" at {self.service}" if self.service else " organisation-wide"
        cases = f" for {', '.join(self.cases)}" if self.cases else ""
        until = f" until {self.until.isoformat()}" if self.until else ""
        return f"{self.role}{where}{cases}{until}"

    def current(self, now: datetime) -> bool:
        return self.until is None or now < self.until


INSPECTOR_GRANT_LONGEST = timedelta(days=92)  # an inspection's access is for its time, renewed if it runs on


def assignment_problem(a: Assignment) -> str | None:
    """Why an assignment cannot be granted, or None."""
    if a.role not in ROLES:
        return f"unknown role {a.role!r}; the roles are: {', '.join(ROLES)}"
    if a.service is not None and (problem := DEFAULT_RULES.id_problem(a.service, "service")):
        return f"--service {a.service!r} {problem}"
    if a.role in ORGANISATION_ONLY and a.service is not None:
        return f"{a.role} is organisation-wide: grant it without a service"
    if a.role == INSPECTOR and not (a.cases and a.until):
        return "an inspector's grant names the cases it may read and when it ends (--case, --until)"
    if a.role != INSPECTOR and (a.cases or a.until):
        return "only an inspector's grant names cases and an end"
    return None


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user (or a token of theirs, narrowed to its scope) and the channel used."""

    user_id: str
    display_name: str
    assignments: tuple[Assignment, ...] = ()
    channel: Channel = "api"
    token_id: str | None = None  # set when authenticated by an API token
    session_id: str | None = None  # set when authenticated by a browser session
    operator: bool = False  # the embedded CLI's local operator (see the module's docstring)
    named: bool = True  # False: the local operator gave no staff id (`user_id` is then their login, not an actor)
    # where the request came from, for the access log: the address, the route or command, the OS user (CLI)
    address: str | None = None
    request: str | None = None
    os_user: str | None = None

    @classmethod
    def local_operator(cls, actor: str | None, role: str | None = None, request: str | None = None,
                       os_user: str | None = None) -> Principal:
        """The embedded CLI's operator, acting as staff id `actor` (None: not named) in `role` (None: none named)."""
        who = actor or f"cli:{os_user or 'unknown'}"
        return cls(who, who, (Assignment(role),) if role else (), "cli", operator=True, named=actor is not None,
                   request=request, os_user=os_user)

    @property
    def actor(self) -> str | None:
        """The staff id recorded as who acted (None: the local operator named none)."""
        return self.user_id if self.named else None

    def acting_as(self) -> str | None:
        return self.assignments[0].role if self.assignments else None

    @cached_property
    def _by_service(self) -> dict[str | None, tuple[str, ...]]:
        index: dict[str | None, list[str]] = {}
        for a in self.assignments:
            if a.role in STAFF_ROLES:
                index.setdefault(a.service, []).append(a.role)
        return {k: tuple(v) for k, v in index.items()}

    def roles_at(self, service: str) -> tuple[str, ...]:
        """The staff roles held at `service`: those assigned there, then organisation-wide ones."""
        return (*self._by_service.get(service, ()), *self._by_service.get(None, ()))

    def holds(self, role: str) -> bool:
        return any(a.role == role for a in self.assignments)

    def services(self) -> frozenset[str] | None:
        """The services whose cases this principal sees: None means every service."""
        if None in self._by_service:
            return None
        return frozenset(s for s in self._by_service if s is not None)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    role: str | None = None  # the role to act as, when allowed

    def __bool__(self) -> bool:
        return self.allowed


F = TypeVar("F", bound=Callable[..., Decision])


def operator_trusted(check: F) -> F:
    """The local operator is let through every check, as the role they named (see the module docstring)."""
    @wraps(check)
    def checked(p: Principal, *args, **kwargs) -> Decision:
        return Decision(True, role=p.acting_as()) if p.operator else check(p, *args, **kwargs)
    return checked  # type: ignore[return-value]


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role) or role.replace("_", " ")


def _a(words: str) -> str:
    return ("an " if words[:1] in "aeiou" else "a ") + words


def listed(items: list[str], last: str) -> str:
    """'a, b or c' (`last` "or"), 'a and b': the words and pages list names so."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def one_of(roles: Iterable[str]) -> str:
    """'a designated safeguarding lead or nominated individual'."""
    names = [role_name(r) for r in dict.fromkeys(roles)]
    return _a(listed(names, "or")) if names else "nobody"


def _you_are(roles: Iterable[str], where: str = "there") -> str:
    """'You are a team leader there.', 'You have no role there.'"""
    names = [role_name(r) for r in dict.fromkeys(roles)]
    return f"You are {_a(listed(names, 'and'))} {where}." if names else f"You have no role {where}."


def _step_title(step: str) -> str:
    from domain.pathway import current_pathway  # the pathway is data; imported here, as it imports the policy

    found = current_pathway().step(step)
    return found.title if found else step.replace("_", " ")


@operator_trusted
def may_complete(p: Principal, service: str, step: str, can_complete: Iterable[str]) -> Decision:
    """A step is completed only as a role held at the case's service: the step's own role, or one it
    has escalated to (`can_complete`, as the case says). The first such role is the one acted as."""
    wanted = tuple(can_complete)
    held = p.roles_at(service)
    for role in wanted:
        if role in held:
            return Decision(True, role=role)
    return Decision(False, f"Only {one_of(wanted)} at {service} can complete this step ({_step_title(step)}). "
                           f"{_you_are(held)}")


@operator_trusted
def may_acknowledge(p: Principal, service: str, escalation_id: str, to_role: str) -> Decision:
    held = p.roles_at(service)
    if to_role in held:
        return Decision(True, role=to_role)
    return Decision(False, f"Only {one_of([to_role])} at {service} can acknowledge escalation {escalation_id}. "
                           f"{_you_are(held)}")


@operator_trusted
def may_act_at(p: Principal, service: str, what: str) -> Decision:
    """Raising a concern or recording a development (`what`: "raise a concern"): any staff role at the
    service (the first is acted as)."""
    held = p.roles_at(service)
    if held:
        return Decision(True, role=held[0])
    return Decision(False, f"Only staff with a role at {service} can {what} there. You have no role there.")


@operator_trusted
def may_read_case(p: Principal, case_id: str, service: str, now: datetime) -> Decision:
    """Staff read their services' cases (organisation-wide staff every case); an inspector reads
    only the cases their current grant names. Refused reads are answered as unknown cases."""
    if p.roles_at(service):
        return Decision(True, role=p.roles_at(service)[0])
    for a in p.assignments:
        if a.role == INSPECTOR and case_id in a.cases and a.current(now):
            return Decision(True, role=INSPECTOR)
    if any(a.role == INSPECTOR and case_id in a.cases for a in p.assignments):
        return Decision(False, f"Your inspection access to case {case_id} has ended.")
    return Decision(False, f"Only staff with a role at {service} can read case {case_id}. {_you_hold(p)}")


@operator_trusted
def may_export_case(p: Principal, case_id: str, service: str, now: datetime) -> Decision:
    """A case's evidence pack: one who may read the case, in a role of EXPORTERS there."""
    read = may_read_case(p, case_id, service, now)
    if not read:
        return read
    if read.role == INSPECTOR:
        return read
    if role := held_one_of(p, service, EXPORTERS):
        return Decision(True, role=role)
    return Decision(False, f"Only {one_of(sorted(EXPORTERS - {INSPECTOR}))} (at {service}, or for the whole "
                           f"organisation) can export the evidence pack of case {case_id}. {_you_are(p.roles_at(service))}")


def held_one_of(p: Principal, service: str, roles: frozenset[str]) -> str | None:
    """The first role `p` holds at `service` (or organisation-wide) of `roles`."""
    return next((role for role in p.roles_at(service) if role in roles), None)


@operator_trusted
def may_add_note(p: Principal, case_id: str, service: str, now: datetime) -> Decision:
    """A note on a case: anyone who may read it in a staff role (their services', or organisation-wide).
    An inspector's grant reads only: it adds nothing to the record."""
    read = may_read_case(p, case_id, service, now)
    if not read or read.role != INSPECTOR:
        return read
    return Decision(False, f"Your inspection access is to read case {case_id}, not to add to it. Only staff "
                           f"with a role at {service} can add a note.")


@operator_trusted
def may_amend(p: Principal, service: str, step: str, author: str | None) -> Decision:
    """Correcting a completed step's record (issue 22): its author (the staff id who completed it),
    while they hold a staff role at the case's service, or a registered manager or designated
    safeguarding lead there (or organisation-wide). Inspectors, commissioners and administrators
    add nothing to a case's record."""
    held = p.roles_at(service)
    if role := held_one_of(p, service, AMENDING_ROLES):
        return Decision(True, role=role)
    if held and author is not None and p.named and p.user_id == author:
        return Decision(True, role=held[0])
    return Decision(False, f"Only the person who recorded this step ({_step_title(step)}), or "
                           f"{one_of(sorted(AMENDING_ROLES))} at {service}, can correct its record. {_you_are(held)}")


@operator_trusted
def may_recover_case(p: Principal, case_id: str, service: str) -> Decision:
    """Restarting a stopped case's workflow: one of RECOVERERS at the case's service (or organisation-wide)."""
    if role := held_one_of(p, service, RECOVERERS):
        return Decision(True, role=role)
    return Decision(False, f"Only {one_of(sorted(RECOVERERS))} at {service} can restart case {case_id}. "
                           f"{_you_are(p.roles_at(service))}")


@operator_trusted
def may_answer_subject_access(p: Principal) -> Decision:
    """A subject access export gathers an adult's cases across services: an organisation-level duty."""
    return may_reach(p, "subject_access")


@operator_trusted
def may_apply_retention(p: Principal) -> Decision:
    """Erasing cases past retention: destroying keys cannot be undone, an organisation-level duty."""
    return may_reach(p, "retention")


@operator_trusted
def may_set_alerts_of(p: Principal, user_id: str) -> Decision:
    """Where a person's alerts go and which they want (issue 20): their own, never another's (the
    local operator sets anyone's, as they make the accounts)."""
    if p.named and p.user_id == user_id:
        return Decision(True, role=p.acting_as())
    return Decision(False, "you can see and change only your own contact details and alerts")


def _administrator(p: Principal) -> bool:
    return any(a.role == ADMINISTRATOR and a.service is None for a in p.assignments)


@operator_trusted
def may_administer(p: Principal, what: str) -> Decision:
    """Administration (`what`: "add a user"): an administrator, held organisation-wide."""
    if _administrator(p):
        return Decision(True, role=ADMINISTRATOR)
    return Decision(False, f"Only an administrator can {what}. {_you_hold(p)}")


def administers(p: Principal) -> bool:
    """Whether the Administration pages are for this principal."""
    return p.operator or any(a.role == ADMINISTRATOR for a in p.assignments)


@operator_trusted
def may_keep_rota(p: Principal, service: str) -> Decision:
    """Reading and setting who is on call at a service: one of ROTA_KEEPERS there (or organisation-wide),
    or an administrator (a rota names staff, never a case: issue 22)."""
    if role := held_one_of(p, service, ROTA_KEEPERS):
        return Decision(True, role=role)
    if _administrator(p):
        return Decision(True, role=ADMINISTRATOR)
    return Decision(False, f"The on-call rota at {service} is kept by its managers and safeguarding leads: "
                           f"{one_of(sorted(ROTA_KEEPERS))} there, or an administrator. {_you_are(p.roles_at(service))}")


def keeps_a_rota(p: Principal) -> bool:
    """Whether the On call page is for this principal: they hold a rota keeper's role somewhere, or administer."""
    return p.operator or _administrator(p) or any(a.role in ROTA_KEEPERS for a in p.assignments)


def keeps_every_rota(p: Principal) -> bool:
    """Whether this principal keeps the rota of every service: a keeper's role held organisation-wide, or an administrator."""
    return p.operator or _administrator(p) or any(a.role in ROTA_KEEPERS and a.service is None for a in p.assignments)


def sees_service(p: Principal, service: str) -> bool:
    """Whether rows of `service` belong in this principal's lists (deadlines, dashboard)."""
    return p.operator or bool(p.roles_at(service))


@operator_trusted
def may_read_lists(p: Principal) -> Decision:
    """Deadlines and the dashboard: staff, filtered to their services."""
    if any(a.role in STAFF_ROLES for a in p.assignments):
        return Decision(True)
    return Decision(False, f"The deadlines and dashboard are for staff with a role at a service. {_you_hold(p)}")


@operator_trusted
def may_list_cases(p: Principal, now: datetime) -> Decision:
    """The case list: staff list their services' cases (organisation-wide staff every case); an
    inspector lists only the cases of a current grant. Commissioners keep to service-level records."""
    if any(a.role in STAFF_ROLES for a in p.assignments):
        return Decision(True, role=p.acting_as())
    if any(a.role == INSPECTOR and a.current(now) for a in p.assignments):
        return Decision(True, role=INSPECTOR)
    if any(a.role == INSPECTOR for a in p.assignments):
        return Decision(False, "Your inspection access has ended, so you cannot see its cases any more. "
                               "Ask the provider to renew it if the inspection goes on.")
    return Decision(False, "The list of cases is for staff with a role at a service, and for inspectors. "
                           "Commissioners see the commissioner records of each service instead.")


def listed_cases(p: Principal, now: datetime) -> tuple[frozenset[str] | None, tuple[str, ...]]:
    """What the case list holds for `p`: the services whose cases (None: every service), and the cases
    an inspector's current grant names."""
    granted = tuple(sorted({c for a in p.assignments if a.role == INSPECTOR and a.current(now) for c in a.cases}))
    return (None if p.operator else p.services()), granted


def open_work_roles(p: Principal) -> tuple[tuple[str | None, tuple[str, ...]], ...]:
    """The staff roles `p` can complete steps in, by service (None: organisation-wide, every service)."""
    return tuple(p._by_service.items())


@operator_trusted
def may_download_case_list(p: Principal) -> Decision:
    """Downloading the case list (it leaves the system as a file): one of CASE_LIST_DOWNLOADERS."""
    for a in p.assignments:
        if a.role in CASE_LIST_DOWNLOADERS:
            return Decision(True, role=a.role)
    return Decision(False, "Only managers and safeguarding leads can download the list of cases: "
                           f"{one_of(sorted(CASE_LIST_DOWNLOADERS))}. {_you_hold(p)}")


def downloadable_services(p: Principal) -> frozenset[str] | None:
    """The services whose cases a download may hold: where `p` holds a downloader's role (None: every service)."""
    if p.operator or any(a.role in CASE_LIST_DOWNLOADERS and a.service is None for a in p.assignments):
        return None
    return frozenset(a.service for a in p.assignments if a.role in CASE_LIST_DOWNLOADERS and a.service)


@operator_trusted
def may_act_in_organisation(p: Principal, roles: Iterable[str], what: str) -> Decision:
    """Work of the organisation rather than of one service's case: the provider-concern process
    (004: commissioners and contract managers, each step as a role it names or has escalated to)
    and the actions governance audits raise (their owner's role, or one it escalated to). A role
    held anywhere counts; the first of `roles` held is acted as. `what`: "open a provider-concern process"."""
    wanted = tuple(dict.fromkeys(roles))
    for role in wanted:
        if p.holds(role):
            return Decision(True, role=role)
    return Decision(False, f"Only {one_of(wanted)} can {what}. {_you_hold(p)}")


@dataclass(frozen=True)
class Reach:
    """An organisation-level read or duty: the roles that may, each held organisation-wide. A role
    held at one service (or a token narrowed to one) reaches that service's cases, never the
    organisation's figures, every service's records or every adult's cases."""

    what: str
    roles: frozenset[str]


# what each organisation-level read or duty reaches, and who may: the data `may_reach` reads
ORGANISATION_REACH: dict[str, Reach] = {
    "governance": Reach("read the governance audits", GOVERNANCE_READERS),
    # the local authority's return: its commissioners read it too (docs/sac.md, issue 19)
    "national_return": Reach("read the national return", GOVERNANCE_READERS | {COMMISSIONER}),
    "commissioning": Reach("read the commissioner records", COMMISSIONING_READERS),
    "subject_access": Reach("export a subject's records", DATA_PROTECTION),
    "retention": Reach("erase the cases past their retention time", DATA_PROTECTION),
    "access_log": Reach("see who read a case", DATA_PROTECTION),
    "organisation_workflows": Reach("see the organisation's workflows", GOVERNANCE_READERS | COMMISSIONING_READERS),
}


@operator_trusted
def may_reach(p: Principal, what: str) -> Decision:
    reach = ORGANISATION_REACH[what]
    for a in p.assignments:
        if a.role in reach.roles and a.service is None:
            return Decision(True, role=a.role)
    return Decision(False, f"Only {one_of(sorted(reach.roles))} for the whole organisation can {reach.what}. "
                           f"{_you_hold(p)}")


def may_read_governance(p: Principal) -> Decision:
    return may_reach(p, "governance")


def may_read_national_return(p: Principal) -> Decision:
    return may_reach(p, "national_return")


def may_read_commissioning(p: Principal) -> Decision:
    return may_reach(p, "commissioning")


def may_read_organisation_workflows(p: Principal) -> Decision:
    """The Temporal payloads of workflows that are not a case's (audits, governance actions,
    provider-concern processes): governance or commissioning readers."""
    return may_reach(p, "organisation_workflows")


def _held_as(a: Assignment) -> str:
    """'a team leader at SVC-ELM', 'a contract manager for the whole organisation', 'an inspector of case C-1'."""
    if a.role == INSPECTOR:
        return f"an inspector of case{'s' if len(a.cases) > 1 else ''} {listed(list(a.cases), 'and')}" if a.cases else "an inspector"
    return f"{_a(role_name(a.role))} {f'at {a.service}' if a.service else 'for the whole organisation'}"


def _you_hold(p: Principal) -> str:
    """Every role `p` holds, where: 'You are a team leader at SVC-ELM.', 'You have no role.'"""
    held = list(dict.fromkeys(_held_as(a) for a in p.assignments))
    return f"You are {listed(held, 'and')}." if held else "You have no role."


def narrowed(assignments: Iterable[Assignment], scope: Iterable[Assignment] | None) -> tuple[Assignment, ...]:
    """A token's assignments: its user's, as far as its scope names them (a scoped service narrows an
    organisation-wide role to that service). None scope: all of them. The user's assignments are
    read at each use, so revoking the user's role revokes the token's."""
    held = tuple(assignments)
    if scope is None:
        return held
    out: list[Assignment] = []
    for s in scope:
        for a in held:
            if a.role != s.role:
                continue
            if s.service is None or a.service == s.service:
                out.append(a)
            elif a.service is None:
                out.append(Assignment(a.role, s.service, a.cases, a.until))
    return tuple(dict.fromkeys(out))
