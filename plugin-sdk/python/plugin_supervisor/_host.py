"""Runs a plugin process: the handshake, the gRPC server on the supervisor's socket, the ready line, and the exit."""

from __future__ import annotations

import concurrent.futures
import logging
import os
import signal
import sys
from typing import NoReturn

import grpc

from . import _logging
from ._auth import BearerTokenInterceptor
from ._handshake import Handshake, HandshakeError, read_handshake, usage_message
from ._health import HealthService
from ._hooks import Hooks
from ._inflight import InFlight
from ._invoker import Invoker
from ._lifetime import Lifetime
from ._routes import Routes
from ._service import PluginService
from ._stdin import watch_stdin

USAGE_EXIT_CODE = 2
"""Exit code when the plugin was started without the supervisor's handshake."""
START_FAILED_EXIT_CODE = 1
"""Exit code when the plugin could not start serving (e.g. the socket could not be bound)."""

# gRPC threads. A HandleEvent call holds one until its reply or its deadline, whatever the worker threads do, and the
# supervisor sends up to its MaxConcurrency (default 64) at once: GetStatus must find a thread free under any sensible
# MaxConcurrency, or the supervisor would judge the process frozen. Threads start only when calls need them.
_CALL_THREADS = 256
_SHIM_THREADS = 8
# How long in-flight replies may still be written once the shim decided to exit.
_STOP_BUDGET_SECONDS = 1.0

_log = logging.getLogger("plugin_supervisor")


def serve(routes: Routes, *, max_concurrency: int, signal_drain_grace: float, log_level: int,
          on_start=None, on_stop=None) -> NoReturn:
    try:
        handshake = read_handshake(os.environ)
    except HandshakeError as error:
        print(usage_message(os.path.basename(sys.argv[0]) or "this program", str(error)), file=sys.stderr, flush=True)
        os._exit(USAGE_EXIT_CODE)

    _logging.install(log_level)
    # A pipe makes stdout block-buffered: a handler's print() would reach the supervisor's log only when the buffer
    # fills. Line by line, as on a terminal.
    sys.stdout.reconfigure(line_buffering=True)
    in_flight = InFlight()
    invoker = Invoker(max_concurrency)
    hooks = Hooks(handshake.info, on_start, on_stop, invoker.event_loop)
    failed = hooks.start()
    if failed is not None:
        logging.shutdown()
        os._exit(failed)
    lifetime = Lifetime(in_flight, hooks.stop)
    service = PluginService(handshake.info, routes, in_flight, lifetime, invoker,
                            logging.getLogger(handshake.info.name or "plugin"))
    server = _start_server(handshake, service, HealthService(lifetime), max(max_concurrency, _CALL_THREADS) + _SHIM_THREADS)

    # Signals first: a SIGTERM sent as soon as the ready line is read must drain (and run the stop hook), not kill.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, _frame: lifetime.drain(signal_drain_grace, signal.Signals(number).name))
    print(handshake.ready_line(), flush=True)

    def on_end_of_file() -> None:
        lifetime.exit_now("stdin reached end of file: the supervisor is gone", 0)

    watch_stdin(on_end_of_file)

    exit_code = lifetime.wait()
    if not lifetime.immediate:
        server.stop(_STOP_BUDGET_SECONDS).wait(_STOP_BUDGET_SECONDS * 2)
    _delete_stale_socket(handshake.socket_path)
    logging.shutdown()
    sys.stdout.flush()
    # os._exit: a handler thread that never returns must not hold the exit up (Python joins worker threads at exit).
    os._exit(exit_code)


def _start_server(handshake: Handshake, service: PluginService, health: HealthService, threads: int) -> grpc.Server:
    server = grpc.server(
        concurrent.futures.ThreadPoolExecutor(max_workers=threads, thread_name_prefix="plugin-grpc"),
        handlers=[service.generic_handler(), health.generic_handler()],
        interceptors=[BearerTokenInterceptor(handshake.token, handshake.info.name)],
        # No limit of the shim's own: the supervisor enforces each plugin's payload limit before it sends.
        options=[("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)],
    )
    try:
        _delete_stale_socket(handshake.socket_path)
        if server.add_insecure_port(handshake.address) == 0:
            raise RuntimeError("the address could not be bound")
        server.start()
    except (OSError, RuntimeError) as error:
        _log.critical("Could not serve on %s: %s", handshake.address, error)
        logging.shutdown()
        os._exit(START_FAILED_EXIT_CODE)
    return server


def _delete_stale_socket(path: str) -> None:
    # A SIGKILLed plugin leaves its socket file behind, and a stale file makes the next bind fail.
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
