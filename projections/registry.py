"""The read models Safeguard keeps, and where their documents live (beside the event store)."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresFactory

from eventstore.application import SafeguardingRecords
from projections.case_list import CaseList
from projections.commissioner import CommissionerRecords
from projections.concern_index import ConcernIndex
from projections.dashboard import LiveCases
from projections.document_stores import PostgresDocuments, SQLiteDocuments
from projections.documents import Documents
from projections.feed import ProjectionFeed, ReadModel
from projections.governance import GovernanceAudits, GovernanceFacts
from projections.national import NationalReturnCases
from projections.provider_processes import ProviderProcesses
from projections.services import Services


def read_models() -> list[ReadModel]:
    return [LiveCases(), CommissionerRecords(), GovernanceFacts(), GovernanceAudits(), ConcernIndex(), NationalReturnCases(),
            ProviderProcesses(), CaseList(), Services()]


def open_documents(records: SafeguardingRecords) -> Documents:
    kind = PostgresDocuments if isinstance(records.factory, PostgresFactory) else SQLiteDocuments
    try:
        documents = records.factory.tracking_recorder(kind)
    except IntegrityError:
        # Another process (a second worker started at the same moment) created the tracking table
        # between this one finding it missing and creating it: it exists now, so open it as it is.
        documents = records.factory.tracking_recorder(kind)
    # They share the application's connection pool, which closes when the application is
    # collected: keep the application alive as long as its documents.
    documents.application = records
    return documents


def open_feed(records: SafeguardingRecords) -> ProjectionFeed:
    return ProjectionFeed(records, open_documents(records), read_models())
