"""The services read model (issue 22): every service recorded, with its details as they are now
(or "as at" an instant), one document per service id, folded from `domain/services.py`'s facts. It
answers the lists of services the pages and the CLI offer, without reading each service's stream."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from domain.services import SERVICE_FACTS, ServiceRecord, evolve
from eventstore.events import Recorded
from projections.documents import Doc, Documents
from projections.feed import ReadModel
from projections.jsonable import iso


def as_doc(record: ServiceRecord) -> Doc:
    return {"service_id": record.service_id, **record.details(), "recorded_at": iso(record.recorded_at),
            "recorded_by": record.recorded_by, "source": record.source,
            "changed_at": iso(record.changed_at) if record.changed_at else None, "changed_by": record.changed_by,
            "changes": record.changes}


def from_doc(doc: Doc) -> ServiceRecord:
    return ServiceRecord(
        doc["service_id"], doc["name"], doc["provider"], doc["client_group"], doc.get("company"),
        datetime.fromisoformat(doc["recorded_at"]), doc["recorded_by"], doc["source"],
        datetime.fromisoformat(doc["changed_at"]) if doc.get("changed_at") else None, doc.get("changed_by"),
        doc.get("changes", 0))


class Services(ReadModel):
    name = "services"
    handles = SERVICE_FACTS
    folds_with = ("domain.services",)  # its fold is the decider's own evolve (projections/versions.py)

    def keys(self, event: Recorded) -> Iterable[str]:
        return [event.fact.service_id]  # type: ignore[attr-defined]

    def apply(self, event: Recorded, docs: dict[str, Doc | None]) -> None:
        key = event.fact.service_id  # type: ignore[attr-defined]
        before = docs.get(key)
        after = evolve(from_doc(before) if before else None, event.fact)
        if after is not None:
            docs[key] = as_doc(after)


def service_records(documents: Documents) -> list[ServiceRecord]:
    """Every service recorded, by id."""
    return sorted((from_doc(doc) for _, doc in documents.scan(Services.name)), key=lambda r: r.service_id)


def details_of(records: Iterable[ServiceRecord]) -> dict[str, dict[str, Any]]:
    """Each service's details by id, as a concern carries them (no company where there is none)."""
    return {r.service_id: {k: v for k, v in r.details().items() if v is not None} for r in records}
