"""The case list's answers: a page of cases with the cursors to the pages beside it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from web.api.responses.base import Answer


class CaseRow(Answer):
    case_id: str
    service_id: str
    service_name: str
    adult_at_risk: str
    alleged_source: str | None = Field(description="the alleged source's id; null when not a service user")
    raised_by: str | None = Field(description="the staff id who raised it")
    identified_at: datetime
    raised_at: datetime
    status: Literal["open", "closed", "stopped"] = Field(description="stopped: its workflow ended without closing")
    level: str | None = Field(description="the threshold level, once decided")
    overdue: bool = Field(description="an open step's deadline has passed")
    next_due: datetime | None = Field(description="the earliest deadline of its open steps")
    open_step_roles: list[str] = Field(description="the roles that can complete its open steps")
    closed_at: datetime | None
    outcome: str | None


class CaseListPage(Answer):
    cases: list[CaseRow]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")
    previous_cursor: str | None = Field(description="pass as `cursor` for the page before; null on the first")
