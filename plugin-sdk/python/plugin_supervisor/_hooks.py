"""The plugin's start and stop hooks, run where the protocol places them: before the ready line, and on a drain."""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ._handshake import PluginInfo

START_HOOK_FAILED_EXIT_CODE = 3
"""Exit code when the plugin's start hook failed."""
STOP_HOOK_MINIMUM_GRACE = 1.0
"""The least time (seconds) the stop hook gets before it is cancelled, whatever the drain's grace: one second, within
the two seconds the supervisor waits for a process to exit after ``Shutdown`` (which carries a zero grace when no call
is in flight)."""

_log = logging.getLogger("plugin_supervisor")


@dataclass
class StopContext:
    """What the stop hook receives."""

    info: PluginInfo
    """Who this process is, with its ``settings``."""
    deadline: float
    """When the hook is cancelled, on :func:`time.monotonic`'s clock."""
    cancelled: threading.Event = field(default_factory=threading.Event)
    """Set when the drain's grace ends (a plain ``def`` hook polls it or waits on it; an ``async def`` hook is also
    cancelled then). The process exits at that moment, returned or not."""

    def remaining(self) -> float:
        """Seconds left before the hook is cancelled."""
        return max(self.deadline - time.monotonic(), 0.0)


class Hooks:
    """Runs ``async def`` hooks on the handlers' event loop (what a start hook opens, handlers use), plain ones inline."""

    def __init__(self, info: PluginInfo, on_start: Optional[Callable[..., Any]], on_stop: Optional[Callable[..., Any]],
                 event_loop: Callable[[], asyncio.AbstractEventLoop]) -> None:
        self._info = info
        self._on_start = on_start
        self._on_stop = on_stop
        self._event_loop = event_loop

    def start(self) -> Optional[int]:
        """Runs the start hook; a failure is one plain stderr line (the supervisor quotes it) and the exit code."""
        if self._on_start is None:
            return None
        try:
            if inspect.iscoroutinefunction(self._on_start):
                asyncio.run_coroutine_threadsafe(self._on_start(self._info), self._event_loop()).result()
            else:
                self._on_start(self._info)
            return None
        except BaseException as error:  # noqa: B902 - whatever the hook raised, the process must say so and exit
            print(f"{self._info.name}: the start hook failed: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
            return START_HOOK_FAILED_EXIT_CODE

    def stop(self, deadline: float) -> None:
        """Runs the stop hook until it returns or ``deadline`` (monotonic; at least the minimum grace away) passes."""
        if self._on_stop is None:
            return
        ctx = StopContext(self._info, max(deadline, time.monotonic() + STOP_HOOK_MINIMUM_GRACE))
        if inspect.iscoroutinefunction(self._on_stop):
            future: concurrent.futures.Future = asyncio.run_coroutine_threadsafe(self._on_stop(ctx), self._event_loop())
        else:
            future = concurrent.futures.Future()
            threading.Thread(target=_run_into, args=(self._on_stop, ctx, future), name="plugin-stop-hook", daemon=True).start()
        try:
            future.result(timeout=ctx.remaining())
        except concurrent.futures.TimeoutError:
            ctx.cancelled.set()
            future.cancel()
            _log.warning("The stop hook did not finish within the drain's grace; exiting anyway")
        except concurrent.futures.CancelledError:
            ctx.cancelled.set()
        except Exception:  # noqa: BLE001 - a failing stop hook is logged; the drain still ends
            _log.exception("The stop hook failed")


def _run_into(hook: Callable[..., Any], ctx: StopContext, future: concurrent.futures.Future) -> None:
    try:
        future.set_result(hook(ctx))
    except BaseException as error:  # noqa: B902
        future.set_exception(error)
