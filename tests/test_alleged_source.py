"""An alleged source who is not a service user (issue 19 §3; 000 line 27: social contacts, including
through the internet) is recorded by kind with no invented id, and is never "the same source" as
another; a concern reported by someone who is not staff records the reporter's kind (000 line 19)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from casework.temporal.cases import case_id_for
from domain.commissioning import ConcernFacts, service_reviews
from domain.concern import ConcernBody
from projections.concern_index import ConcernIndex, prior_concerns
from projections.feed import ProjectionFeed
from projections.registry import open_documents
from tests.conftest import concern
from tests.pure_case import PureCase

pytestmark = pytest.mark.unit


def body(**over) -> dict:
    return {**concern("2027-01-12T09:30:00+00:00"), **over}


@pytest.mark.parametrize("source, message", [
    ({"kind": "visitor", "id": "V-1"}, "visitor: only a service user has an id here; leave id out (never invent one)"),
    ({"kind": "service_user"}, "a service user is named by id (e.g. A-204); for anyone else give their kind"),
    ({"kind": "stranger"}, "Input should be 'service_user', 'unknown_person'"),
    ({"id": "A-204", "name": "Bob"}, "the alleged source is given by id, or by kind if not a service user; remove name"),
])
def test_a_source_is_a_service_user_by_id_or_anyone_else_by_kind(source, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        ConcernBody.model_validate(body(alleged_source=source))


def test_a_service_users_concern_keeps_its_json_and_so_its_case_id():
    """The kind is left out of a service user's JSON: a concern raised again after the upgrade is the
    same case (its id is a digest of the body), never a second one."""
    c = ConcernBody.model_validate(body(case_id=None))
    assert '"alleged_source":{"id":"A-204"}' in c.model_dump_json() and "reported_by" not in c.model_dump_json()
    assert case_id_for(c) == "SG-20270112-C746FD8C16"  # as computed before kinds existed
    other = ConcernBody.model_validate(body(alleged_source={"kind": "online_contact"}, reported_by={"kind": "relative_or_friend"}))
    assert other.alleged_source.described() == "online contact (not a service user)"
    assert other.reported_by.kind == "relative_or_friend"


def test_two_concerns_about_unknown_people_are_not_the_same_source(records):
    for n, day in ((1, 0), (2, 5)):
        case = PureCase(body(case_id=f"U-{n}", identified_at=f"2027-01-{12 + day}T09:30:00+00:00",
                             alleged_source={"kind": "unknown_person"}))
        records.record(f"U-{n}", 1, case.facts)
    feed = ProjectionFeed(records, open_documents(records), [ConcernIndex()])
    feed.catch_up()
    prior = prior_concerns(feed.documents, "U-2", "A-117", None, "SVC-ELM",
                           datetime(2027, 1, 17, 9, 30, tzinfo=timezone.utc), 90)
    assert (prior.same_source, prior.same_pair, prior.same_service) == (0, 0, 1)  # the same service, nothing more


def test_the_same_source_pattern_never_groups_people_who_are_not_service_users():
    t0 = datetime(2027, 1, 4, 10, 0, tzinfo=timezone.utc)
    unknown = [ConcernFacts(case_id=f"W-{n}", raised_at=t0 + timedelta(days=n), adult_at_risk=f"A-{n}", alleged_source=None)
               for n in (1, 2)]
    assert [r.rule for r in service_reviews(unknown)] == []
    known = [c.model_copy(update={"alleged_source": "B-9"}) for c in unknown]
    assert [r.rule for r in service_reviews(known)] == ["same_source_repeated"]


def test_an_id_field_names_a_source_who_is_not_a_service_user_by_a_word_never_an_invented_id():
    """Found by a trial: `record_concern.initiated_by` must be an id, so a case about a visitor made
    staff invent one. From pathway 2026.12.2 it takes `alleged_source` for such a source; for a
    service user it still takes their id."""
    from domain.case import Rejected
    visitor = PureCase(body(alleged_source={"kind": "visitor"}))
    visitor.at("2027-01-12T09:40:00+00:00")
    (done, *_) = visitor.complete("record_concern", initiated_by="alleged_source")
    assert done.record["initiated_by"] == "alleged_source"
    with pytest.raises(Rejected, match="field 'initiated_by' is not an id"):
        PureCase(body()).at("2027-01-12T09:40:00+00:00").complete("record_concern", initiated_by="alleged_source")
