"""Services in the store (issue 22): one stream per service, as each user has one, its facts
`domain/services.py`'s. Stored under the key shared by every stream that is not a case's, so
`safeguard backup` covers them with the rest."""

from __future__ import annotations

from typing import Sequence
from uuid import UUID, uuid5

from domain.fact import Fact
from domain.services import ServiceRecord, fold_service
from eventstore.accounts import NAMESPACE
from eventstore.application import SafeguardingRecords
from eventstore.events import Recorded


def service_stream(service_id: str) -> UUID:
    return uuid5(NAMESPACE, f"service:{service_id}")


class ServiceStore:
    def __init__(self, records: SafeguardingRecords) -> None:
        self.records = records

    def facts(self, service_id: str) -> list[Fact]:
        return [r.fact for r in self.records.stream(service_stream(service_id))]

    def service(self, service_id: str) -> ServiceRecord | None:
        return fold_service(self.facts(service_id))

    def append(self, service_id: str, facts: Sequence[Fact], after: int) -> list[Recorded]:
        """After the `after` facts read (0: the stream must be new): AlreadyExists, or Superseded when
        another writer got there first, and nothing is stored."""
        stream, label = service_stream(service_id), f"service {service_id}"
        if after == 0:
            return self.records.append(stream, facts, new=True, label=label)
        return self.records.append(stream, facts, after + 1, label=label)
