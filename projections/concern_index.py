"""Who was involved in which concern, when and where: the index that answers "how many earlier
concerns?" (002/003: "several low-level concerns") by reading a few documents, whatever the
number of cases in the store.

Documents of the view "concern_index":

    person:<id>                  every concern the adult was involved in, as adult at risk or alleged source
    service:<id>:<yyyy-mm>       the service's concerns identified in that month

each a map of case id -> {identified_at, adult, source, service}. A threshold assessment reads
the two adults' documents and the service's months inside the tool's look-back window.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from domain.facts import ConcernRaised
from domain.threshold import PriorConcerns
from eventstore.events import Recorded
from projections.documents import Doc, Documents
from projections.feed import ProjectionFeed, ReadModel
from projections.jsonable import iso


def _person(adult_id: str) -> str:
    return f"person:{adult_id}"


def _service_month(service_id: str, instant: datetime) -> str:
    return f"service:{service_id}:{instant:%Y-%m}"


class ConcernIndex(ReadModel):
    name = "concern_index"
    handles = (ConcernRaised,)

    def keys(self, event: Recorded) -> Iterable[str]:
        c = event.fact.concern
        source = [_person(c.alleged_source.id)] if c.alleged_source.id else []  # not a service user: no one to find again
        return [_person(c.adult_at_risk.id), *source, _service_month(c.service.id, c.identified_at)]

    def apply(self, e: Recorded, docs: dict[str, Doc | None]) -> None:
        c = e.fact.concern
        entry = {"identified_at": iso(c.identified_at), "adult": c.adult_at_risk.id, "source": c.alleged_source.id,
                 "service": c.service.id}
        for key in self.keys(e):
            docs[key] = {**(docs.get(key) or {}), e.fact.case_id: entry}


def _months(since: datetime, until: datetime) -> list[datetime]:
    months, month = [], since.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while month <= until:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def prior_concerns(documents: Documents, case_id: str, adult_id: str, source_id: str | None,
                   service_id: str, identified_at: datetime, lookback_days: int) -> PriorConcerns:
    """Count the concerns identified in the `lookback_days` before `identified_at` (this case excluded)
    between the same two adults, with the same alleged source and another adult, and in the same service."""
    since = identified_at - timedelta(days=lookback_days)
    keys = [_person(adult_id), *([_person(source_id)] if source_id else []),
            *(_service_month(service_id, m) for m in _months(since, identified_at))]
    earlier = {cid: e for doc in documents.read(ConcernIndex.name, keys).values() for cid, e in doc.items()
               if cid != case_id and since <= datetime.fromisoformat(e["identified_at"]) <= identified_at}
    source = pair = service = 0
    for e in earlier.values():
        if source_id is None:  # someone not a service user is never "the same source" as another
            pass
        elif {e["adult"], e["source"]} == {adult_id, source_id}:
            pair += 1
        elif e["source"] == source_id:
            source += 1
        if e["service"] == service_id:
            service += 1
    note = (f"event store: concerns identified in the {lookback_days} days before "
            f"{identified_at.date().isoformat()}, this case excluded")
    return PriorConcerns(same_source=source, same_pair=pair, same_service=service, source_note=note)
