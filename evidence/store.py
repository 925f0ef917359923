"""Reading the event store for evidence: every stream's events in order, as stored (links and
all), a stream's name as a person would look for it, and the checkpoints of chain heads.

Checkpoints live outside the events table (in the read-model documents, view
`evidence_checkpoints`, beside the store): each lists the heads of the streams that changed
since the one before (stream, name, events, head) and is itself hash-chained to the one before.
Folded in order they give every stream's anchored head. The first is the genesis point: the
events it covers that were written before the chain are anchored by it and by nothing else.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterator
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresFactory

from domain.facts import AuditCompleted, ConcernRaised, EvidenceExported
from eventstore.application import SafeguardingRecords
from evidence.streams import Anchor, Row, StoredAsText, check_stream
from projections.documents import Documents, Following
from telemetry.instruments import EVIDENCE_VERIFICATION_FAILURES

VIEW = "evidence_checkpoints"
Progress = Callable[[int, int], None]  # events done, events in all


class EvidenceError(Exception):
    """Evidence that cannot be produced as asked; the message says why."""


# ---- the events, stream by stream ---------------------------------------------------------------


def _table(records: SafeguardingRecords) -> tuple[str, str]:
    """The events table, and the placeholder its driver takes."""
    recorder: Any = records.recorder
    if isinstance(records.factory, PostgresFactory):
        return f'"{recorder.datastore.schema}".{recorder.events_table_name}', "%s"
    return recorder.events_table_name, "?"


def _stream_id(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def count_events(records: SafeguardingRecords, stream: UUID | None = None) -> int:
    table, p = _table(records)
    where, args = ("", []) if stream is None else (f" WHERE originator_id = {p}", [_id_arg(records, stream)])
    with records.recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
        c.execute(f"SELECT COUNT(*) AS n FROM {table}{where}", args)
        return int(c.fetchone()["n"])


def _id_arg(records: SafeguardingRecords, stream: UUID) -> Any:
    return stream if isinstance(records.factory, PostgresFactory) else stream.hex


def _state(records: SafeguardingRecords) -> str:
    """The state column as bytes, with how it is stored. SQLite keeps whatever type an UPDATE gives
    it: text read as text crashes a reader (not UTF-8) or is not what Safeguard wrote, so it is read
    as its bytes and flagged. PostgreSQL's bytea column holds bytes only."""
    if isinstance(records.factory, PostgresFactory):
        return "state, 'blob' AS stored_as"
    return "CAST(state AS BLOB) AS state, typeof(state) AS stored_as"


def streams(records: SafeguardingRecords, only: UUID | None = None, batch: int = 5000) -> Iterator[tuple[UUID, list[Row]]]:
    """Every stream with its events (number, topic, state as stored), streams one after another,
    read in pages by key (no page skips or repeats an event while the store is written)."""
    table, p = _table(records)
    after: tuple[Any, int] | None = None
    current: UUID | None = None
    raw: Any = None
    rows: list[Row] = []
    while True:
        clauses, args = [], []
        if only is not None:
            clauses.append(f"originator_id = {p}")
            args.append(_id_arg(records, only))
        if after is not None:
            clauses.append(f"(originator_id, originator_version) > ({p}, {p})")
            args += list(after)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with records.recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            c.execute(f"SELECT originator_id, originator_version, topic, {_state(records)} FROM {table}{where} "
                      f"ORDER BY originator_id, originator_version LIMIT {batch}", args)
            page = c.fetchall()
        for r in page:
            if r["originator_id"] != raw:  # a new stream (compared as read: no UUID made per event)
                if current is not None:
                    yield current, rows
                raw, current, rows = r["originator_id"], _stream_id(r["originator_id"]), []
            state = bytes(r["state"])
            rows.append((r["originator_version"], r["topic"], state if r["stored_as"] == "blob" else StoredAsText(state)))
        if len(page) < batch:
            break
        after = (page[-1]["originator_id"], page[-1]["originator_version"])
    if current is not None:
        yield current, rows


def name_of(records: SafeguardingRecords, stream: UUID, rows: list[Row]) -> str:
    """A stream as a person would look for it: "case C-1", "audit weekly 2027-01-17", or its id."""
    first = next((r for r in rows if r[0] == 1), None)
    if first is not None:
        try:
            fact = records.mapper.to_domain_event(StoredEvent(stream, 1, first[1], first[2])).fact
        except Exception:  # altered beyond reading: named by its id
            fact = None
        if isinstance(fact, ConcernRaised):
            return f"case {fact.case_id}"
        if isinstance(fact, AuditCompleted):
            return f"audit {fact.kind} {fact.as_of.isoformat()}"
        if isinstance(fact, EvidenceExported):
            return f"export {fact.kind} of {fact.subject} ({fact.export_id})"
        if getattr(fact, "process_id", None):  # a provider-concern process (004)
            return f"process {fact.process_id}"  # type: ignore[union-attr]
        if getattr(fact, "ref", None):  # a governance action
            return f"governance action {fact.ref}"  # type: ignore[union-attr]
    return f"stream {stream}"


# ---- checkpoints -------------------------------------------------------------------------------


def _digest(body: dict[str, Any]) -> str:
    text = json.dumps({k: v for k, v in body.items() if k != "hash"}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _key(seq: int) -> str:
    return f"{seq:012d}"


def checkpoints(documents: Documents) -> list[dict[str, Any]]:
    return [doc for _, doc in documents.scan(VIEW)]


def checkpoint_breaks(chain: list[dict[str, Any]]) -> list[str]:
    """What is wrong with the checkpoints themselves: each hashed, numbered and linked to the one before."""
    found, prev = [], ""
    for i, cp in enumerate(chain, start=1):
        if cp.get("seq") != i:
            found.append(f"checkpoint {i} is missing (found {cp.get('seq')} in its place)")
        if _digest(cp) != cp.get("hash"):
            found.append(f"checkpoint {cp.get('seq')} was altered: it no longer matches its hash")
        if cp.get("prev") != prev:
            found.append(f"checkpoint {cp.get('seq')} does not follow checkpoint {i - 1}")
        prev = cp.get("hash", "")
    return found


@dataclass
class Anchors:
    by_stream: dict[UUID, list[Anchor]]
    names: dict[UUID, str]
    latest: dict[str, Any] | None

    def heads(self) -> dict[str, dict[str, Any]]:
        """Every stream's latest anchored head (what an export holds)."""
        return {str(s): {"name": self.names[s], "events": a[-1].events, "head": a[-1].head}
                for s, a in sorted(self.by_stream.items(), key=lambda kv: str(kv[0]))}


def fold_anchors(chain: list[dict[str, Any]], only: UUID | None = None) -> Anchors:
    by_stream: dict[UUID, list[Anchor]] = {}
    names: dict[UUID, str] = {}
    for cp in chain:
        for stream, entry in cp["streams"].items():
            s = UUID(stream)
            if only is not None and s != only:
                continue
            by_stream.setdefault(s, []).append(Anchor(entry["events"], entry["head"], cp["seq"], cp["taken_at"]))
            names[s] = entry["name"]
    return Anchors(by_stream, names, chain[-1] if chain else None)


def take_checkpoint(records: SafeguardingRecords, documents: Documents, now: datetime | None = None) -> dict[str, Any] | None:
    """Record the heads of every stream changed since the last checkpoint (all of them, the first
    time: the genesis), after checking those streams. None if nothing was written since the last one."""
    chain = checkpoints(documents)
    wrong = checkpoint_breaks(chain)
    if wrong:
        EVIDENCE_VERIFICATION_FAILURES.inc()  # the worker's check at each checkpoint
        raise EvidenceError("the checkpoints fail verification, so none is added: " + "; ".join(wrong))
    last = chain[-1] if chain else None
    after = last["position"] if last else 0
    position = records.recorder.max_notification_id() or 0
    if last is not None and position <= after:
        return None
    changed: set[UUID] = set()
    start = after + 1
    while start <= position:
        page = records.recorder.select_notifications(start=start, limit=5000, stop=position)
        if not page:
            break
        changed.update(_stream_id(n.originator_id) for n in page)
        start = page[-1].id + 1
    anchors = fold_anchors(chain)
    entries: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for stream in sorted(changed, key=str):
        rows = [(e.originator_version, e.topic, bytes(e.state)) for e in records.recorder.select_events(stream)]
        checked = check_stream(stream, rows, anchors.by_stream.get(stream, []))
        name = anchors.names.get(stream) or name_of(records, stream, rows)
        problems += [f"{name} event #{b.event}: {b.kind}: {b.detail}" for b in checked.breaks if b.kind != "unanchored"]
        entries[str(stream)] = {"name": name, "events": checked.events, "head": checked.head.hex()}
    if problems:
        EVIDENCE_VERIFICATION_FAILURES.inc()
        raise EvidenceError("the store fails verification, so no checkpoint is taken: " + "; ".join(problems[:20]))
    seq = (last["seq"] if last else 0) + 1
    body: dict[str, Any] = {"seq": seq, "prev": last["hash"] if last else "", "position": position,
                            "taken_at": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
                            "streams": entries}
    body["hash"] = _digest(body)
    # saved only if no other checkpoint was saved meanwhile (the tracking position is the last seq)
    documents.write(VIEW, {_key(seq): body}, Following(application_name=VIEW, notification_id=seq,
                                                        after=last["seq"] if last else 0))
    return body


def export(documents: Documents) -> dict[str, Any]:
    """The latest checkpoint and every stream's anchored head: to be held outside Safeguard."""
    chain = checkpoints(documents)
    if not chain:
        raise EvidenceError("no checkpoint yet: take one with `safeguard evidence checkpoint`")
    anchors = fold_anchors(chain)
    return {"checkpoint": chain[-1], "heads": anchors.heads()}


def exported_checkpoint(data: Any, name: str) -> dict[str, Any]:
    """`data` (read from `name`) as an export made by `export`, or EvidenceError saying why not.
    Its two copies of the latest checkpoint's heads must agree: only `heads` is checked against
    the store, so an edit to the other would pass unseen."""
    def refuse(why: str) -> EvidenceError:
        return EvidenceError(f"{name} is not an exported checkpoint ({why})")

    if not isinstance(data, dict) or set(data) != {"checkpoint", "heads"}:
        found = ", ".join(sorted(data)) if isinstance(data, dict) else f"a {type(data).__name__}"
        raise refuse(f"it holds {found or 'nothing'}, not a checkpoint and heads")
    held, heads = data["checkpoint"], data["heads"]
    if not isinstance(held, dict) or not isinstance(held.get("seq"), int) or not isinstance(held.get("hash"), str) \
            or not isinstance(held.get("streams"), dict):
        raise refuse("its checkpoint has no seq, hash and streams")
    if not isinstance(heads, dict):
        raise refuse("its heads are not a table of streams")
    for stream, entry in [*heads.items(), *held["streams"].items()]:
        try:
            UUID(stream)
        except ValueError:
            raise refuse(f"{stream!r} is not a stream id") from None
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) \
                or not isinstance(entry.get("events"), int) or not isinstance(entry.get("head"), str):
            raise refuse(f"stream {stream} has no name, events and head")
    for stream, entry in held["streams"].items():
        if heads.get(stream) != entry:
            raise EvidenceError(f"{name} disagrees with itself: stream {stream} ({entry['name']}) is "
                                f"{_held(entry)} in checkpoint {held['seq']} but {_held(heads.get(stream))} in its heads")
    return data


def _held(entry: dict[str, Any] | None) -> str:
    return f"{entry['events']} events, head {entry['head'][:16]}" if entry else "missing"
