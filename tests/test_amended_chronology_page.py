"""A record corrected on its page (issue 22) on the chronology page: the original entry as it was
made with a note of the correction, the correction's own entry in plain words (no engine names
outside the technical details), and "as at" before the correction the original alone."""

from __future__ import annotations

import asyncio
import html as html_
import re
from datetime import timedelta

from domain.access import Assignment
from domain.facts import StepAmended
from tests.page_words_support import assert_plain
from tests.test_amendment_faces import ELM, done_on_a_page, pages  # noqa: F401  (a fixture)
from tests.test_pages import LONDON, csrf, form_key


async def test_the_chronology_page_shows_the_record_and_its_correction_each_pointing_at_the_other(pages):  # noqa: F811
    ssw = await pages.as_user("SSW-401", Assignment("senior_support_worker", ELM))
    case_id = await done_on_a_page(ssw, pages.records)
    step_url = f"/cases/{case_id}/steps/record_concern/1"
    await asyncio.sleep(1.1)  # facts are timed to the second: the correction a second after the record, to ask between
    form = (await ssw.get(f"{step_url}/amend")).text
    r = await ssw.post(f"{step_url}/amend", data={
        "csrf_token": csrf(form), "form_key": form_key(form, f"{step_url}/amend"),
        "behaviour_observed": "blocked the lounge door", "initiated_by": "A-205", "presentation": "tearful", "notes": "",
        "amendment_reason": "A-205 started it"})
    assert r.status_code == 303, r.text
    facts = pages.records.stored_facts(case_id)
    (amended,) = [f for f in facts if isinstance(f.fact, StepAmended)]
    (original,) = [f for f in facts if f.type == "StepCompleted" and f.fact.step == "record_concern"]

    page = (await ssw.get(f"/cases/{case_id}/chronology")).text
    assert_plain(page, "the chronology page")
    text = html_.unescape(page)
    assert "Record the initial peer-to-peer concern: record corrected (amendment 1) by SSW-401 (senior support worker)" in text
    def row(label: str, value: str) -> str:
        return (f'<dt class="nhsuk-summary-list__key">{label}</dt>'
                f'<dd class="nhsuk-summary-list__value">{value}</dd>')
    original_entry = text[text.index(f'id="entry-{original.seq}"'):text.index(f'id="entry-{original.seq + 1}"')]
    # each names the other by its entry, a link to it on the page
    link = f'<a href="#entry-{amended.seq}">entry {amended.seq}</a>'
    assert re.search(re.escape(row("Corrected later", f"amendment 1 ({link}), ")).replace("</dd>", "")
                     + r"\w{3} \d+ \w{3} \d{4}, \d\d:\d\d (GMT|BST)</dd>", original_entry)
    assert row("Who started the interaction", "A-204") in original_entry  # its own words as made, labelled as its page labels it
    entry = text[text.index(f'id="entry-{amended.seq}"'):]
    assert row("Corrects", f'<a href="#entry-{original.seq}">entry {original.seq}</a>, the record as first made, '
                           "which is kept as it was") in entry
    assert row("Who started the interaction", "changed from A-204 to A-205") in entry
    assert row("Reason", "A-205 started it") in entry and row("Decisions made on the original record", "none") in entry

    before = (amended.at - timedelta(seconds=1)).astimezone(LONDON)
    assert original.at <= before
    then = html_.unescape((await ssw.get(f"/cases/{case_id}/chronology",
                                         params={"as_at": before.replace(tzinfo=None).isoformat()})).text)
    assert "Chronology as at" in then and "record corrected" not in then and "Corrected later" not in then
    assert "Record the initial peer-to-peer concern: done by SSW-401 (senior support worker)" in then
