"""A test plugin started the way the supervisor starts it (handshake variables, stdin held open), and a client."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from typing import List, Optional

import grpc

from plugin_supervisor._protocol import health_pb2, plugin_pb2

SDK_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROBE = os.path.join(SDK_ROOT, "tests", "plugins", "probe.py")
# Generous for a loaded two-core machine: a timeout here is a failure, never a wait that makes a test pass.
TIMEOUT = 20.0
PLUGIN_SERVICE = "/supervisor.plugin.v1.PluginService/"


def handshake_environment(socket_path: str, token: str, settings: str = "{}") -> dict:
    # PYTHONUNBUFFERED would hide how a plugin's stdout behaves where it is unset (a supervisor's usual environment).
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    environment.update({
        "SUPERVISOR_PROTOCOL_VERSION": "1",
        "SUPERVISOR_PLUGIN_ADDRESS": "unix://" + socket_path,
        "SUPERVISOR_PLUGIN_TOKEN": token,
        "SUPERVISOR_PLUGIN_NAME": "probe",
        "SUPERVISOR_PLUGIN_VERSION": "1.0.0",
        "SUPERVISOR_INSTANCE_ID": "probe-test",
        "SUPERVISOR_PLUGIN_SETTINGS": settings,
        "PYTHONPATH": SDK_ROOT,
    })
    return environment


class RunningPlugin:
    def __init__(self, script: str = PROBE, settings: str = "{}", prepare_socket=None) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="plugin-sdk-test-")
        self.socket_path = os.path.join(self._directory.name, "plugin.sock")
        if prepare_socket is not None:
            prepare_socket(self.socket_path)
        self.token = secrets.token_hex(16)
        self.process = subprocess.Popen(
            [sys.executable, "-s", script], env=handshake_environment(self.socket_path, self.token, settings),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.stderr_lines: List[str] = []
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()
        self.ready_line = self.read_stdout_line(TIMEOUT)
        self.channel = grpc.insecure_channel("unix://" + self.socket_path)

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            self.stderr_lines.append(line.decode("utf-8", "replace").rstrip("\n"))

    def read_stdout_line(self, timeout: float = TIMEOUT) -> str:
        result: List[bytes] = []
        reader = threading.Thread(target=lambda: result.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not result:
            raise AssertionError(f"no stdout line within {timeout} s; stderr: {self.stderr()}")
        return result[0].decode().rstrip("\n")

    def stderr(self) -> str:
        return "\n".join(self.stderr_lines)

    def call(self, method: str, request, response_type, token: Optional[str] = "", timeout: float = TIMEOUT,
             metadata=()):
        stub = self.channel.unary_unary(PLUGIN_SERVICE + method if "/" not in method else method,
                                        request_serializer=type(request).SerializeToString,
                                        response_deserializer=response_type.FromString)
        presented = self.token if token == "" else token
        headers = ([("authorization", "Bearer " + presented)] if presented is not None else []) + list(metadata)
        return stub(request, metadata=headers, timeout=timeout)

    def event(self, name: str, payload: bytes = b"", timeout: float = TIMEOUT, metadata=(), event_id: str = "e-1"):
        request = plugin_pb2.HandleEventRequest(event=plugin_pb2.Event(id=event_id, name=name, payload=payload,
                                                                       content_type="text/plain"))
        return self.call("HandleEvent", request, plugin_pb2.HandleEventResponse, timeout=timeout, metadata=metadata)

    def status(self, timeout: float = 5.0) -> plugin_pb2.GetStatusResponse:
        return self.call("GetStatus", plugin_pb2.GetStatusRequest(), plugin_pb2.GetStatusResponse, timeout=timeout)

    def health(self) -> int:
        return self.call("/grpc.health.v1.Health/Check", health_pb2.HealthCheckRequest(),
                         health_pb2.HealthCheckResponse, timeout=5.0).status

    def wait_exit(self, timeout: float = TIMEOUT) -> int:
        return self.process.wait(timeout)

    def close(self) -> None:
        self.channel.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(TIMEOUT)
        self._stderr_reader.join(TIMEOUT)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            stream.close()
        self._directory.cleanup()


def wait_until(condition, timeout: float = TIMEOUT, what: str = "the condition"):
    """Polls ``condition`` until it returns a truthy value; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not hold within {timeout} s")
        time.sleep(0.02)
