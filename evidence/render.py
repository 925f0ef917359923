"""An evidence pack written out: CASE.json (the model as is), CASE.html (a Jinja2 template,
every value escaped) and CASE.pdf (WeasyPrint, from the same HTML: A4 landscape, a header naming
the case and the "as at", page n of m in the footer, table headers repeated and rows never split)."""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape

from domain.pathway import current_pathway
from evidence.files import private_dir, write_private
from evidence.pack import EvidencePack
from projections.amendment_words import changes_line, decision_words, review_line
from projections.chronology_words import worded
from projections.engine_words import (
    STEP_RESULT_WORDS,
    calendar_words,
    category_words,
    day_words,
    escalation_cause,
    indicator_words,
    level_words,
    pathway_words,
    plain,
    profile_words,
    record_words,
    role_words,
    shifts_words,
    step_source,
    step_title,
    when,
    who,
)
from projections.wording import escalation_ended

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Evidence pack: case {{ p.case_id }}</title>
<style>
@page { size: A4 landscape; margin: 18mm 14mm 15mm 14mm; font-family: "DejaVu Sans", sans-serif;
  @top-left { content: "Case {{ p.case_id|css }} \\2014  evidence pack as at {{ as_at|css }}"; font-size: 8pt; color: #444; }
  @top-right { content: "Safeguard"; font-size: 8pt; color: #444; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; }
  @bottom-left { content: "Generated {{ t(p.generated_at)|css }} by {{ p.generated_by|css }}"; font-size: 8pt; color: #444; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; line-height: 1.3; }
h1 { font-size: 15pt; margin: 0 0 4pt; } h2 { font-size: 11.5pt; margin: 14pt 0 4pt; break-after: avoid; }
/* Landscape and 8pt cells. Words wrap only between words (a role or a time broken mid-word reads
   as another word); only the long hashes in .mono may break anywhere. Rows shaded in turn rather
   than every cell bordered: collapsed borders are drawn edge by edge, a fifth of the PDF's drawing
   for a long case. */
table { width: 100%; border-collapse: collapse; margin-bottom: 6pt; table-layout: fixed;
  border-top: 0.5pt solid #999; border-bottom: 0.5pt solid #999; }
thead { display: table-header-group; } tr { break-inside: avoid; }
th, td { font-size: 8pt; padding: 2pt 3pt; text-align: left; vertical-align: top; hyphens: manual; overflow-wrap: normal; word-break: normal; }
th { background: #e6e6e6; } tr:nth-child(even) td { background: #f3f3f3; } .kv th { width: 28%; } .missed { font-weight: bold; }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; overflow-wrap: anywhere; word-break: break-all; }
.intact { color: #060; font-weight: bold; } .broken { color: #a00; font-weight: bold; } .from { color: #444; }
</style></head><body>
<h1>Evidence pack: case {{ p.case_id }}</h1>
<p>Times are in UK time. Recorded words are shown in full, with the system's own names for steps, roles and choices put in words; the JSON file with this pack holds every value exactly as recorded.</p>
<table class="kv">
<tr><th>As at</th><td>{{ as_at }}</td></tr>
<tr><th>Status</th><td>{{ p.status|capitalize }}{% if p.closure.outcome %} ({{ plain(p.closure.outcome) }}{% for a, r in reviews("closure") if r.outcome == "changed" %}; changed on review to {{ plain(r.changes[0].new or "") }}{% endfor %}){% endif %}</td></tr>
<tr><th>Pathway</th><td>{{ pathway }}</td></tr>
<tr><th>Threshold tool</th><td>{{ profile(p.threshold_profile) }}</td></tr>
<tr><th>Generated</th><td>{{ t(p.generated_at) }} by {{ p.generated_by }}</td></tr>
</table>

<h2>Verification</h2>
<table class="kv">
<tr><th>Result</th><td>{% if p.verification.intact %}<span class="intact">Intact</span>: every event matches its hash chain and the checkpointed heads{% else %}<span class="broken">Not intact</span>: the record has been changed since it was written{% endif %}</td></tr>
<tr><th>Verified</th><td>{{ t(p.verification.verified_at) }}</td></tr>
<tr><th>Events</th><td>{{ p.verification.events_in_pack }} in this pack, {{ p.verification.events_in_store }} in the store</td></tr>
<tr><th>Chain head</th><td class="mono">{{ p.verification.chain_head }}</td></tr>
<tr><th>Hash of the last event included</th><td class="mono">{{ p.verification.last_included_hash }}</td></tr>
<tr><th>Checkpoint</th><td>{% if p.verification.checkpoint %}Number {{ p.verification.checkpoint.seq }}, taken {{ t(p.verification.checkpoint.taken_at) }} <span class="mono">{{ p.verification.checkpoint.hash }}</span>{% else %}none yet{% endif %}</td></tr>
{% for b in p.verification.breaks %}<tr><th>Break</th><td class="broken">{{ plain(b) }}</td></tr>{% endfor %}
</table>

<h2>The concern as raised</h2>
<table class="kv">
<tr><th>Raised</th><td>{{ t(p.concern.raised_at) }}{% if p.concern.raised_by %} by {{ who(p.concern.raised_by.actor, p.concern.raised_by.role) }}{% endif %}</td></tr>
<tr><th>Identified</th><td>{{ t(p.concern.identified_at) }}</td></tr>
<tr><th>Service</th><td>{{ p.concern.service.name }} ({{ p.concern.service.id }}), {{ p.concern.service.provider }}</td></tr>
<tr><th>Adult at risk</th><td>{{ p.concern.adult_at_risk }}</td></tr>
<tr><th>Alleged source of harm</th><td>{{ plain(p.concern.alleged_source) }}</td></tr>
<tr><th>What happened</th><td>{{ p.concern.summary }}</td></tr>
{% if p.concern.late_report_reason %}<tr><th>Why it was reported late</th><td>{{ p.concern.late_report_reason }}</td></tr>{% endif %}
</table>

<h2>Steps and deadlines</h2>
<table><colgroup><col style="width:22%"><col style="width:12%"><col style="width:11%"><col style="width:16%"><col style="width:11%"><col style="width:14%"><col style="width:14%"></colgroup><thead><tr><th>Step</th><th>Who it was for</th><th>Opened</th><th>Due</th><th>Done</th><th>Done by</th><th>Deadline</th></tr></thead><tbody>
{% for s in p.steps %}<tr><td>{{ s.title }}{% if s.occurrence > 1 %} (time {{ s.occurrence }}){% endif %}{% set cited = source(s.step) %}{% if cited %}<br><span class="from">{{ cited }}</span>{% endif %}</td><td>{{ role(s.role) }}</td><td>{{ t(s.opened_at) }}</td>
<td>{% if s.due %}{{ t(s.due) }} ({{ s.deadline }}){% else %}{{ s.deadline }}{% endif %}</td><td>{% if s.completed_at %}{{ t(s.completed_at) }}{% elif s.withdrawn_at %}no longer needed from {{ t(s.withdrawn_at) }}{% endif %}</td>
<td>{% if s.completed_by %}{{ who(s.completed_by.actor, s.completed_by.role) }}{% endif %}</td>
<td class="{{ 'missed' if s.result in ('missed', 'completed late') }}">{% if s.result == 'missed' and s.missed_at %}missed at {{ t(s.missed_at) }}{% else %}{{ results[s.result] }}{% if s.missed_at %}; its deadline was missed at {{ t(s.missed_at) }}{% endif %}{% endif %}</td></tr>
{% endfor %}</tbody></table>

<h2>Escalations</h2>
{% if p.escalations %}<table><colgroup><col style="width:7%"><col style="width:12%"><col style="width:15%"><col style="width:21%"><col style="width:12%"><col style="width:12%"><col style="width:21%"></colgroup><thead><tr><th>Number</th><th>When</th><th>Step</th><th>Why</th><th>From</th><th>To</th><th>Acknowledged</th></tr></thead><tbody>
{% for e in p.escalations %}<tr><td>{{ e.escalation_id }}</td><td>{{ t(e.at) }}</td><td>{{ title(e.step) }}</td><td>{{ cause(e.cause, e.reason) }}</td>
<td>{{ role(e.from_role) }}</td><td>{{ role(e.to_role) }}</td><td>{% if e.acknowledged_at %}{{ t(e.acknowledged_at) }} by {{ who(e.acknowledged_by.actor, e.acknowledged_by.role) }}{% if e.note %}: {{ e.note }}{% endif %}{% elif e.ended_at %}{{ ended(title(e.step), "done" if e.ended_by == "step done late" else "withdrawn", t(e.ended_at)) }}{% elif e.cause != "trigger" %}Open: it ends when its step is done{% else %}Not acknowledged{% endif %}</td></tr>
{% endfor %}</tbody></table>{% else %}<p>None.</p>{% endif %}

<h2>Threshold decision</h2>
{% for d in p.threshold_decisions %}<table class="kv">
<tr><th>Decided</th><td>{{ t(d.at) }}</td></tr>
<tr><th>Level</th><td>{{ level(d.level, d.rag)|capitalize }}{% if d.urgent_escalation %}, with urgent escalation{% endif %}</td></tr>
<tr><th>Category</th><td>{{ category(d.category, d.profile) }}</td></tr>
<tr><th>Indicators matched</th><td>{% for m in d.matched %}{{ indicator(m) }}{% if not loop.last %}<br>{% endif %}{% else %}none{% endfor %}</td></tr>
<tr><th>Why</th><td>{{ plain(d.rationale) }}</td></tr>
<tr><th>Threshold tool</th><td>{{ profile(d.profile, d.profile_version) }}; fingerprint of its data <span class="mono">{{ d.profile_digest }}</span></td></tr>
</table>{% else %}<p>No threshold decision recorded.</p>{% endfor %}
{% for o in p.overrides %}<table class="kv"><tr><th>Level changed</th><td>{{ t(o.at) }} by {{ who(o.actor, o.role) }}: the tool said {{ level(o.tool_level) }}; reason: {{ plain(o.reason) }}</td></tr></table>{% endfor %}
{% for a, r in reviews("threshold_level") %}<table class="kv"><tr><th>Reviewed after a correction</th><td>{{ t(r.at) }} by {{ who(r.actor, r.role) }}, after amendment {{ a.amendment }}: {{ review_line(r.outcome, r.changes, a.step) }}; reason: {{ r.reason }}</td></tr></table>{% endfor %}

{% for heading, rows in [("Route decision", p.route_decisions), ("Referral", p.referrals), ("Follow-up reviews", p.follow_up_reviews)] %}
<h2>{{ heading }}</h2>
{% if rows %}<table><colgroup><col style="width:15%"><col style="width:20%"><col style="width:10%"><col style="width:55%"></colgroup><thead><tr><th>When</th><th>By</th><th>Deadline</th><th>What was recorded</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ t(r.at) }}</td><td>{{ who(r.actor, r.role) }}</td><td>{{ {True: 'met', False: 'missed', None: 'no deadline'}[r.on_time] }}</td><td>{{ record(r.record, r.step) }}{% if r.amended_by %}<br><span class="from">Corrected later: {{ numbered(r.amended_by) }} (see Corrections)</span>{% endif %}</td></tr>{% endfor %}
</tbody></table>{% else %}<p>None recorded.</p>{% endif %}
{% endfor %}

<h2>Developments</h2>
{% if p.developments %}<table><colgroup><col style="width:7%"><col style="width:14%"><col style="width:14%"><col style="width:45%"><col style="width:20%"></colgroup><thead><tr><th>Number</th><th>When</th><th>Kind</th><th>Summary</th><th>By</th></tr></thead><tbody>
{% for d in p.developments %}<tr><td>{{ d.development }}</td><td>{{ t(d.at) }}</td><td>{{ plain(d.kind)|capitalize }}</td><td>{{ d.summary }}</td><td>{{ who(d.actor, d.role) }}</td></tr>{% endfor %}
</tbody></table>{% else %}<p>None.</p>{% endif %}

<h2>Corrections</h2>
<p>A correction is added to a record: the record as first made stays in this pack as it was, and the correction says who made it, when and why.</p>
{% if p.amendments %}<table><colgroup><col style="width:7%"><col style="width:11%"><col style="width:15%"><col style="width:13%"><col style="width:20%"><col style="width:14%"><col style="width:20%"></colgroup><thead><tr><th>Number</th><th>When</th><th>Record corrected</th><th>By</th><th>What changed</th><th>Why</th><th>Decisions made on it</th></tr></thead><tbody>
{% for a in p.amendments %}<tr><td>{{ a.amendment }}</td><td>{{ t(a.at) }}</td><td>{{ a.title }}{% if a.occurrence > 1 %} (time {{ a.occurrence }}){% endif %}{% if a.corrects %}<br><span class="from">entry {{ a.corrects }} of the chronology</span>{% endif %}</td><td>{{ who(a.actor, a.role) }}</td>
<td>{% for line in changes(a.changes, a.step) %}{{ line }}{% if not loop.last %}<br>{% endif %}{% endfor %}</td><td>{{ a.reason }}</td>
<td>{% if a.decisions %}{{ decisions(a.decisions)|capitalize }}{% if a.review_opened %}: a review opened for the {{ role(a.review_opened.role) }}{% if a.review_opened.due %}, due {{ t(a.review_opened.due) }}{% endif %}{% endif %}{% for r in a.reviews %}<br>Reviewed {{ t(r.at) }} by {{ who(r.actor, r.role) }}: {{ review_line(r.outcome, r.changes, a.step) }}; reason: {{ r.reason }}{% endfor %}{% else %}none{% endif %}</td></tr>
{% endfor %}</tbody></table>{% else %}<p>None.</p>{% endif %}

<h2>Outcome and closure</h2>
<table class="kv">
<tr><th>Concluded</th><td>{% if p.closure.concluded_at %}{{ t(p.closure.concluded_at) }} by {{ who(p.closure.concluded_by.actor, p.closure.concluded_by.role) }}: {{ plain(p.closure.conclusion_reason or '') }}{% else %}not concluded{% endif %}</td></tr>
<tr><th>Closed</th><td>{% if p.closure.closed_at %}{{ t(p.closure.closed_at) }} by {{ who(p.closure.closed_by.actor, p.closure.closed_by.role) }}, outcome: {{ plain(p.closure.outcome or '') }}{% else %}open{% endif %}</td></tr>
<tr><th>Closure review</th><td>{% if p.closure.closure_review %}{{ t(p.closure.closure_review.at) }}: {{ record(p.closure.closure_review.record, p.closure.closure_review.step) }}{% if p.closure.closure_review.amended_by %}<br><span class="from">Corrected later: {{ numbered(p.closure.closure_review.amended_by) }} (see Corrections)</span>{% endif %}{% else %}none{% endif %}</td></tr>
{% for a, r in reviews("closure") %}<tr><th>Outcome reviewed after a correction</th><td>{{ t(r.at) }} by {{ who(r.actor, r.role) }}, after amendment {{ a.amendment }}: {{ review_line(r.outcome, r.changes, a.step) }}; reason: {{ r.reason }}</td></tr>{% endfor %}
</table>

<h2>Pathway and working calendar</h2>
<table class="kv">
<tr><th>Pathway</th><td>{{ pathway }}</td></tr>
<tr><th>Working time</th><td>{{ calendar(p.calendar.working_calendar) }}{% set shift_starts = shifts(p.calendar.working_calendar) %}{% if shift_starts %}. {{ shift_starts }}{% endif %}</td></tr>
<tr><th>Bank holidays counted</th><td>{% for d in p.calendar.holidays %}{{ day(d) }}{% if not loop.last %}, {% endif %}{% else %}not recorded{% endfor %}</td></tr>
</table>

<h2>Chronology</h2>
<table><colgroup><col style="width:7%"><col style="width:13%"><col style="width:26%"><col style="width:15%"><col style="width:39%"></colgroup><thead><tr><th>Number</th><th>When</th><th>What happened</th><th>Deadline</th><th>Details</th></tr></thead><tbody>
{% for e in chronology %}<tr><td>{{ e.seq }}</td><td>{{ t(e.at) }}</td><td>{{ e.headline }}</td><td>{% if e.deadline %}{{ t(e.deadline) }}{% if e.deadline_met %}, met{% elif e.deadline_met is false %}, <strong>missed</strong>{% endif %}{% endif %}</td><td>{% for label, text in e.said %}{{ label }}: {{ text }}{% if not loop.last %}<br>{% endif %}{% endfor %}</td></tr>
{% endfor %}</tbody></table>
</body></html>
"""

# Left out of a record's words: what has its own section, and the envelope (how it was sent; whether
# the deadline was met is the Deadline column).
_LEFT_OUT = {"calendar", "holidays", "history", "decision", "concern", "on_time", "channel", "os_user", "request_id"}


def _record(value: dict[str, Any], step: str | None = None) -> str:
    """A step's record as one readable line, each field by its label as the step's page names it and
    choices as the pages word them (the JSON holds it as recorded)."""
    return "; ".join(f"{label}: {text}" for label, text in record_words(value, leave_out=_LEFT_OUT, step=step))


def _chronology(pack: EvidencePack) -> list[dict[str, Any]]:
    """Each entry as the chronology page words it: what happened as a sentence, and what it recorded
    (its due time and whether it was met are the Deadline column; the engine's ids and versions stay in the JSON)."""
    entries = worded([e.model_dump(mode="json") for e in pack.chronology], current_pathway(), when)
    return [{**e, "said": [(label, plain(text)) for label, text in e["said"] if label not in ("Due", "On time")]} for e in entries]


def _css(value: Any) -> str:
    """Text inside a CSS string in the page header: quotes and backslashes escaped."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _numbered(amendments: list[int]) -> str:
    """'amendment 2', 'amendments 1 and 3'."""
    if len(amendments) == 1:
        return f"amendment {amendments[0]}"
    return f"amendments {', '.join(map(str, amendments[:-1]))} and {amendments[-1]}"


_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_ENV.filters["css"] = _css
_WORDS = {"t": when, "day": day_words, "role": role_words, "who": who, "plain": plain, "record": _record,
          "title": step_title, "source": step_source, "cause": escalation_cause, "level": level_words,
          "category": category_words,
          "indicator": indicator_words, "profile": profile_words, "calendar": calendar_words, "shifts": shifts_words,
          "results": STEP_RESULT_WORDS, "ended": escalation_ended, "changes": changes_line, "review_line": review_line,
          "decisions": lambda names: ", ".join(decision_words(d) for d in names), "numbered": _numbered}



def html(pack: EvidencePack) -> str:
    """The pack as people read it: UK times, roles, steps, seeds and indicators in words."""
    as_at = when(pack.as_at) if pack.as_at else f"{when(pack.generated_at)} (every event recorded)"
    def reviews(decision: str) -> list[tuple[Any, Any]]:  # a decision's reviews after corrections, with their amendment
        return [(a, r) for a in pack.amendments for r in a.reviews if r.decision == decision]
    return _ENV.from_string(_TEMPLATE).render(
        p=pack, as_at=as_at, pathway=pathway_words(current_pathway().source, pack.pathway_version),
        chronology=_chronology(pack), reviews=reviews, **_WORDS)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """WeasyPrint makes hundreds of thousands of objects for a long case's tables, and the cyclic
    collector's passes over them (and over the rest of the process) took a third of the time. It
    runs again once the PDF is written, unless the caller had paused it already."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def pdf(page: str) -> bytes:
    """The pack's HTML as a PDF."""
    from weasyprint import HTML  # heavy: loaded only to write a pack

    with _collector_paused():
        return HTML(string=page).write_pdf()


def write_pack(pack: EvidencePack, out: Path) -> dict[str, str]:
    """DIR/CASE.json, .html and .pdf, owner-only; returns each file's name and SHA-256."""
    private_dir(out)
    page = html(pack)
    files = {
        f"{pack.case_id}.json": json.dumps(pack.model_dump(mode="json"), indent=1, ensure_ascii=False).encode(),
        f"{pack.case_id}.html": page.encode(),
        f"{pack.case_id}.pdf": pdf(page),
    }
    for name, content in files.items():
        write_private(out / name, content)
    return {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
