"""The token check: every call, on every service (health included), must carry ``authorization: Bearer <token>``."""

from __future__ import annotations

import hmac

import grpc


class BearerTokenInterceptor(grpc.ServerInterceptor):
    def __init__(self, token: str, plugin_name: str) -> None:
        self._expected = ("Bearer " + token).encode()
        self._service = f"plugin '{plugin_name}' (it only answers its supervisor)"

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        presented = None
        for key, value in handler_call_details.invocation_metadata or ():
            if key == "authorization":
                presented = value
                break
        if presented is None:
            return _refusal(handler, f"{self._service} requires 'authorization: Bearer <token>'")
        # Constant time, so the comparison does not leak how much of a guess was right.
        if not hmac.compare_digest(presented.encode() if isinstance(presented, str) else presented, self._expected):
            return _refusal(handler, f"{self._service} refused the token: it is not valid")
        return handler


def _refusal(handler: grpc.RpcMethodHandler, message: str) -> grpc.RpcMethodHandler:
    def refuse(request, context):
        context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    # The refusal has the refused method's shape, so a streaming call is refused as cleanly as a unary one.
    if handler.response_streaming:
        return grpc.unary_stream_rpc_method_handler(refuse)
    return grpc.unary_unary_rpc_method_handler(refuse)
