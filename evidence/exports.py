"""Every evidence export is recorded: who generated which pack, when, and a digest of each file.

Each export is a single-event stream of its own (`EvidenceExported`, stream id derived from the
export's id), in the same store and so in the same hash chain and checkpoints as the cases. Who
exported which case is also in the access audit (the API's and the CLI's callers write it)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.facts import EvidenceExported
from eventstore.application import SafeguardingRecords

EXPORT_NAMESPACE = uuid5(NAMESPACE_URL, "https://safeguard.invalid/evidence-export")


def export_stream(export_id: str) -> UUID:
    return uuid5(EXPORT_NAMESPACE, export_id)


def record_export(records: SafeguardingRecords, kind: Literal["case_pack", "subject_access"], subject: str,
                  cases: list[str], generated_by: str, at: datetime, files: dict[str, str],
                  as_at: datetime | None = None) -> EvidenceExported:
    export_id = uuid.uuid4().hex
    fact = EvidenceExported(at=at, export_id=export_id, kind=kind, subject=subject, cases=cases, as_at=as_at,
                            generated_by=generated_by, files=files)
    records.append(export_stream(export_id), [fact], 1, label=f"export {export_id}")
    return fact


def exports(records: SafeguardingRecords) -> list[EvidenceExported]:
    """Every export recorded, oldest first."""
    from eventsourcing.utils import get_topic

    found, start = [], 1
    while page := records.recorder.select_notifications(start=start, limit=5000, topics=[get_topic(EvidenceExported)]):
        found += [records.mapper.to_domain_event(n).fact for n in page]
        start = page[-1].id + 1
    return found
