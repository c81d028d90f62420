"""The author's entry points: :class:`Plugin` with ``@plugin.on(...)`` handlers, or :func:`run_plugin` with one handler."""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, Iterable, NoReturn, Optional, TypeVar

from ._routes import Handler, Routes

H = TypeVar("H", bound=Handler)
S = TypeVar("S", bound=Callable[..., Any])

DEFAULT_MAX_CONCURRENCY = 64
"""Handlers that may run at once, matching the supervisor's default ``MaxConcurrency``."""
DEFAULT_SIGNAL_DRAIN_GRACE = 5.0
"""Seconds in-flight handlers may finish after SIGTERM or SIGINT, as in the .NET SDK."""


class Plugin:
    """A plugin's handlers. Register one per event name with :meth:`on`, and/or one for every other event with
    :meth:`handler`; then call :meth:`run`. A handler is ``def handle(event, ctx)`` or ``async def handle(event, ctx)``
    and returns a :class:`~plugin_supervisor.Reply`, ``bytes``, ``str`` or None.

    ``event_names`` restricts the catch-all handler to those names (``Describe`` reports them); without it and with a
    catch-all handler, the plugin handles every event."""

    def __init__(self, handle_event: Optional[Handler] = None, *, event_names: Iterable[str] = ()) -> None:
        self._fallback = handle_event
        self._event_names = list(event_names)
        self._named: Dict[str, Handler] = {}
        self._on_start: Optional[Callable[..., Any]] = None
        self._on_stop: Optional[Callable[..., Any]] = None

    def on(self, *event_names: str) -> Callable[[H], H]:
        """Decorates the handler of the named events."""
        if not event_names:
            raise ValueError("on() needs at least one event name; use handler() for every event")

        def register(handler: H) -> H:
            for name in event_names:
                if name in self._named:
                    raise ValueError(f"event '{name}' already has a handler: {self._named[name]!r}")
                self._named[name] = handler
            return handler

        return register

    def handler(self, handler: H) -> H:
        """Decorates the handler of every event that has no handler of its own."""
        if self._fallback is not None:
            raise ValueError(f"the plugin already has a catch-all handler: {self._fallback!r}")
        self._fallback = handler
        return handler

    def on_start(self, hook: S) -> S:
        """Decorates the start hook, ``def start(info)`` or ``async def start(info)`` (a :class:`PluginInfo`): it runs
        once before the ready line, so the first call sees what it set up. If it raises, the process prints
        ``<plugin>: the start hook failed: <type>: <message>`` on stderr and exits with 3; the supervisor counts a
        failed start and quotes the line. An ``async def`` hook runs on the loop ``async def`` handlers run on."""
        if self._on_start is not None:
            raise ValueError(f"the plugin already has a start hook: {self._on_start!r}")
        self._on_start = hook
        return hook

    def on_stop(self, hook: S) -> S:
        """Decorates the stop hook, ``def stop(ctx)`` or ``async def stop(ctx)`` (a :class:`StopContext`): it runs once
        on a drain (the supervisor's ``Shutdown``, SIGTERM, SIGINT) after the in-flight handlers finished or the grace
        ran out; not when stdin reaches end of file (the supervisor is gone). At the grace's end (never sooner than one
        second after it starts) ``ctx.cancelled`` is set, an ``async def`` hook is cancelled, and the process exits."""
        if self._on_stop is not None:
            raise ValueError(f"the plugin already has a stop hook: {self._on_stop!r}")
        self._on_stop = hook
        return hook

    def run(self, *, max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
            signal_drain_grace: float = DEFAULT_SIGNAL_DRAIN_GRACE, log_level: int = logging.INFO) -> NoReturn:
        """Performs the supervisor's handshake and serves the handlers until the supervisor stops the process; never
        returns. Started by hand (without the handshake), it says how it is meant to be run and exits with 2."""
        if self._fallback is None and not self._named:
            raise ValueError("the plugin has no handler: decorate one with @plugin.on(...) or @plugin.handler")
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1 (got {max_concurrency})")
        from ._host import serve  # grpc loads only when the plugin runs, not when its module is imported (tests)

        serve(Routes(self._fallback, self._event_names, self._named), max_concurrency=max_concurrency,
              signal_drain_grace=signal_drain_grace, log_level=log_level, on_start=self._on_start, on_stop=self._on_stop)


def run_plugin(handle_event: Handler, *, event_names: Iterable[str] = (), **options) -> NoReturn:
    """Runs ``handle_event`` as a supervised plugin: ``run_plugin(handle_event)``. See :meth:`Plugin.run` for the
    options."""
    Plugin(handle_event, event_names=event_names).run(**options)
