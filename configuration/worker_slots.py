"""How many workflow tasks a worker takes at once, and of them how many from the task queue itself.

A worker takes a workflow's tasks from two places: its own sticky queue, for workflows it holds in
its cache (a member of staff's update to a running case, the case's next step after an activity),
and the task queue itself, for everything else: chiefly a new case's first task, which opens the
case (the raise), and a case no worker holds. In a burst of raises the second kind came in by the
dozen and each opened its case at once; a step completion then waited behind them all for the
worker's one Python process (measured: seconds, against 20 to 60 ms settled). Taking at most a
few tasks from the task queue at once, the rest of the burst waits at Temporal, where it costs the
worker nothing, and staff's updates still find a slot and the process free.
"""

from __future__ import annotations

import asyncio
import threading

from temporalio.worker import CustomSlotSupplier, SlotMarkUsedContext, SlotPermit, SlotReleaseContext, SlotReserveContext


class _Permit(SlotPermit):
    def __init__(self, sticky: bool) -> None:
        self.sticky = sticky


class FewNewAtOnce(CustomSlotSupplier):
    """Workflow task slots: at most `total` at once, of which at most `new` for tasks polled from
    the task queue itself (not the worker's sticky queue)."""

    def __init__(self, total: int, new: int) -> None:
        if not 1 <= new <= total:
            raise ValueError(f"new tasks at once must be between 1 and {total}, not {new}")
        self.total, self.new = total, new
        self.used = self.used_new = 0
        self._lock = threading.Lock()  # released from the SDK's threads as well as the event loop
        self._loop: asyncio.AbstractEventLoop | None = None
        self._freed = asyncio.Event()

    def _take(self, sticky: bool) -> _Permit | None:
        with self._lock:
            if self.used >= self.total or (not sticky and self.used_new >= self.new):
                return None
            self.used += 1
            self.used_new += not sticky
            return _Permit(sticky)

    async def reserve_slot(self, ctx: SlotReserveContext) -> SlotPermit:
        self._loop = asyncio.get_running_loop()
        while (permit := self._take(ctx.is_sticky)) is None:
            freed = self._freed
            await freed.wait()
        return permit

    def try_reserve_slot(self, ctx: SlotReserveContext) -> SlotPermit | None:
        return self._take(ctx.is_sticky)

    def mark_slot_used(self, ctx: SlotMarkUsedContext) -> None:
        pass

    def release_slot(self, ctx: SlotReleaseContext) -> None:
        permit = ctx.permit
        with self._lock:
            self.used -= 1
            self.used_new -= not getattr(permit, "sticky", True)
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        """On the event loop: every reservation waiting looks again."""
        freed, self._freed = self._freed, asyncio.Event()
        freed.set()
