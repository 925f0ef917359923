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

from evidence.files import private_dir, write_private
from evidence.pack import EvidencePack
from projections.wording import escalation_ended, shown

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Evidence pack: case {{ p.case_id }}</title>
<style>
@page { size: A4 landscape; margin: 18mm 14mm 15mm 14mm; font-family: "DejaVu Sans", sans-serif;
  @top-left { content: "Case {{ p.case_id|css }} \\2014  evidence pack as at {{ as_at|css }}"; font-size: 8pt; color: #444; }
  @top-right { content: "Safeguard"; font-size: 8pt; color: #444; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; }
  @bottom-left { content: "Generated {{ p.generated_at.isoformat()|css }} by {{ p.generated_by|css }}"; font-size: 8pt; color: #444; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; line-height: 1.3; }
h1 { font-size: 15pt; margin: 0 0 4pt; } h2 { font-size: 11.5pt; margin: 14pt 0 4pt; break-after: avoid; }
/* Landscape and 8pt cells: instants and ids fit their columns (a word broken mid-way costs WeasyPrint
   extra passes). Rows shaded in turn rather than every cell bordered: collapsed borders are drawn
   edge by edge, a fifth of the PDF's drawing for a long case. */
table { width: 100%; border-collapse: collapse; margin-bottom: 6pt; table-layout: fixed;
  border-top: 0.5pt solid #999; border-bottom: 0.5pt solid #999; }
thead { display: table-header-group; } tr { break-inside: avoid; }
th, td { font-size: 8pt; padding: 2pt 3pt; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: #e6e6e6; } tr:nth-child(even) td { background: #f3f3f3; } .kv th { width: 28%; } .missed { font-weight: bold; } .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; }
.intact { color: #060; font-weight: bold; } .broken { color: #a00; font-weight: bold; }
</style></head><body>
<h1>Evidence pack: case {{ p.case_id }}</h1>
<table class="kv">
<tr><th>As at</th><td>{{ as_at }}</td></tr>
<tr><th>Status</th><td>{{ p.status }}{% if p.closure.outcome %} ({{ p.closure.outcome }}){% endif %}</td></tr>
<tr><th>Pathway</th><td>{{ p.pathway }} version {{ p.pathway_version }}</td></tr>
<tr><th>Threshold profile</th><td>{{ p.threshold_profile }}</td></tr>
<tr><th>Generated</th><td>{{ p.generated_at.isoformat() }} by {{ p.generated_by }}</td></tr>
</table>

<h2>Verification</h2>
<table class="kv">
<tr><th>Result</th><td>{% if p.verification.intact %}<span class="intact">intact</span>: every event matches its hash chain and the checkpointed heads{% else %}<span class="broken">NOT INTACT</span>{% endif %}</td></tr>
<tr><th>Verified at</th><td>{{ p.verification.verified_at.isoformat() }}</td></tr>
<tr><th>Events</th><td>{{ p.verification.events_in_pack }} in this pack, {{ p.verification.events_in_store }} in the store</td></tr>
<tr><th>Chain head</th><td class="mono">{{ p.verification.chain_head }}</td></tr>
<tr><th>Hash of the last event included</th><td class="mono">{{ p.verification.last_included_hash }}</td></tr>
<tr><th>Checkpoint</th><td>{% if p.verification.checkpoint %}{{ p.verification.checkpoint.seq }} taken {{ p.verification.checkpoint.taken_at }} <span class="mono">{{ p.verification.checkpoint.hash }}</span>{% else %}none yet{% endif %}</td></tr>
{% for b in p.verification.breaks %}<tr><th>Break</th><td class="broken">{{ b }}</td></tr>{% endfor %}
</table>

<h2>The concern as raised</h2>
<table class="kv">
<tr><th>Raised</th><td>{{ p.concern.raised_at.isoformat() }}{% if p.concern.raised_by %} by {{ p.concern.raised_by.actor }} ({{ p.concern.raised_by.role }}){% endif %}</td></tr>
<tr><th>Identified</th><td>{{ p.concern.identified_at.isoformat() }}</td></tr>
<tr><th>Service</th><td>{{ p.concern.service.name }} ({{ p.concern.service.id }}), {{ p.concern.service.provider }}</td></tr>
<tr><th>Adult at risk</th><td>{{ p.concern.adult_at_risk }}</td></tr>
<tr><th>Alleged source</th><td>{{ p.concern.alleged_source }}</td></tr>
<tr><th>Summary</th><td>{{ p.concern.summary }}</td></tr>
{% if p.concern.late_report_reason %}<tr><th>Why reported late</th><td>{{ p.concern.late_report_reason }}</td></tr>{% endif %}
</table>

<h2>Steps and deadlines</h2>
<table><colgroup><col style="width:12%"><col style="width:18%"><col style="width:14%"><col style="width:16%"><col style="width:14%"><col style="width:16%"><col style="width:10%"></colgroup><thead><tr><th>Step</th><th>Role</th><th>Opened</th><th>Due (rule)</th><th>Completed</th><th>By</th><th>Deadline</th></tr></thead><tbody>
{% for s in p.steps %}<tr><td>{{ s.title }}{% if s.occurrence > 1 %} #{{ s.occurrence }}{% endif %}</td><td>{{ s.role }}</td><td>{{ t(s.opened_at) }}</td>
<td>{{ t(s.due) }} ({{ s.deadline }})</td><td>{{ t(s.completed_at) or t(s.withdrawn_at) }}</td>
<td>{% if s.completed_by %}{{ s.completed_by.actor }} ({{ s.completed_by.role }}){% endif %}</td>
<td class="{{ 'missed' if s.result in ('missed', 'completed late') }}">{{ s.result }}{% if s.missed_at %}, missed {{ t(s.missed_at) }}{% endif %}</td></tr>
{% endfor %}</tbody></table>

<h2>Escalations</h2>
{% if p.escalations %}<table><colgroup><col style="width:4%"><col style="width:14%"><col style="width:16%"><col style="width:24%"><col style="width:14%"><col style="width:14%"><col style="width:14%"></colgroup><thead><tr><th>Id</th><th>At</th><th>Step</th><th>Cause</th><th>From</th><th>To</th><th>Acknowledged</th></tr></thead><tbody>
{% for e in p.escalations %}<tr><td>{{ e.escalation_id }}</td><td>{{ t(e.at) }}</td><td>{{ e.step }}</td><td>{{ e.cause }}: {{ e.reason }}</td>
<td>{{ e.from_role }}</td><td>{{ e.to_role }}</td><td>{% if e.acknowledged_at %}{{ t(e.acknowledged_at) }} by {{ e.acknowledged_by.actor }} ({{ e.acknowledged_by.role }}){% if e.note %}: {{ e.note }}{% endif %}{% elif e.ended_at %}{{ ended(e.step, "done" if e.ended_by == "step done late" else "withdrawn", t(e.ended_at)) }}{% elif e.cause != "trigger" %}open: it ends when its step is done{% else %}not acknowledged{% endif %}</td></tr>
{% endfor %}</tbody></table>{% else %}<p>None.</p>{% endif %}

<h2>Threshold decision</h2>
{% for d in p.threshold_decisions %}<table class="kv">
<tr><th>Decided</th><td>{{ t(d.at) }}</td></tr>
<tr><th>Level</th><td>{{ d.level }} ({{ d.rag }}){% if d.urgent_escalation %}, urgent escalation{% endif %}</td></tr>
<tr><th>Category</th><td>{{ d.category }}</td></tr>
<tr><th>Matched indicators</th><td>{% for m in d.matched %}{{ brief(m) }}{% if not loop.last %}<br>{% endif %}{% else %}none{% endfor %}</td></tr>
<tr><th>Rationale</th><td>{{ d.rationale }}</td></tr>
<tr><th>Profile</th><td>{{ d.profile }} version {{ d.profile_version }}, digest <span class="mono">{{ d.profile_digest }}</span></td></tr>
</table>{% else %}<p>No threshold decision recorded.</p>{% endfor %}
{% for o in p.overrides %}<table class="kv"><tr><th>Override</th><td>{{ t(o.at) }} by {{ o.actor }} ({{ o.role }}): tool said {{ o.tool_level }}; reason: {{ o.reason }}</td></tr></table>{% endfor %}

{% for title, rows in [("Route decision", p.route_decisions), ("Referral", p.referrals), ("Follow-up reviews", p.follow_up_reviews)] %}
<h2>{{ title }}</h2>
{% if rows %}<table><colgroup><col style="width:15%"><col style="width:20%"><col style="width:10%"><col style="width:55%"></colgroup><thead><tr><th>At</th><th>By</th><th>Deadline</th><th>Record</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ t(r.at) }}</td><td>{{ r.actor }} ({{ r.role }})</td><td>{{ {True: 'met', False: 'missed', None: 'no deadline'}[r.on_time] }}</td><td>{{ brief(r.record) }}</td></tr>{% endfor %}
</tbody></table>{% else %}<p>None recorded.</p>{% endif %}
{% endfor %}

<h2>Developments</h2>
{% if p.developments %}<table><colgroup><col style="width:4%"><col style="width:14%"><col style="width:14%"><col style="width:48%"><col style="width:20%"></colgroup><thead><tr><th>#</th><th>At</th><th>Kind</th><th>Summary</th><th>By</th></tr></thead><tbody>
{% for d in p.developments %}<tr><td>{{ d.development }}</td><td>{{ t(d.at) }}</td><td>{{ d.kind }}</td><td>{{ d.summary }}</td><td>{{ d.actor or '' }}{% if d.role %} ({{ d.role }}){% endif %}</td></tr>{% endfor %}
</tbody></table>{% else %}<p>None.</p>{% endif %}

<h2>Outcome and closure</h2>
<table class="kv">
<tr><th>Concluded</th><td>{% if p.closure.concluded_at %}{{ t(p.closure.concluded_at) }} by {{ p.closure.concluded_by.actor }} ({{ p.closure.concluded_by.role }}): {{ p.closure.conclusion_reason }}{% else %}not concluded{% endif %}</td></tr>
<tr><th>Closed</th><td>{% if p.closure.closed_at %}{{ t(p.closure.closed_at) }} by {{ p.closure.closed_by.actor }} ({{ p.closure.closed_by.role }}), outcome {{ p.closure.outcome }}{% else %}open{% endif %}</td></tr>
<tr><th>Closure review</th><td>{% if p.closure.closure_review %}{{ t(p.closure.closure_review.at) }}: {{ brief(p.closure.closure_review.record) }}{% else %}none{% endif %}</td></tr>
</table>

<h2>Pathway and calendar</h2>
<table class="kv">
<tr><th>Pathway</th><td>{{ p.pathway }} {{ p.pathway_version }}</td></tr>
<tr><th>Working calendar</th><td>{{ brief(p.calendar.working_calendar) }}</td></tr>
<tr><th>Bank holidays ({{ p.calendar.holiday_source or 'not recorded' }})</th><td>{% for d in p.calendar.holidays %}{{ d.isoformat() }}{% if not loop.last %}, {% endif %}{% endfor %}</td></tr>
</table>

<h2>Chronology</h2>
<table><colgroup><col style="width:4%"><col style="width:14%"><col style="width:22%"><col style="width:18%"><col style="width:14%"><col style="width:28%"></colgroup><thead><tr><th>#</th><th>At</th><th>Event: step</th><th>Who</th><th>Deadline</th><th>Details</th></tr></thead><tbody>
{% for e in p.chronology %}<tr><td>{{ e.seq }}</td><td>{{ t(e.at) }}</td><td>{{ e.type }}{% if e.step %}: {{ e.step }}{% if e.occurrence and e.occurrence > 1 %} #{{ e.occurrence }}{% endif %}{% endif %}</td><td>{{ e.actor or '' }}{% if e.role %} ({{ e.role }}){% endif %}</td><td>{% if e.deadline %}{{ t(e.deadline) }} {{ {True: 'met', False: 'MISSED', None: 'pending'}[e.deadline_met] }}{% endif %}</td><td>{{ brief(e.details) }}</td></tr>
{% endfor %}</tbody></table>
</body></html>
"""

# Left out of a record's text: what has its own section, and the envelope (how it was sent; whether
# the deadline was met is the Deadline column).
_LEFT_OUT = {"calendar", "holidays", "history", "decision", "concern", "on_time", "channel", "os_user", "request_id"}


def _t(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z") if value is not None else ""


def _brief(value: Any) -> str:
    """A record or details as one readable line, as the pages show it, instants as recorded (the
    JSON holds everything as recorded)."""
    return shown(value, leave_out=_LEFT_OUT)


def _css(value: Any) -> str:
    """Text inside a CSS string in the page header: quotes and backslashes escaped."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_ENV.filters["css"] = _css


def html(pack: EvidencePack) -> str:
    as_at = pack.as_at.isoformat() if pack.as_at else f"{pack.generated_at.isoformat()} (all events)"
    return _ENV.from_string(_TEMPLATE).render(p=pack, as_at=as_at, t=_t, brief=_brief, ended=escalation_ended)


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
