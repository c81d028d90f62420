"""Runs handlers away from the gRPC threads: plain ``def`` handlers on worker threads, ``async def`` handlers on an
event loop thread of their own. A handler that never returns then holds only its own thread, and the shim keeps
answering GetStatus, so the supervisor sees the handler past its deadline and replaces the process."""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import threading
from typing import Any, Callable, Optional

from ._trace import Span, current_span
from ._types import Context, Event, HandlerCancelled


class Invoker:
    def __init__(self, max_workers: int) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="plugin-handler")
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._loop_lock = threading.Lock()

    def start(self, handler: Callable[..., Any], event: Event, ctx: Context, span: Span,
              on_end: Callable[[], None]) -> concurrent.futures.Future:
        """Starts ``handler(event, ctx)``; ``on_end`` runs when it really returns, however late (never before)."""
        if inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(getattr(handler, "__call__", None)):
            return asyncio.run_coroutine_threadsafe(_run_async(handler, event, ctx, span, on_end), self._event_loop())
        return self._pool.submit(_run_sync, handler, event, ctx, span, on_end)

    def event_loop(self) -> asyncio.AbstractEventLoop:
        """The loop ``async def`` handlers (and hooks) run on, started on first use."""
        return self._event_loop()

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        with self._loop_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="plugin-handler-loop", daemon=True).start()
                self._loop = loop
            return self._loop


def _run_sync(handler: Callable[..., Any], event: Event, ctx: Context, span: Span, on_end: Callable[[], None]) -> Any:
    token = current_span.set(span)
    try:
        # A call cancelled while it waited for a worker does not start.
        ctx.raise_if_cancelled()
        return handler(event, ctx)
    finally:
        current_span.reset(token)
        on_end()


async def _run_async(handler: Callable[..., Any], event: Event, ctx: Context, span: Span, on_end: Callable[[], None]) -> Any:
    # The try begins before the first await, so on_end runs even for a call cancelled before its task started.
    try:
        current_span.set(span)  # the task's own context: no reset needed
        task = asyncio.current_task()
        assert task is not None
        ctx._attach(task, asyncio.get_running_loop())
        return await handler(event, ctx)
    finally:
        on_end()


CANCELLATIONS = (HandlerCancelled, asyncio.CancelledError, concurrent.futures.CancelledError)
"""What a handler that honoured its cancellation ends with."""
