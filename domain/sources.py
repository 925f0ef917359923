"""The documents Safeguard's rules come from, as people name them: a seed cited by its title, and for
the escalation pathway by phase and step ("Escalation pathway, phase 1, step 2"), never by its file
name. The pages link each citation to a page that shows the passage (web/pages/sources.py); the
engine's own citation strings (`Step.seed`, an indicator's source) stay as they are, for the record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.seed_sentences import LINES, SEED_FILES, SENTENCES, cited_lines, seed_sentence


@dataclass(frozen=True)
class Source:
    code: str  # the seed's number: "001"
    title: str  # as a person names it
    about: str  # one sentence: what the document is


SOURCES = {
    "000": Source("000", "Provider's safeguarding policy",
                  "A care provider's policy on safeguarding people who use its service from the harmful actions "
                  "and behaviour of peers and social contacts."),
    "001": Source("001", "Escalation pathway",
                  "How to escalate a safeguarding concern when peer-to-peer harm, bullying or targeting may be "
                  "occurring in adult social care: three phases of five steps."),
    "002": Source("002", "Sussex threshold tool",
                  "The Sussex safeguarding adults thresholds guidance: what to do at each level of concern."),
    "003": Source("003", "Guernsey threshold tool",
                  "The Guernsey safeguarding adults threshold tool: what to do at each level of concern."),
    "004": Source("004", "Commissioners' guidance",
                  "Guidance on safeguarding in commissioned services: the records commissioners keep and their "
                  "process with a provider."),
}

_PHASE_STEP = re.compile(r"^00\d example (\d) step (\d)$")
_SECTION = re.compile(r"^000 ((?:procedure|Policy Statement|General Approach) \d+)")
_FILE = re.compile(r"(\d{3})_[0-9a-f]{8,}\.txt")


@dataclass(frozen=True)
class Passage:
    code: str
    line: int
    words: str  # "Escalation pathway, phase 1, step 2"
    text: str  # the passage as the document has it (placeholders for the provider's name filled in)


def code_of(seed: str) -> str | None:
    """A seed's number from how the engine names it: "001", "002_bdbd6ad1bcc6475b.txt", "Seed: 002_...txt"."""
    m = _FILE.search(seed) or re.search(r"\b(00\d)\b", seed)
    return m.group(1) if m and m.group(1) in SOURCES else None


def passage_words(code: str, line: int | None = None, citation: str = "") -> str:
    """How a person names the passage: the title, and where the document numbers it, its place."""
    title = SOURCES[code].title
    if code == "001" and line is not None:
        for key, (at, _) in SENTENCES.items():
            m = _PHASE_STEP.match(key)
            if at == line and m:
                return f"{title}, phase {m.group(1)}, step {m.group(2)}"
    m = _SECTION.match(citation.strip()) if code == "000" else None
    return f"{title}, {m.group(1).lower()}" if m else title


def passage(code: str, line: int) -> Passage | None:
    """The passage at a line Safeguard cites (None: not one it cites)."""
    text = LINES.get(code, {}).get(line)
    if text is None and code == "001":
        text = next((t for at, t in SENTENCES.values() if at == line), None)
    if text is None:
        return None
    text = re.sub(r"\{\{org_field_name\}\}", "the provider", text)
    text = re.sub(r"\{\{org_field_[a-z_]+\}\}", "", text).strip()
    return Passage(code, line, passage_words(code, line), text)


def step_passages(citation: str) -> list[Passage]:
    """Every passage a step's citation names, in order: its pathway sentence first."""
    found: list[tuple[str, int]] = []
    sentence = seed_sentence(citation)
    if sentence:
        found.append(("001", sentence[0]))
    found += [(c, n) for c, n in cited_lines(citation) if (c, n) not in found]
    out = []
    for code, line in found:
        p = passage(code, line)
        if p is not None:
            section = next((part for part in citation.split(";") if part.strip().startswith(code)), "")
            out.append(Passage(p.code, p.line, passage_words(code, line, section), p.text))
    return out


def source_words(seed: str, line: int | None = None) -> str:
    """An indicator's or a step's source named for a person: "Sussex threshold tool"."""
    code = code_of(seed)
    return passage_words(code, line) if code else "Safeguard's configuration"


assert set(SEED_FILES) <= set(SOURCES)


_CITED = re.compile(r"(?:Seed:\s*)?(\d{3})_[0-9a-f]{8,}\.txt(?:,? line (\d+))?")


def plain_citations(text: str) -> str:
    """Recorded words (a threshold decision's rationale) with each seed file citation named as a person
    names the document: "[002_bdbd….txt line 318]" becomes "[Sussex threshold tool]"."""
    def named(m: re.Match[str]) -> str:
        code = m.group(1)
        return passage_words(code, int(m.group(2)) if m.group(2) else None) if code in SOURCES else m.group(0)
    return _CITED.sub(named, text)
