"""`safeguard evidence verify`: every stream's events against its hash chain, the checkpoints
against their own chain, and every anchored head against the store (a case gone entirely is
found here: its checkpoint names it). An exported checkpoint, held outside Safeguard, can be
given too: the store's checkpoints must still hold it, and its heads are checked as anchors."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any
from uuid import UUID

from eventstore.application import SafeguardingRecords
from eventstore.events import case_stream
from evidence.store import (
    EvidenceError,
    Progress,
    checkpoints,
    checkpoint_breaks,
    count_events,
    fold_anchors,
    name_of,
    streams,
)
from evidence.streams import Anchor, check_stream
from projections.documents import Documents
from telemetry.instruments import EVIDENCE_VERIFICATION_FAILURES

PROGRESS_EVERY = 50_000


def counted(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@dataclass
class Finding:
    name: str  # "case C-1", "audit weekly 2027-01-17", "checkpoints"
    stream: str | None
    event: int | None
    kind: str
    detail: str

    def line(self) -> str:
        where = f" event #{self.event}" if self.event is not None and self.kind != "missing" else ""
        return f"{self.name}{where}: {self.kind}: {self.detail}"


@dataclass
class Verification:
    cases: int = 0
    other_streams: int = 0
    events: int = 0
    checkpoint: dict[str, Any] | None = None  # the latest: seq, taken_at, position, hash
    breaks: list[Finding] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.breaks

    def summary(self) -> str:
        anchor = (f"anchored by checkpoint {self.checkpoint['seq']} of {self.checkpoint['taken_at']} "
                  f"(hash {self.checkpoint['hash'][:16]})" if self.checkpoint else "no checkpoint yet (chains only)")
        state = "intact" if self.intact else counted(len(self.breaks), "break")
        return (f"{state}: {counted(self.cases, 'case')}, {counted(self.other_streams, 'other stream')}, "
                f"{counted(self.events, 'event')}; {anchor}")

    def as_json(self) -> dict[str, Any]:
        return {"intact": self.intact, "cases": self.cases, "other_streams": self.other_streams, "events": self.events,
                "checkpoint": self.checkpoint, "breaks": [asdict(b) for b in self.breaks]}


def verify(records: SafeguardingRecords, documents: Documents, case_id: str | None = None,
           exported: dict[str, Any] | None = None, progress: Progress | None = None) -> Verification:
    only = case_stream(case_id) if case_id is not None else None
    chain = checkpoints(documents)
    result = Verification()
    result.breaks += [Finding("checkpoints", None, None, "altered", w) for w in checkpoint_breaks(chain)]
    anchors = fold_anchors(chain, only)
    if exported is not None:
        _against_export(exported, chain, anchors, only, result)
    if chain:
        result.checkpoint = {k: chain[-1][k] for k in ("seq", "taken_at", "position", "hash")}
    total = count_events(records, only) if progress else 0
    seen: set[UUID] = set()
    for stream, rows in streams(records, only):
        seen.add(stream)
        checked = check_stream(stream, rows, anchors.by_stream.get(stream, []))
        if rows and rows[0][1].endswith("ConcernRaised"):
            result.cases += 1
        else:
            result.other_streams += 1
        if checked.breaks:
            name = anchors.names.get(stream) or name_of(records, stream, rows)
            result.breaks += [Finding(name, str(stream), b.event, b.kind, b.detail) for b in checked.breaks]
        before, result.events = result.events, result.events + len(rows)
        if progress and result.events // PROGRESS_EVERY > before // PROGRESS_EVERY:
            progress(result.events, total)
    for stream, held in anchors.by_stream.items():
        if stream not in seen:
            last = held[-1]
            result.breaks.append(Finding(anchors.names[stream], str(stream), None, "missing",
                                         f"missing entirely: checkpoint {last.checkpoint} of {last.taken_at} "
                                         f"holds {last.events} events"))
    if case_id is not None and not seen and not anchors.by_stream:
        raise EvidenceError(f"no case {case_id} in the event store, and no checkpoint names it")
    if progress:
        progress(result.events, total)
    if result.breaks:
        EVIDENCE_VERIFICATION_FAILURES.inc()  # in this process's metrics (a CLI run's are its own)
    return result


def _against_export(exported: dict[str, Any], chain: list[dict[str, Any]], anchors: Any, only: UUID | None,
                    result: Verification) -> None:
    held = exported.get("checkpoint") or {}
    seq = held.get("seq")
    mine = next((cp for cp in chain if cp.get("seq") == seq), None)
    if mine is None or mine != held:  # all of it: its streams as well as its hash
        result.breaks.append(Finding("checkpoints", None, None, "altered",
                                     f"checkpoint {seq} exported on {held.get('taken_at')} is "
                                     f"{'gone from' if mine is None else 'different in'} the store"))
    for stream, entry in (exported.get("heads") or {}).items():
        s = UUID(stream)
        if only is not None and s != only:
            continue
        anchors.by_stream.setdefault(s, []).append(Anchor(entry["events"], entry["head"], seq, str(held.get("taken_at"))))
        anchors.names.setdefault(s, entry["name"])
