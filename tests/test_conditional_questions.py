"""Forms ask only what applies (issue 21 §5): a question the pathway requires only after one answer
(domain/pathway.py Requirement) is revealed under that answer, the design system's conditional
reveal; its error still reaches the error summary."""

import re

import pytest

from domain.pathway import current_pathway
from web.pages import forms, reveal
from web.pages.case_step import error_summary
from web.pages.render import env

pytestmark = pytest.mark.unit


def rendered(step_id: str, values: dict, errors: dict) -> tuple[list[forms.FormField], str]:
    step = current_pathway().step(step_id)
    fields = reveal.revealed(forms.fill(forms.step_fields(step), values, errors), step)
    html = env.from_string('{% from "fields.html" import input %}{% for f in fields %}{{ input(f) }}{% endfor %}').render(
        fields=fields)
    return fields, html


def conditional_of(html: str, radio_id: str, next_radio_id: str | None) -> str:
    """The markup revealed by the radio `radio_id`: from its conditional part to the next answer."""
    target = re.search(rf'id="{radio_id}"[^>]*aria-controls="([^"]+)"', html).group(1)
    start = html.index(f'id="{target}"')
    end = html.index(f'id="{next_radio_id}"', start) if next_radio_id else html.index('name="notes"', start)
    return html[start:end]


def test_mediation_asks_by_whom_only_once_it_was_offered_and_why_not_only_if_not():
    fields, html = rendered("mediation", {}, {})
    assert [f.name for f in fields] == ["mediation_offered", "notes"]  # the rest are under its answers
    yes, no = conditional_of(html, "f-mediation_offered-yes", "f-mediation_offered-no"), \
        conditional_of(html, "f-mediation_offered-no", None)
    assert 'name="mediation_by"' in yes and 'name="mediation_outcome"' in yes and "mediation_not_offered_reason" not in yes
    assert 'name="mediation_not_offered_reason"' in no and "mediation_by" not in no
    assert "(optional)" not in yes  # asked because of the answer: needed, not optional


def test_an_error_on_a_revealed_question_is_in_the_error_summary_and_shown_under_its_answer():
    fields, html = rendered("mediation", {"mediation_offered": "true"}, {"mediation_by": "Select who offered the mediation"})
    assert error_summary(fields, []) == [{"text": "Select who offered the mediation", "href": "#f-mediation_by"}]
    assert "Select who offered the mediation" in conditional_of(html, "f-mediation_offered-yes", "f-mediation_offered-no")
    assert re.search(r'id="f-mediation_offered-yes"[^>]*checked', html)  # its answer chosen, so it shows


def test_a_condition_on_several_answers_leaves_its_question_where_it_is():
    fields, _ = rendered("capacity_and_advocacy", {}, {})
    assert "advocate_arranged" in [f.name for f in fields]  # asked if either adult may lack capacity
