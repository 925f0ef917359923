"""Reading the notification log for the read models, fast: a page of raw rows in one query, each
row's class known from its topic before anything is opened, and only the events some read model
handles decrypted and decoded (`Log.decode`).

A stored state is `{"timestamp": {...}, <the fact's own JSON>}` (`eventstore/events.py`). Decoding
one the usual way costs three passes over it: JSON to Python objects, the library's transcoder, and
pydantic validating those objects. Here the timestamp is cut off the front and pydantic reads the
rest as JSON in one pass (`validate_json`): the same fact, about twice as fast. A state of any
other shape (written before facts were the stored events, or holding a value the transcoder marks
with a type) is decoded by the mapper as before, and so is anything the fast path refuses.
"""

from __future__ import annotations

import re
import zlib
from datetime import datetime
from typing import Any, Callable, NamedTuple, Sequence
from uuid import UUID
from weakref import WeakKeyDictionary

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import resolve_topic
from psycopg.rows import tuple_row
from pydantic import ValidationError

from eventstore.application import SafeguardingRecords
from eventstore.chain import MAGIC
from eventstore.events import CASE_KEY, STORE_KEY, Recorded
from eventstore.keys import STORE_KEY as STORE_STREAM, Erased

_HEAD = re.compile(rb'\{"timestamp":\{"_type_":"datetime_iso","_data_":"([^"]+)"\},')
_MARKED = b'"_type_"'
_LINKED = len(MAGIC) + 64  # the chain's link before the state: MAGIC, the hash before, its own
_new = object.__new__


class Row(NamedTuple):
    position: int
    stream: str  # the stream's id as text
    version: int
    topic: str
    state: bytes


def _row(head: list[str], state: bytes) -> Row:
    return Row(int(head[0]), head[1], int(head[2]), head[3], bytes(state))


class Log:
    """One store's notification log, read a page at a time."""

    def __init__(self, records: SafeguardingRecords) -> None:
        self.records = records
        self.postgres = isinstance(records.factory, PostgresFactory)
        recorder = records.recorder
        if self.postgres:
            table = f'"{recorder.datastore.schema}"."{recorder.events_table_name}"'  # type: ignore[attr-defined]
            # each row as two values, not five: psycopg's pure-Python build costs several µs a value
            self._select = (f"SELECT notification_id::text || ' ' || originator_id::text || ' ' || originator_version::text "
                            f"|| ' ' || topic, state FROM {table} "
                            "WHERE notification_id > %s AND notification_id <= %s AND NOT (topic = ANY(%s)) "
                            "ORDER BY notification_id LIMIT %s")
        else:
            self._select = (f"SELECT rowid, originator_id, originator_version, topic, state FROM {recorder.events_table_name} "
                            "WHERE rowid > ? AND rowid <= ?{} ORDER BY rowid LIMIT ?")
        self._classes: dict[str, type | None] = {}
        self._streams: dict[str, tuple[UUID, str]] = {}
        # a key store's cipher -> its AES-GCM, for as long as the key store holds the cipher (no longer)
        self._aeads: WeakKeyDictionary[Any, AESGCM] = WeakKeyDictionary()

    def last(self) -> int:
        return self.records.recorder.max_notification_id() or 0

    def page(self, after: int, upto: int, limit: int, wanted: Callable[[type], bool] | None = None) -> list[Row]:
        """The log's rows after position `after`, up to `upto`, `limit` at most, in order. With `wanted`,
        the rows of a topic known not to be wanted are left out by the database (not sent for nothing):
        `limit` rows are then the first `limit` of the others, and fewer mean there are no more to `upto`."""
        datastore = self.records.recorder.datastore  # type: ignore[attr-defined]
        unwanted = [] if wanted is None else [t for t, c in self._classes.items() if c is None or not wanted(c)]
        if self.postgres:
            with datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
                curs.execute(self._select, [after, upto, unwanted, limit], prepare=True, binary=True)
                return [_row(head.split(" ", 3), state) for head, state in curs.fetchall()]
        leave_out = f" AND topic NOT IN ({','.join('?' * len(unwanted))})" if unwanted else ""
        with datastore.transaction(commit=False) as c:
            c.execute(self._select.format(leave_out), [after, upto, *unwanted, limit])
            return [Row(*r) for r in c.fetchall()]

    def cls(self, topic: str) -> type | None:
        """The class a topic names (None if no class of this version does): resolved once per topic."""
        if topic not in self._classes:
            try:
                found = resolve_topic(topic)
                self._classes[topic] = found if isinstance(found, type) else None
            except Exception:
                self._classes[topic] = None
        return self._classes[topic]

    def decode(self, rows: Sequence[Row], wanted: Callable[[type], bool]) -> list[Recorded]:
        """The events of the rows whose class is `wanted`, in order; those of a case erased under
        retention (its key destroyed) are left out."""
        out = []
        ciphers: dict[UUID, Any] = {}  # for this page: the key store is asked once per stream
        cls_of, event = self.cls, self._event
        for row in rows:
            cls = cls_of(row.topic)
            if cls is None or not wanted(cls):
                continue
            try:
                out.append(event(row, cls, ciphers))
            except Erased:
                continue
        return out

    def _stream(self, text: str) -> tuple[UUID, str]:
        """The stream's id, and as text (what `Recorded.stream` gives), made once per stream."""
        found = self._streams.get(text)
        if found is None:
            if len(self._streams) > 100_000:
                self._streams.clear()
            u = UUID(text)
            found = self._streams[text] = (u, str(u))
        return found

    def _event(self, row: Row, cls: Any, ciphers: dict[UUID, Any]) -> Recorded:
        stream, text = self._stream(row.stream)
        state = row.state
        data = state[_LINKED:] if state[:4] == MAGIC else state  # eventstore/chain.py's link cut off
        marker = data[:4]
        if marker == CASE_KEY or marker == STORE_KEY:
            owner = stream if marker == CASE_KEY else STORE_STREAM
            aead = ciphers.get(owner)
            if aead is None:
                aead = ciphers[owner] = self._aead(self._cipher(stream, marker == CASE_KEY))
            # the library's AESCipher layout (nonce, tag, data), with its AES-GCM made once per key, not per event
            data = zlib.decompress(aead.decrypt(data[4:16], data[32:] + data[16:32], None))
            head = _HEAD.match(data)
            if head is not None and data.find(_MARKED, head.end()) < 0:
                try:
                    fact = cls.__pydantic_validator__.validate_json(b"{" + data[head.end():])
                except ValidationError:
                    pass  # decoded as the mapper does, which says what is wrong if anything is
                else:
                    # a Recorded made as its dataclass __init__ makes it, bar one frozen set at a time
                    event = _new(Recorded)
                    event.__dict__.update(originator_id=stream, originator_version=row.version, fact=fact,
                                          timestamp=datetime.fromisoformat(head.group(1).decode()),
                                          position=row.position, stream=text)
                    return event
        stored = StoredEvent(originator_id=stream, originator_version=row.version, topic=row.topic, state=row.state)
        return self.records.mapper.to_domain_event(stored).at_position(row.position)

    def _aead(self, cipher: Any) -> AESGCM:
        """The AES-GCM of a key store's cipher, made once per key (the key store is still asked for
        the cipher once per stream and page: a key shredded meanwhile is refused as before)."""
        found = self._aeads.get(cipher)
        if found is None:
            found = self._aeads[cipher] = AESGCM(cipher.key)
        return found

    def _cipher(self, stream: UUID, own: bool) -> Any:
        keys = self.records.keys
        if keys is None:
            raise ValueError(f"stream {stream} is encrypted at rest: open the store with its key store")
        cipher = keys.cipher(stream) if own else keys.store_cipher()
        if cipher is None:
            raise Erased(stream, "an unknown date (its key is not in the key store)")
        return cipher
