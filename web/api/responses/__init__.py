"""What the API answers, as pydantic models: the OpenAPI document's response schemas. Answers the
domain types already (a case's status, a step's receipt, the pathway, a process's status, a
threshold decision, a governance action) use the domain's own models; these type the rest, the read
models' rows. A read model may add a field in a later version, so these allow fields they do not
name; the fields they name are promised."""

from __future__ import annotations

from web.api.responses.account import (
    RoleHeld,
    RoleScope,
    SignedIn,
    TokenIssued,
    TokenView,
)
from web.api.responses.base import Answer, Count, ProblemDetails
from web.api.responses.cases import (
    ChronologyEntry,
    DevelopmentRecorded,
    EscalationAcknowledged,
    NoteAdded,
    StepAmendmentRecorded,
)
from web.api.responses.commissioning import (
    AppendixADecision,
    CommissionerRecord,
    EarlierConcern,
    ServiceFigures,
    ServiceHistory,
    ServiceReview,
    ThresholdProfileView,
)
from web.api.responses.oversight import (
    AuditRun,
    Dashboard,
    Deadline,
    Governance,
    LiveCase,
    NationalReturn,
    Period,
    ServiceDetails,
    Stopped,
    StoredAudit,
    TrackedActionRow,
)

__all__ = [
    "Answer",
    "AppendixADecision",
    "AuditRun",
    "ChronologyEntry",
    "CommissionerRecord",
    "Count",
    "Dashboard",
    "Deadline",
    "DevelopmentRecorded",
    "EarlierConcern",
    "EscalationAcknowledged",
    "Governance",
    "LiveCase",
    "NationalReturn",
    "NoteAdded",
    "Period",
    "ProblemDetails",
    "RoleHeld",
    "RoleScope",
    "ServiceDetails",
    "ServiceFigures",
    "ServiceHistory",
    "ServiceReview",
    "SignedIn",
    "Stopped",
    "StepAmendmentRecorded",
    "StoredAudit",
    "ThresholdProfileView",
    "TokenIssued",
    "TokenView",
    "TrackedActionRow",
]
