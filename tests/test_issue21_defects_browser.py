"""The defects issue 21 lists that only a browser shows: the commissioner table at a phone's
width, and the print view's empty sections. Chromium as tests/test_browser.py drives it."""

from __future__ import annotations

from playwright.async_api import expect

from domain.access import Assignment
from tests.browser_support import check_page
from tests.test_browser import ELM, answer, browser, person, raise_concern, site  # noqa: F401  (fixtures)

# Each visible heading and what follows it up to the next heading of its level or above: the
# headings with nothing visible to read in between (in print: what the print CSS leaves).
EMPTY_SECTIONS = """() => {
  const shown = (el) => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
                          return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 1 && r.height > 1; };
  const headings = [...document.querySelectorAll('main h1, main h2, main h3')].filter(shown);
  const all = [...document.querySelectorAll('main *')];
  const empty = [];
  headings.forEach((h) => {
    const level = Number(h.tagName[1]);
    const next = headings.find((x) => x !== h && (h.compareDocumentPosition(x) & Node.DOCUMENT_POSITION_FOLLOWING)
                                      && Number(x.tagName[1]) <= level);
    const between = all.filter((el) => (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)
      && !h.contains(el) && (!next || (el.compareDocumentPosition(next) & Node.DOCUMENT_POSITION_FOLLOWING))
      && !/^H[1-6]$/.test(el.tagName) && shown(el) && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
    if (!between.length) empty.push(h.textContent.trim());
  });
  return empty;
}"""


async def test_the_commissioner_table_at_375_px_shows_its_appendix_a_column(site, person):  # noqa: F811
    """Found by a new-user trial: at 375 px the table ran off the screen, Appendix A decision last.
    Each service's row is a card there now, every column in view with its heading as a label."""
    site.user("SSW-21", Assignment("senior_support_worker", ELM))
    site.user("QSL-21", Assignment("quality_safeguarding_lead"))
    await raise_concern(await person("SSW-21"), site.base)
    phone = await person("QSL-21", width=375)
    await phone.goto(f"{site.base}/commissioner")
    row = phone.get_by_role("row").filter(has_text=ELM)
    await expect(row).to_be_visible()
    columns = await phone.get_by_role("columnheader").all_inner_texts()
    assert columns[-1] == "Appendix A decision"
    for n, label in enumerate(columns):
        cell = row.locator("td").nth(n)
        await expect(cell).to_be_visible()
        box = await cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, (label, box)  # in view, not off the screen's edge
    decision = row.locator("td").nth(len(columns) - 1)
    label = await decision.evaluate("el => getComputedStyle(el, '::before').content")
    assert label == '"Appendix A decision: "'  # its heading shown as its label
    await check_page(phone, "commissioner records (phone)")


async def test_the_print_view_has_no_empty_sections(site, person):  # noqa: F811
    """Printed (forms, buttons and navigation are not), no heading stands over nothing: on a case
    with steps done and an escalation, its chronology, a step's record, and pages that are only a
    form. On screen neither."""
    site.user("SSW-22", Assignment("senior_support_worker", ELM))
    site.user("TL-22", Assignment("team_leader", ELM))
    ssw = await person("SSW-22")
    case_id = await raise_concern(ssw, site.base)
    await answer(ssw, "record_concern", {"What behaviour was seen?": "blocked the lounge door",
                                         "Who started the interaction?": "A-204",
                                         "How did the adult at risk seem straight afterwards?": "tearful"})
    tl = await person("TL-22")
    await tl.goto(f"{site.base}/cases/{case_id}")
    await answer(tl, "peer_risk_review", {"Does the alleged source still have access": True,  # a live risk: an escalation
                                          "Has the behaviour been repeated": True, "Has any other adult been affected": False,
                                          "Is the alleged source also an adult at risk": False})
    await expect(tl.get_by_role("status")).to_contain_text("Done")
    for path in (f"/cases/{case_id}", f"/cases/{case_id}/chronology", f"/cases/{case_id}/steps/record_concern/1",
                 f"/cases/{case_id}/steps/peer_risk_review/1", f"/cases/{case_id}/notes/new", "/concerns/new",
                 "/password", "/alerts", "/board", "/"):
        await tl.goto(f"{site.base}{path}")
        await tl.emulate_media(media="print")
        assert await tl.evaluate(EMPTY_SECTIONS) == [], f"{path} printed"
        await tl.emulate_media(media="screen")
        assert await tl.evaluate(EMPTY_SECTIONS) == [], f"{path} on screen"
