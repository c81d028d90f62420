"""The standard ``grpc.health.v1.Health`` service: SERVING until the shim drains, then NOT_SERVING."""

from __future__ import annotations

import threading

import grpc

from ._lifetime import Lifetime
from ._protocol import health_pb2

SERVICE_NAME = "grpc.health.v1.Health"
_Status = health_pb2.HealthCheckResponse


class HealthService:
    def __init__(self, lifetime: Lifetime) -> None:
        self._lifetime = lifetime
        self._changed = threading.Condition()
        lifetime.on_draining(self._notify)

    def generic_handler(self) -> grpc.GenericRpcHandler:
        return grpc.method_handlers_generic_handler(SERVICE_NAME, {
            "Check": grpc.unary_unary_rpc_method_handler(
                self.check, health_pb2.HealthCheckRequest.FromString, _Status.SerializeToString),
            "Watch": grpc.unary_stream_rpc_method_handler(
                self.watch, health_pb2.HealthCheckRequest.FromString, _Status.SerializeToString),
        })

    def check(self, request, context):
        # Health is reported for the server as a whole (""), as grpc-dotnet's health service does.
        if request.service:
            context.abort(grpc.StatusCode.NOT_FOUND, f"unknown service '{request.service}'; this plugin reports health "
                                                     "for \"\" only")
        return _Status(status=self._status())

    def watch(self, request, context):
        if request.service:
            yield _Status(status=_Status.SERVICE_UNKNOWN)
            return
        sent = None
        while context.is_active():
            with self._changed:
                status = self._status()
                if status == sent:
                    # The timeout notices a caller that went away while nothing changed.
                    self._changed.wait(1.0)
                    continue
            sent = status
            yield _Status(status=status)

    def _status(self) -> int:
        return _Status.NOT_SERVING if self._lifetime.draining else _Status.SERVING

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()
