"""Finding any case again: the list of cases a person may see, filtered, searched and paged, and
its download as a spreadsheet (CSV) for managers.

Answered from the `case_list` read model's table (projections/case_list.py) by keyset queries,
brought up to the end of the log first. Who sees what is `domain/access.py`'s: staff their
services' cases, an inspector only the cases of a current grant, commissioners none (they keep to
service-level records). Every list, search and download is a read of personal data: it is written
to the access log with its filters (ids and choices, never recorded text), and each case a page
shows is logged as read, so `who_read` names everyone who saw it in a list.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Literal
from zoneinfo import ZoneInfo

from casework.access import allowed, audit, audit_reads
from casework.ports import Ports
from casework.refusals import Invalid
from domain.access import (
    Principal,
    downloadable_services,
    listed_cases,
    may_download_case_list,
    may_list_cases,
    open_work_roles,
)
from domain.concern import CASE_ID
from projections.case_list import CaseList, Filters, Scope, every_case, instant, list_cases

LONDON = ZoneInfo("Europe/London")
PAGE_SIZE = 25
MOST_PER_PAGE = 100
Status = Literal["open", "closed", "stopped"]


@dataclass(frozen=True)
class CaseQuery:
    """What a person asks the list for; every filter optional, all of them together narrow it."""

    mine: bool = False  # my open work: a step open that my roles at its service can complete
    raised_by_me: bool = False
    service: str | None = None
    status: Status | None = None
    overdue: bool = False
    identified_from: date | None = None  # UK days, both ends included
    identified_to: date | None = None
    search: str | None = None  # a case id, or an adult's id (at risk or alleged source)
    cursor: str | None = None  # the page after (or before) one shown: as `CasePage` gave it
    limit: int = PAGE_SIZE


@dataclass(frozen=True)
class CasePage:
    cases: list[dict[str, Any]]
    next_cursor: str | None
    previous_cursor: str | None
    may_download: bool
    filters: list[str] = field(default_factory=list)  # the filters in words, as the access log has them


def find_cases(ports: Ports, principal: Principal, query: CaseQuery, now: datetime) -> CasePage:
    """A page of the cases `principal` may see that `query` finds, newest identified first."""
    allowed(ports, principal, may_list_cases(principal, now))
    scope, filters, words = _asked(ports, principal, query, now)
    if not 1 <= query.limit <= MOST_PER_PAGE:
        raise Invalid(f"Ask for between 1 and {MOST_PER_PAGE} cases a page")
    after, before = _cursor(query.cursor)
    page = list_cases(_documents(ports), scope, filters, query.limit, after=after, before=before)
    rows = [_row(r, now) for r in page.rows]
    audit_reads(ports, principal, [
        {"target": f"case list ({'; '.join(words) or 'every case'})"},
        *({"case_id": r["case_id"], "service": r["service_id"], "target": "case list"} for r in rows)])
    return CasePage(
        rows,
        next_cursor=_token("after", page.rows[-1]) if page.more_after and page.rows else None,
        previous_cursor=_token("before", page.rows[0]) if page.more_before and page.rows else None,
        may_download=bool(may_download_case_list(principal)), filters=words)


CSV_COLUMNS = ("Case", "Service", "Service name", "Adult at risk", "Alleged source", "Raised by",
               "Identified (UK time)", "Raised (UK time)", "Status", "Level", "Overdue", "Next deadline (UK time)",
               "Open steps are with", "Closed (UK time)", "Outcome")


def cases_csv(ports: Ports, principal: Principal, query: CaseQuery, now: datetime) -> tuple[str, int]:
    """Every case the query finds, as CSV, and how many: for managers, of the services they manage."""
    allowed(ports, principal, may_download_case_list(principal))
    allowed(ports, principal, may_list_cases(principal, now))
    scope, filters, words = _asked(ports, principal, query, now)
    managed = downloadable_services(principal)
    if managed is not None:  # only the services they hold a manager's role at, and no inspector's grant
        scope = Scope(managed if scope.services is None else scope.services & managed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for r in every_case(_documents(ports), scope, filters):
        row = _row(r, now)
        writer.writerow([_cell(v) for v in (
            row["case_id"], row["service_id"], row["service_name"], row["adult_at_risk"], row["alleged_source"] or "",
            row["raised_by"] or "", _uk(row["identified_at"]), _uk(row["raised_at"]), row["status"],
            (row["level"] or "").replace("_", " "), "yes" if row["overdue"] else "", _uk(row["next_due"]),
            ", ".join(x.replace("_", " ") for x in row["open_step_roles"]), _uk(row["closed_at"]), row["outcome"] or "")])
        count += 1
    audit(ports, principal, "export", True, target=f"case list download ({'; '.join(words) or 'every case'}): {count} cases")
    return out.getvalue(), count


def _documents(ports: Ports):
    return ports.read_models([CaseList()])


def _asked(ports: Ports, principal: Principal, q: CaseQuery, now: datetime) -> tuple[Scope, Filters, list[str]]:
    """The scope the principal may list, the filters asked (checked), and the filters in words."""
    rules = ports.settings.input_rules()
    words: list[str] = []
    if q.service is not None and (problem := rules.id_problem(q.service, "service")):
        raise Invalid(f"The service {problem.replace('is not an id: give', 'must be')}")
    search = (q.search or "").strip() or None
    if search is not None and not CASE_ID.fullmatch(search) and rules.id_problem(search, "person"):
        raise Invalid("Search by a case id or an adult's id, like A-117, not a name")
    if q.identified_from and q.identified_to and q.identified_from > q.identified_to:
        raise Invalid("The date identified from must be the same as or before the date identified to")
    services, granted = listed_cases(principal, now)
    if q.mine:
        words.append("my open work")
    if q.raised_by_me:
        words.append("raised by me")
    if q.service:
        words.append(f"service {q.service}")
    if q.status:
        words.append(f"status {q.status}")
    if q.overdue:
        words.append("overdue")
    if q.identified_from or q.identified_to:
        words.append(f"identified {q.identified_from or 'any day'} to {q.identified_to or 'any day'}")
    if search:
        words.append(f"search {search}")
    if q.cursor:
        words.append("another page")
    filters = Filters(
        holders=open_work_roles(principal) if q.mine else None,
        raised_by=principal.user_id if q.raised_by_me else None,
        service=q.service, status=q.status,
        overdue_at=instant(now) if q.overdue else None,
        identified_from=instant(_uk_day_start(q.identified_from)) if q.identified_from else None,
        identified_before=instant(_uk_day_start(q.identified_to + timedelta(days=1))) if q.identified_to else None,
        search=search)
    return Scope(services, granted), filters, words


def _uk_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), LONDON)


def _at(text: str | None) -> datetime | None:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc) if text else None


def _row(r: dict[str, Any], now: datetime) -> dict[str, Any]:
    next_due = _at(r["next_due"])
    return {
        "case_id": r["case_id"], "service_id": r["service_id"], "service_name": r["service_name"],
        "adult_at_risk": r["adult_at_risk"], "alleged_source": r["alleged_source"], "raised_by": r["raised_by"],
        "identified_at": _at(r["identified_at"]), "raised_at": _at(r["raised_at"]), "status": r["status"],
        "level": r["level"], "overdue": bool(next_due and next_due <= now), "next_due": next_due,
        "open_step_roles": r["holders"].split() if r["holders"] else [],
        "closed_at": _at(r["closed_at"]), "outcome": r["outcome"],
    }


def _uk(at: datetime | None) -> str:
    return at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") if at else ""


def _cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# ---- the page links: opaque to their users, checked when they come back ------------------------------


def _token(way: str, row: dict[str, Any]) -> str:
    raw = json.dumps([way, row["identified_at"], row["case_id"]], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


INSTANT_TEXT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def _cursor(token: str | None) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """(after, before) from a page link's cursor; Invalid if it is not one Safeguard made."""
    if not token:
        return None, None
    try:
        way, at, case_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if way not in ("after", "before") or not INSTANT_TEXT.fullmatch(at) or not CASE_ID.fullmatch(case_id):
            raise ValueError
    except (ValueError, TypeError):
        raise Invalid("This page link is not one Safeguard made: go back to the first page of cases") from None
    return ((at, case_id), None) if way == "after" else (None, (at, case_id))
