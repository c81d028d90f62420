"""Serves ``supervisor.plugin.v1.PluginService`` for the plugin's handlers."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Optional

import grpc

from . import __version__
from ._errors import describe as describe_error
from ._handshake import PluginInfo
from ._inflight import InFlight
from ._invoker import CANCELLATIONS, Invoker
from ._lifetime import Lifetime
from ._protocol import plugin_pb2
from ._routes import Routes
from ._trace import Span, current_span
from ._types import Context, Event, Reply

SERVICE_NAME = "supervisor.plugin.v1.PluginService"
SDK_NAME = "python"
# docs/protocol.md: the status for an event the plugin does not handle.
UNKNOWN_EVENT_STATUS = grpc.StatusCode.UNIMPLEMENTED

# A call without a deadline reports a remaining time this large (gRPC's infinite future).
_NO_DEADLINE = 1e8

_log = logging.getLogger("plugin_supervisor")


class PluginService:
    def __init__(self, info: PluginInfo, routes: Routes, in_flight: InFlight, lifetime: Lifetime, invoker: Invoker,
                 logger: logging.Logger) -> None:
        self._info = info
        self._routes = routes
        self._in_flight = in_flight
        self._lifetime = lifetime
        self._invoker = invoker
        self._logger = logger

    def generic_handler(self) -> grpc.GenericRpcHandler:
        def unary(method, request_type, response_type):
            return grpc.unary_unary_rpc_method_handler(method, request_type.FromString, response_type.SerializeToString)

        return grpc.method_handlers_generic_handler(SERVICE_NAME, {
            "HandleEvent": unary(self.handle_event, plugin_pb2.HandleEventRequest, plugin_pb2.HandleEventResponse),
            "Describe": unary(self.describe, plugin_pb2.DescribeRequest, plugin_pb2.DescribeResponse),
            "GetStatus": unary(self.get_status, plugin_pb2.GetStatusRequest, plugin_pb2.GetStatusResponse),
            "Shutdown": unary(self.shutdown, plugin_pb2.ShutdownRequest, plugin_pb2.ShutdownResponse),
        })

    def handle_event(self, request, context):
        if self._lifetime.draining:
            context.abort(grpc.StatusCode.UNAVAILABLE, f"plugin '{self._info.name}' is shutting down and takes no new calls")
        if not request.HasField("event"):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "the request carries no event")
        wire = request.event
        handler = self._routes.find(wire.name)
        if handler is None:
            context.abort(UNKNOWN_EVENT_STATUS, self._routes.unknown_event_message(self._info.name, wire.name))

        remaining = context.time_remaining()
        deadline = None if remaining is None or remaining > _NO_DEADLINE else time.monotonic() + remaining
        metadata = dict(context.invocation_metadata())
        span = Span.child_of(metadata.get("traceparent"), metadata.get("tracestate"))
        ctx = Context(self._info, self._logger, span, deadline)
        event = Event(wire.id, wire.name, wire.payload, wire.content_type, dict(wire.attributes))

        woken = threading.Event()
        # Runs when the call ends for any reason, the caller cancelling included. Registered before the handler starts:
        # a call that ended before could not be cancelled any more.
        if not context.add_callback(lambda: (ctx._cancel(), woken.set())):
            context.abort(grpc.StatusCode.CANCELLED, "the caller cancelled the call")
        handler_id = self._in_flight.begin(deadline)
        future = self._invoker.start(handler, event, ctx, span, lambda: self._in_flight.end(handler_id))
        future.add_done_callback(lambda _: woken.set())
        # The handler may ignore its cancellation; the caller is answered at the deadline all the same, and the
        # in-flight tracker keeps counting the handler until it really returns.
        woken.wait(None if deadline is None else max(deadline - time.monotonic(), 0.0))

        outcome = _Outcome.of(future) if future.done() else None
        if outcome is not None and not (outcome.cancelled and ctx.is_cancelled):
            if outcome.error is None:
                try:
                    return _to_response(outcome.value, wire.name)
                except TypeError as error:
                    outcome = _Outcome(None, error)
            token = current_span.set(span)
            try:
                _log.warning("Handler for event '%s' (%s) threw", wire.name, wire.id, exc_info=outcome.error)
            finally:
                current_span.reset(token)
            context.abort(grpc.StatusCode.UNKNOWN, describe_error(outcome.error))

        ctx._cancel()
        if deadline is not None and time.monotonic() >= deadline:
            context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, f"event '{wire.name}' was still being handled at its deadline")
        context.abort(grpc.StatusCode.CANCELLED, "the caller cancelled the call")

    def describe(self, request, context):
        return plugin_pb2.DescribeResponse(name=self._info.name, version=self._info.version, sdk=SDK_NAME,
                                           sdk_version=__version__, event_names=self._routes.event_names)

    def get_status(self, request, context):
        past_deadline, max_overdue = self._in_flight.overdue()
        response = plugin_pb2.GetStatusResponse(in_flight=self._in_flight.count, past_deadline=past_deadline,
                                                draining=self._lifetime.draining)
        response.max_overdue.FromNanoseconds(int(max_overdue * 1e9))
        return response

    def shutdown(self, request, context):
        grace = request.grace.ToNanoseconds() / 1e9 if request.HasField("grace") else 0.0
        if grace < 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"grace must not be negative (got {grace} s)")
        in_flight = self._in_flight.count
        self._lifetime.drain(grace, "the supervisor asked for a shutdown")
        return plugin_pb2.ShutdownResponse(in_flight=in_flight)


class _Outcome:
    __slots__ = ("value", "error", "cancelled")

    def __init__(self, value: Any, error: Optional[BaseException]) -> None:
        self.value = value
        self.error = error
        self.cancelled = isinstance(error, CANCELLATIONS)

    @staticmethod
    def of(future) -> "_Outcome":
        try:
            # exception() rather than result(): the error keeps the traceback of the handler's thread alone.
            error = future.exception()
        except BaseException as cancelled:  # a cancelled future raises its cancellation here
            return _Outcome(None, cancelled)
        return _Outcome(None, error) if error is not None else _Outcome(future.result(), None)


def _to_response(result: Any, event_name: str) -> plugin_pb2.HandleEventResponse:
    if isinstance(result, Reply):
        return plugin_pb2.HandleEventResponse(payload=bytes(result.payload), content_type=result.content_type,
                                              attributes=dict(result.attributes))
    if result is None:
        return plugin_pb2.HandleEventResponse()
    if isinstance(result, (bytes, bytearray, memoryview)):
        return plugin_pb2.HandleEventResponse(payload=bytes(result))
    if isinstance(result, str):
        return plugin_pb2.HandleEventResponse(payload=result.encode(), content_type="text/plain; charset=utf-8")
    raise TypeError(f"the handler for event '{event_name}' returned {type(result).__name__}; "
                    "return a plugin_supervisor.Reply, bytes, str or None")
