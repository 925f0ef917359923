"""Seeds cited as people name them (issue 21 §4): a title, and for the escalation pathway its phase and
step; never a file name. Each passage the pages link to is the seed's own words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.pathway import current_pathway
from domain.seed_sentences import SEED_FILES
from domain.sources import SOURCES, passage, plain_citations, source_words, step_passages

pytestmark = pytest.mark.unit
# the seed files sit beside the repository here, as test_pages.py finds them; a machine without them skips
SEEDS = next((Path(d) for d in ("/work/shared/seeds", "../shared/seeds") if Path(d, SEED_FILES["001"]).exists()), None)
FILE_NAME = re.compile(r"\d{3}_[0-9a-f]{8,}")


def test_a_pathway_step_is_cited_by_phase_and_step():
    assert [p.words for p in step_passages("001 example 1 step 2: within thirty minutes")] == [
        "Escalation pathway, phase 1, step 2"]
    assert [p.words for p in step_passages("001 example 3 step 1: within twenty-four hours")] == [
        "Escalation pathway, phase 3, step 1"]
    assert step_passages("000 procedure 3 (line 48): mutual harm")[0].words == "Provider's safeguarding policy, procedure 3"


def test_every_step_s_passages_are_the_seed_s_own_words_with_no_file_name_and_no_placeholder():
    if SEEDS is None:
        pytest.skip("the seed files are not on this machine")
    for step in current_pathway().steps:
        for p in step_passages(step.seed):
            assert not FILE_NAME.search(p.words) and "{{" not in p.text
            seed_text = (SEEDS / SEED_FILES[p.code]).read_text(encoding="utf-8").splitlines()[p.line - 1]
            # word for word (a pathway step without its "Step 1:" label), the provider's name placeholder filled in
            assert p.text in re.sub(r"\{\{org_field_[a-z_]+\}\}", "", seed_text.replace("{{org_field_name}}", "the provider")), \
                (step.id, p.code, p.line)


def test_an_indicator_s_source_and_a_recorded_rationale_name_the_document_not_its_file():
    assert source_words("002_bdbd6ad1bcc6475b.txt", 318) == "Sussex threshold tool"
    assert source_words("Seed: 003_def55763f42ffa8d.txt") == "Guernsey threshold tool"
    said = plain_citations('matched "x" [002_bdbd6ad1bcc6475b.txt line 318]; (consultation, 001_83683b439f7bdd5b.txt line 13)')
    assert said == 'matched "x" [Sussex threshold tool]; (consultation, Escalation pathway, phase 1, step 3)'
    assert passage("001", 2) is None  # a line Safeguard does not cite is not offered
    assert set(SOURCES) == {"000", "001", "002", "003", "004"}
