"""A correction's form sent again after the first sending was recorded (issue 22, found by the walk):
a second tab, the send button pressed again once the first answer came (or was lost when the server
went away). The twin is the same form, so it is answered as recorded once, in plain words, and never
refused as "Idempotency-Key ... was used for a different request" (the engine's words, and wrong: it
is the same request; the form's values were compared with the record as corrected by the twin itself)."""

from __future__ import annotations

from domain.access import Assignment
from tests.test_amendment_faces import ELM, amendments, done_on_a_page, pages  # noqa: F401 (the pages fixture)
from tests.test_pages import csrf, form_key


async def test_a_correction_sent_again_after_it_was_recorded_is_answered_as_recorded_once(pages):  # noqa: F811
    ssw = await pages.as_user("SSW-311", Assignment("senior_support_worker", ELM))
    case_id = await done_on_a_page(ssw, pages.records)
    step_url = f"/cases/{case_id}/steps/record_concern/1"
    form = (await ssw.get(f"{step_url}/amend")).text
    sent = {"csrf_token": csrf(form), "form_key": form_key(form, f"{step_url}/amend"),
            "behaviour_observed": "blocked the lounge door", "initiated_by": "A-205", "presentation": "tearful",
            "notes": "", "amendment_reason": "A-205 started it: A-204 was typed in error"}
    first = await ssw.post(f"{step_url}/amend", data=sent)
    assert first.status_code == 303 and first.headers["location"] == step_url
    shown = (await ssw.get(step_url)).text
    assert "Correction recorded. The record below shows it, with your reason. The original is kept." in shown
    second = await ssw.post(f"{step_url}/amend", data=sent)  # the same form, once the first was recorded
    assert second.status_code == 303 and second.headers["location"] == step_url, second.text
    again = (await ssw.get(step_url)).text
    assert "This correction was already recorded at" in again and "it was recorded once" in again
    assert "Idempotency-Key" not in second.text + again
    [fact] = amendments(pages.records, case_id)
    assert [(c.field, c.old, c.new) for c in fact.changes] == [("initiated_by", "A-204", "A-205")]
    # the same answers typed on a new form are a new request: nothing is left to change
    fresh = (await ssw.get(f"{step_url}/amend")).text
    twin = await ssw.post(f"{step_url}/amend", data={**sent, "form_key": form_key(fresh, f"{step_url}/amend")})
    assert twin.status_code == 422 and "Change at least one answer" in twin.text
    assert len(amendments(pages.records, case_id)) == 1
