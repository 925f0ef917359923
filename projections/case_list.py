"""Every case, one row each, for finding cases again: the Cases page, its search and its CSV.

The read model `case_list` folds each case's facts into a document (keyed by the case's stream)
and keeps it as a row of the table `case_list` (`projections/rows.py`), plus one row of
`case_holders` for each role that can complete one of its open steps (the step's own role and any
it has escalated to), for "my open work". Rows are written with the documents and the view's
position in one transaction, so the table is exactly as current as the feed; a rebuild from zero
rebuilds it. A case erased under retention leaves it: its `RetentionErased` fact deletes the row,
and its own facts can no longer be read, so a rebuild never brings it back.

A threshold level or a closure outcome decided anew on review (issue 22) is the row's from then on.

Lists are read by keyset: newest identified first, `(identified_at, case_id) < (last shown)`,
`LIMIT n`, on indexes for each filter, never a scan of every case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Literal

from domain.facts import (
    CaseClosed,
    CaseRecovered,
    CaseStopped,
    ConcernRaised,
    DecisionReviewed,
    Escalated,
    RetentionErased,
    StepAmended,
    StepCompleted,
    StepOpened,
    StepWithdrawn,
    ThresholdDecisionFiled,
)
from eventstore.events import Recorded, case_stream
from projections.amended import new_level, new_outcome
from projections.documents import Doc, Documents
from projections.feed import ReadModel
from projections.rows import Row, Table

Status = Literal["open", "closed", "stopped"]
ZERO = timedelta(0)

CASES = Table("case_list", (
    "key", "case_id", "service_id", "service_name", "adult_at_risk", "alleged_source", "raised_by", "identified_at",
    "raised_at", "status", "level", "next_due", "holders", "closed_at", "outcome"),
    indexes=(("identified_at", "case_id"), ("service_id", "identified_at", "case_id"),
             ("raised_by", "identified_at", "case_id"), ("status", "identified_at", "case_id"),
             ("adult_at_risk",), ("alleged_source",), ("next_due",)),
    unique=(("case_id",),))
HOLDERS = Table("case_holders", ("key", "case_id", "service_id", "role"), indexes=(("role", "service_id"),))


def instant(at: datetime | str | None) -> str | None:
    """An instant as fixed-width UTC text, so that text order is time order."""
    if at is None:
        return None
    if isinstance(at, str):
        at = datetime.fromisoformat(at.replace("Z", "+00:00"))
    utc = at if at.utcoffset() == ZERO else at.astimezone(timezone.utc)
    if utc.year < 1000:  # strftime writes such a year with fewer digits
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return utc.isoformat(timespec="microseconds")[:26] + "Z"  # as strftime writes it, several times quicker


class CaseList(ReadModel):
    name = "case_list"
    handles = (ConcernRaised, StepOpened, StepCompleted, StepWithdrawn, Escalated, ThresholdDecisionFiled, CaseClosed,
               CaseStopped, CaseRecovered, RetentionErased, StepAmended, DecisionReviewed)
    tables = (CASES, HOLDERS)

    def keys(self, event: Recorded) -> Iterable[str]:
        if isinstance(event.fact, RetentionErased):  # recorded in a stream of its own: the case's is named
            return [str(case_stream(event.fact.case_id))]
        return [event.stream]

    def apply(self, e: Recorded, docs: dict[str, Doc | None]) -> None:
        f = e.fact
        if isinstance(f, RetentionErased):
            docs[str(case_stream(f.case_id))] = None
            return
        key = e.stream
        if isinstance(f, ConcernRaised):
            c = f.concern
            docs[key] = {
                "case_id": f.case_id, "service_id": c.service.id, "service_name": c.service.name,
                "adult_at_risk": c.adult_at_risk.id, "alleged_source": c.alleged_source.id or None,
                "raised_by": c.raised_by.actor if c.raised_by else None,
                "identified_at": instant(c.identified_at), "raised_at": instant(f.at), "status": "open",
                "level": None, "open_steps": {}, "closed_at": None, "outcome": None,
            }
            return
        case = docs.get(key)
        if case is None:
            return  # raised before the log began, or erased
        steps = case["open_steps"]
        match f:
            case StepOpened():
                steps[f"{f.step}#{f.occurrence}"] = {"roles": [f.role], "due": instant(f.due)}
            case StepCompleted() | StepWithdrawn():
                steps.pop(f"{f.step}#{f.occurrence}", None)
            case Escalated() if f.cause != "trigger" and f"{f.step}#{f.occurrence}" in steps:
                roles = steps[f"{f.step}#{f.occurrence}"]["roles"]  # whoever it escalated to can complete it too
                if f.to_role not in roles:
                    roles.append(f.to_role)
            case ThresholdDecisionFiled():
                case["level"] = f.decision.level
            case CaseStopped():
                case["status"] = "stopped"
            case CaseRecovered():
                case["status"] = "open"
            case CaseClosed():
                case.update(status="closed", closed_at=instant(f.at), outcome=f.outcome, open_steps={})
            case StepAmended() | DecisionReviewed():  # a level or an outcome decided anew on review (issue 22)
                if (level := new_level(f))[0]:
                    case["level"] = level[1]
                if (outcome := new_outcome(f))[0] and case["status"] == "closed":
                    case["outcome"] = outcome[1]
        docs[key] = case

    def rows(self, key: str, doc: Doc) -> dict[str, list[Row]]:
        dues = [s["due"] for s in doc["open_steps"].values() if s["due"]]
        roles = sorted({r for s in doc["open_steps"].values() for r in s["roles"]})
        return {
            CASES.name: [(key, doc["case_id"], doc["service_id"], doc["service_name"], doc["adult_at_risk"],
                          doc["alleged_source"], doc["raised_by"], doc["identified_at"], doc["raised_at"], doc["status"],
                          doc["level"], min(dues, default=None), " ".join(roles), doc["closed_at"], doc["outcome"])],
            HOLDERS.name: [(key, doc["case_id"], doc["service_id"], r) for r in roles],
        }


# ---- reading it ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose cases a reader may list: every service (services None), some services, and the cases an
    inspector's current grant names. Nothing in scope lists nothing."""

    services: frozenset[str] | None
    cases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filters:
    """What a list asks for, all of it optional. `holders`: "my open work", as (service or None for
    every service, roles held there). `search`: a case id, or an adult's id (at risk or alleged source)."""

    holders: tuple[tuple[str | None, tuple[str, ...]], ...] | None = None
    raised_by: str | None = None
    service: str | None = None
    status: Status | None = None
    overdue_at: str | None = None  # an instant (fixed-width text): cases with an open deadline passed by then
    identified_from: str | None = None
    identified_before: str | None = None
    search: str | None = None


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    more_after: bool  # another page follows the last row
    more_before: bool  # a page comes before the first row
    extra: dict[str, Any] = field(default_factory=dict)


def _where(scope: Scope, f: Filters) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if scope.services is not None:
        seen = [f"service_id IN ({', '.join('?' * len(scope.services))})"] if scope.services else []
        seen += [f"case_id IN ({', '.join('?' * len(scope.cases))})"] if scope.cases else []
        clauses.append(f"({' OR '.join(seen)})" if seen else "1 = 0")
        params += [*sorted(scope.services), *scope.cases]
    if f.holders is not None:
        held = []
        for service, roles in f.holders:
            marks = ", ".join("?" * len(roles))
            held.append(f"(role IN ({marks}))" if service is None else f"(service_id = ? AND role IN ({marks}))")
            params += [*([] if service is None else [service]), *roles]
        clauses.append(f"case_id IN (SELECT case_id FROM {{case_holders}} WHERE {' OR '.join(held) or '1 = 0'})")
    for column, value in (("raised_by", f.raised_by), ("service_id", f.service), ("status", f.status)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if f.overdue_at is not None:
        clauses.append("next_due <= ?")
        params.append(f.overdue_at)
    if f.identified_from is not None:
        clauses.append("identified_at >= ?")
        params.append(f.identified_from)
    if f.identified_before is not None:
        clauses.append("identified_at < ?")
        params.append(f.identified_before)
    if f.search is not None:
        # ids are written in capitals (SG-..., A-117): "a-117" typed finds them too, and an id kept in
        # lower case is still found as typed
        clauses.append("(case_id IN (?, ?) OR adult_at_risk IN (?, ?) OR alleged_source IN (?, ?))")
        params += [f.search, f.search.upper()] * 3
    return clauses, params


def list_cases(documents: Documents, scope: Scope, f: Filters, limit: int,
               after: tuple[str, str] | None = None, before: tuple[str, str] | None = None) -> Page:
    """A page of cases, newest identified first: those after the row `after` (identified_at, case_id),
    or those just before the row `before` (the previous page), `limit` at most."""
    clauses, params = _where(scope, f)
    backwards = before is not None
    if after is not None or before is not None:
        clauses.append("(identified_at, case_id) > (?, ?)" if backwards else "(identified_at, case_id) < (?, ?)")
        params += list(before or after)  # type: ignore[arg-type]
    order = "ASC" if backwards else "DESC"
    sql = (f"SELECT * FROM {{case_list}} {'WHERE ' + ' AND '.join(clauses) if clauses else ''} "
           f"ORDER BY identified_at {order}, case_id {order} LIMIT ?")
    rows = documents.select(sql, [*params, limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
        return Page(rows, more_after=True, more_before=more)
    return Page(rows, more_after=more, more_before=after is not None)


def every_case(documents: Documents, scope: Scope, f: Filters, chunk: int = 1000) -> Iterable[dict[str, Any]]:
    """Every case the filters find, newest first, read a page at a time (for a download)."""
    after = None
    while True:
        page = list_cases(documents, scope, f, chunk, after=after)
        yield from page.rows
        if not page.more_after:
            return
        last = page.rows[-1]
        after = (last["identified_at"], last["case_id"])
