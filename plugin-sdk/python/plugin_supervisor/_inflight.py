"""The handlers running now and their deadlines."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Callable, Dict, Optional, Tuple


class InFlight:
    """Tracks each handler from the moment it is accepted until it really returns, even after its caller was answered,
    so that ``GetStatus`` shows handlers stuck past their deadline and the supervisor can replace the process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._deadlines: Dict[int, Optional[float]] = {}
        self._ids = itertools.count(1)
        self._changed = threading.Condition()

    def begin(self, deadline: Optional[float]) -> int:
        """Starts tracking a handler whose call ends at ``deadline`` (the clock's time; None: no deadline)."""
        with self._changed:
            handler_id = next(self._ids)
            self._deadlines[handler_id] = deadline
            return handler_id

    def end(self, handler_id: int) -> None:
        with self._changed:
            self._deadlines.pop(handler_id, None)
            if not self._deadlines:
                self._changed.notify_all()

    @property
    def count(self) -> int:
        with self._changed:
            return len(self._deadlines)

    def overdue(self) -> Tuple[int, float]:
        """How many handlers are past their deadline, and the longest overrun in seconds."""
        now = self._clock()
        with self._changed:
            overruns = [now - deadline for deadline in self._deadlines.values() if deadline is not None and deadline < now]
        return len(overruns), max(overruns, default=0.0)

    def wait_idle(self, timeout: float) -> bool:
        """Waits until no handler runs, at most ``timeout`` seconds; says whether it became idle."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._deadlines, timeout=max(timeout, 0.0))
