"""What leaves Safeguard as a document, and erasure: a case's evidence pack, a subject access
export, retention's erasures. Each is checked (who may), recorded (the export, with a digest of
every file), and audited; a refusal or a failure writes nothing of record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

from casework.access import allowed, audit, visible_case
from casework.cases import erased_as_gone
from casework.ports import Ports
from casework.refusals import Invalid, NotFound
from domain.access import Principal, may_answer_subject_access, may_apply_retention, may_export_case
from evidence.store import EvidenceError
from operations.retention import Due, RetentionError


@dataclass(frozen=True)
class ExportPack:
    case_id: str
    out: Path  # the directory the pack's files are written to
    as_at: datetime | None = None


@dataclass(frozen=True)
class PackExported:
    case_id: str
    files: dict[str, str]  # file name -> SHA-256
    intact: bool
    events: int


@dataclass(frozen=True)
class SubjectAccess:
    adult_id: str
    out: Path


def export_pack(ports: Ports, principal: Principal, c: ExportPack, now: datetime) -> PackExported:
    """The case's evidence pack (PDF, HTML, JSON) with its verification, written to `c.out`; the
    export is recorded, and audited once made (a refusal is no export)."""
    from evidence.exports import record_export  # WeasyPrint is heavy: loaded for an export only
    from evidence.pack import build_pack
    from evidence.render import write_pack

    with erased_as_gone(c.case_id):
        service, _ = visible_case(ports, principal, c.case_id, now, action=None)
        allowed(ports, principal, may_export_case(principal, c.case_id, service, now), c.case_id, service)
        try:
            built = build_pack(ports.records, ports.documents, c.case_id, principal.user_id, now, c.as_at)
        except EvidenceError as e:
            raise (NotFound if str(e).startswith("no case") else Invalid)(str(e)) from None
    files = write_pack(built, c.out)
    record_export(ports.records, "case_pack", c.case_id, [c.case_id], principal.user_id, now, files, built.as_at)
    audit(ports, principal, "export", True, case_id=c.case_id, service=service)
    return PackExported(c.case_id, files, built.verification.intact, built.verification.events_in_pack)


def subject_access(ports: Ports, principal: Principal, c: SubjectAccess, now: datetime) -> dict[str, Any]:
    """Every case naming the adult (at risk or as the alleged source), each as its pack, with an
    index; the export is recorded and audited once per case it holds."""
    from evidence.exports import record_export
    from evidence.subject import subject_access as gather
    from projections.registry import open_feed

    allowed(ports, principal, may_answer_subject_access(principal))
    try:
        index, files = gather(ports.records, open_feed(ports.records), c.adult_id, c.out, principal.user_id, now)
    except EvidenceError as e:
        raise NotFound(str(e)) from None
    cases = [x["case_id"] for x in index["cases"]]
    record_export(ports.records, "subject_access", c.adult_id, cases, principal.user_id, now, files)
    for case_id in cases:
        audit(ports, principal, "export", True, case_id=case_id, target=c.adult_id)
    return index


def apply_retention(ports: Ports, principal: Principal, today: date, now: datetime,
                    progress: Callable[[Due], None] | None = None) -> list[Due]:
    """Erase every closed case past retention: destroy its key, record the erasure, rebuild the read
    models. Never ahead of time: erasing cannot be undone."""
    from operations.retention import apply
    from projections.registry import open_feed

    if today > now.date():
        raise Invalid(f"--today {today.isoformat()} is after today ({now.date().isoformat()}): cases are erased when "
                      "their retention has run out, never ahead of it (`retention due --today` shows what will be due then)")
    allowed(ports, principal, may_apply_retention(principal))
    try:
        done = apply(ports.records, open_feed(ports.records), ports.settings.retention_years, today, principal.user_id,
                     progress)
    except RetentionError as e:
        raise Invalid(str(e)) from None
    for d in done:
        audit(ports, principal, "write", True, case_id=d.case_id, reason="erased under retention")
    return done
