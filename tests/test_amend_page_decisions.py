"""The correction page says, before anything is recorded, which decision rests on the record and
what correcting it does (found by the issue 22 walk: a manager correcting the seriousness
assessment learnt only afterwards that the threshold level's review went to its maker); a record no
decision rests on says nothing of it."""

from __future__ import annotations

from domain.access import Assignment
from tests.test_amendment_faces import ELM, completed, pages  # noqa: F401 (the pages fixture)
from tests.test_pages import raise_case as raise_on_a_page, settled

SAYS = ("The decision on whether to refer rests on this record. It stands as it was made: correcting the record asks "
        "whoever made the decision to review it, within 2 working days.")


async def test_the_correction_page_says_which_decision_rests_on_the_record(env, pages):  # noqa: F811
    dsl = await pages.as_user("DSL-312", Assignment("designated_safeguarding_lead", ELM))
    case_id = await raise_on_a_page(dsl)
    await settled(pages.records, case_id)
    await completed(env, case_id, "record_concern", "senior_support_worker", "DSL-312")
    await completed(env, case_id, "route_decision", "designated_safeguarding_lead", "DSL-312")
    route = (await dsl.get(f"/cases/{case_id}/steps/route_decision/1/amend")).text
    assert SAYS in route
    concern = (await dsl.get(f"/cases/{case_id}/steps/record_concern/1/amend")).text
    assert "rests on this record" not in concern
