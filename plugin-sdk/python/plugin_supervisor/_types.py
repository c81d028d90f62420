"""What a handler receives and returns."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Mapping, Optional

from ._handshake import PluginInfo
from ._trace import Span


class HandlerCancelled(Exception):
    """Ends a plain ``def`` handler whose call was cancelled (its deadline passed or its caller gave up).

    Raise it yourself, or call :meth:`Context.raise_if_cancelled`. Async handlers see :class:`asyncio.CancelledError`
    instead, raised at their current ``await``.
    """


@dataclass(frozen=True)
class Event:
    """One event the supervisor routed to this process."""

    id: str
    """The caller's id for the event, or one the supervisor generated."""
    name: str
    """What happened, e.g. ``customer.created``."""
    payload: bytes
    content_type: str
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """A handler's answer. A handler may also return ``bytes`` (no content type), ``str`` (sent as UTF-8 text) or None
    (an empty reply)."""

    payload: bytes = b""
    content_type: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)


class Context:
    """The call around one event: its cancellation, deadline, trace, logger, and the plugin's settings."""

    def __init__(self, plugin: PluginInfo, logger: logging.Logger, span: Span, deadline: Optional[float]) -> None:
        self._plugin = plugin
        self._logger = logger
        self._span = span
        self._deadline = deadline
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._task: Optional[asyncio.Task] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    @property
    def plugin(self) -> PluginInfo:
        """Who this process is: the plugin's name, version, instance id and settings."""
        return self._plugin

    @property
    def settings(self) -> Mapping[str, str]:
        """The plugin's ``Settings`` from the supervisor's configuration."""
        return self._plugin.settings

    @property
    def logger(self) -> logging.Logger:
        """The plugin's logger: its lines reach the supervisor's log at their level, with this call's trace id."""
        return self._logger

    @property
    def cancelled(self) -> threading.Event:
        """Set at the call's deadline, or when the caller gives up. Wait on it (``ctx.cancelled.wait(seconds)``)
        instead of ``time.sleep`` so that a cancelled call ends at once."""
        return self._cancelled

    @property
    def is_cancelled(self) -> bool:
        return self._cancelled.is_set()

    def raise_if_cancelled(self) -> None:
        """Raises :class:`HandlerCancelled` once the call is cancelled."""
        if self._cancelled.is_set():
            raise HandlerCancelled("the call was cancelled (its deadline passed or its caller gave up)")

    def time_remaining(self) -> Optional[float]:
        """Seconds until the call's deadline (never negative), or None when the call has none."""
        if self._deadline is None:
            return None
        return max(self._deadline - time.monotonic(), 0.0)

    @property
    def trace_id(self) -> str:
        """The trace this call belongs to: the caller's when it sent a ``traceparent``."""
        return self._span.trace_id

    @property
    def span_id(self) -> str:
        """The handler's own span, a child of the caller's."""
        return self._span.span_id

    @property
    def traceparent(self) -> str:
        """The ``traceparent`` header to send on calls the handler makes, so they join this trace."""
        return self._span.traceparent

    def _attach(self, task: asyncio.Task, loop: asyncio.AbstractEventLoop) -> None:
        # Called on the event loop thread as the handler's task starts; a cancel that came first cancels it at once.
        with self._lock:
            self._task, self._loop = task, loop
            cancelled = self._cancelled.is_set()
        if cancelled:
            task.cancel()

    def _cancel(self) -> None:
        with self._lock:
            if self._cancelled.is_set():
                return
            self._cancelled.set()
            task, loop = self._task, self._loop
        if task is not None and loop is not None:
            loop.call_soon_threadsafe(task.cancel)
