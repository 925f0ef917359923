"""The access log's lines from many threads of a process, appended together (a group commit).

Every read of personal data writes a line to the one access-log stream before it is answered. A
line that comes while the process is appending earlier ones waits for that append to end, then
goes with every other line waiting by then, in one append: under load a process has one access-log
append in flight, however many requests it serves, and each carries more lines. A caller still
returns only once its own line is stored (or with the append's error): nothing is answered before
its line is in the log. The stream, its order and its hash chain are as before.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Sequence
from uuid import UUID

from domain.facts import Fact
from eventstore.events import Recorded


@dataclass
class _Lines:
    facts: list[Fact]
    stored: list[Recorded] = field(default_factory=list)
    error: BaseException | None = None
    finished: bool = False


class GroupAppend:
    def __init__(self, records: Any, stream: UUID) -> None:
        self.records, self.stream = records, stream
        self._changed = threading.Condition()
        self._waiting: list[_Lines] = []
        self._appending = False
        self.appends = self.lines = 0  # what this process appended: for the benchmark's figures

    def append(self, facts: Sequence[Fact]) -> list[Recorded]:
        mine, batch = _Lines(list(facts)), None
        with self._changed:
            self._waiting.append(mine)
            while self._appending and not mine.finished:
                self._changed.wait()
            if not mine.finished:  # nobody appending: this thread appends every line waiting
                self._appending = True
                batch, self._waiting = self._waiting, []
        if batch is not None:
            self._append(batch)
        if mine.error is not None:
            raise mine.error
        return mine.stored

    def _append(self, batch: list[_Lines]) -> None:
        try:
            stored = self.records.append(self.stream, [f for lines in batch for f in lines.facts])
            at = 0
            for lines in batch:
                lines.stored, at = stored[at:at + len(lines.facts)], at + len(lines.facts)
        except BaseException as e:  # every line of the batch is refused alike, as each alone would be
            for lines in batch:
                lines.error = e
        finally:
            with self._changed:
                self.appends += 1
                self.lines += sum(len(lines.facts) for lines in batch)
                for lines in batch:
                    lines.finished = True
                self._appending = False
                self._changed.notify_all()


def group_append(records: Any, stream: UUID) -> GroupAppend:
    """The process's group append to `stream` for `records` (made once)."""
    with _making:
        groups = records.__dict__.setdefault("_group_appends", {})
        if stream not in groups:
            groups[stream] = GroupAppend(records, stream)
        return groups[stream]


_making = threading.Lock()
