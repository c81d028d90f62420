"""Draining and exit: stop taking calls, let in-flight handlers finish within a grace, then end the process."""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from ._inflight import InFlight

_log = logging.getLogger("plugin_supervisor")


class Lifetime:
    """Decides when the process stops and with which exit code; the main thread waits on :meth:`wait`."""

    def __init__(self, in_flight: InFlight, stop_hook: Callable[[float], None] = lambda _deadline: None) -> None:
        self._in_flight = in_flight
        self._stop_hook = stop_hook
        self._lock = threading.Lock()
        self._draining = False
        self._exited = threading.Event()
        self._exit_code = 0
        self._immediate = False
        self._listeners: list = []

    @property
    def draining(self) -> bool:
        return self._draining

    @property
    def immediate(self) -> bool:
        """Whether the exit skips writing outstanding replies (nobody is left to read them)."""
        return self._immediate

    def on_draining(self, listener) -> None:
        """Calls ``listener()`` once the shim starts draining (health watchers wake on it)."""
        self._listeners.append(listener)

    def drain(self, grace: float, reason: str) -> None:
        """Starts a drain once; later calls change nothing. Returns at once: the drain waits on its own thread."""
        if not self._begin_draining():
            return
        _log.info("Draining (%s): %d handler(s) in flight, grace %d ms", reason, self._in_flight.count, grace * 1000)
        threading.Thread(target=self._drain, args=(grace,), name="plugin-supervisor-drain", daemon=True).start()

    def exit_now(self, reason: str, exit_code: int) -> None:
        """Exits without draining: nobody is left to read the replies."""
        self._begin_draining()
        _log.info("Exiting now: %s", reason)
        self._immediate = True
        self._exit(exit_code)

    def wait(self) -> int:
        """Blocks until the shim decided to stop; returns the exit code. Signal handlers still run meanwhile."""
        while not self._exited.wait(1.0):
            pass
        return self._exit_code

    def _begin_draining(self) -> bool:
        with self._lock:
            if self._draining:
                return False
            self._draining = True
        for listener in self._listeners:
            listener()
        return True

    def _drain(self, grace: float) -> None:
        deadline = time.monotonic() + grace
        if not self._in_flight.wait_idle(grace):
            _log.warning("Drain grace ended with %d handler(s) still running; exiting anyway", self._in_flight.count)
        # After the handlers: a stop hook that closes what they use must not pull it from under them.
        self._stop_hook(deadline)
        self._exit(0)

    def _exit(self, exit_code: int) -> None:
        with self._lock:
            if self._exited.is_set():
                return
            self._exit_code = exit_code
            self._exited.set()
