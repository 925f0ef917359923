"""The correction page asks each answer as the step asks it: an answer the step requires is not
"(optional)" (found by a fresh-clone trial: every answer said "(optional)", yet emptying a required
one was refused), and emptying it is refused with the step's own words for a missing answer, by its
question, nothing recorded; an optional answer may be emptied."""

from __future__ import annotations

import re

from domain.access import Assignment
from tests.cases import RECORDS
from tests.test_amendment_faces import ELM, amendments, done_on_a_page, pages  # noqa: F401 (the pages fixture)
from tests.test_pages import csrf, form_key


def labels(html: str) -> dict[str, str]:
    """Each question's label or legend, by the field it asks (its id: f-NAME)."""
    found = {}
    for name, text in re.findall(r'<label\b[^>]*?\sfor="f-([a-z_]+)"\s*>(.*?)</label>', html, re.S):
        found[name] = re.sub(r"\s+", " ", text).strip()
    return found


async def test_required_answers_are_not_optional_and_emptying_one_is_refused_in_its_words(pages):  # noqa: F811
    ssw = await pages.as_user("SSW-314", Assignment("senior_support_worker", ELM))
    case_id = await done_on_a_page(ssw, pages.records)
    url = f"/cases/{case_id}/steps/record_concern/1/amend"
    form = (await ssw.get(url)).text
    asked = labels(form)
    assert asked["behaviour_observed"] == "What behaviour was seen?", asked
    assert asked["initiated_by"] == "Who started the interaction?"
    assert asked["presentation"] == "How did the adult at risk seem straight afterwards?"
    assert asked["notes"] == "Is there anything else to add? (optional)"
    sent = {"csrf_token": csrf(form), "form_key": form_key(form, url), **{k: RECORDS["record_concern"].get(k, "")
            for k in ("behaviour_observed", "initiated_by", "presentation", "notes")}, "amendment_reason": "tidying up"}
    emptied = await ssw.post(url, data={**sent, "behaviour_observed": ""})
    assert emptied.status_code == 422
    box = emptied.text[emptied.text.index("nhsuk-error-summary"):]
    assert re.search(r'<a href="#f-behaviour_observed"\s*>\s*Enter the behaviour seen\s*</a>', box), box[:1500]
    assert amendments(pages.records, case_id) == []
    added = await ssw.post(url, data={**sent, "notes": "seen by TL-1"})
    assert added.status_code == 303, added.text
    form = (await ssw.get(url)).text  # an optional answer given: it may be taken away
    cleared = await ssw.post(url, data={**sent, "csrf_token": csrf(form), "form_key": form_key(form, url), "notes": ""})
    assert cleared.status_code == 303, cleared.text
    assert [[(c.field, c.new) for c in a.changes] for a in amendments(pages.records, case_id)] == [
        [("notes", "seen by TL-1")], [("notes", None)]]
