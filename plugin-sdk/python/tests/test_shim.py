"""The shim's duties, each checked against a real plugin process (tests/plugins/probe.py) over its Unix socket."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

import grpc

from plugin_supervisor._protocol import health_pb2, plugin_pb2
from tests.running_plugin import PROBE, TIMEOUT, RunningPlugin, handshake_environment, wait_until

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


class StartedByHand(unittest.TestCase):
    def run_probe(self, environment):
        return subprocess.run([sys.executable, "-s", PROBE], env=environment, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=TIMEOUT)

    def test_a_plugin_started_without_the_handshake_says_how_to_run_it_on_stderr_and_exits_with_2(self):
        environment = {key: value for key, value in os.environ.items() if not key.startswith("SUPERVISOR_")}
        environment["PYTHONPATH"] = handshake_environment("/x", "t")["PYTHONPATH"]
        result = self.run_probe(environment)
        self.assertEqual(2, result.returncode)
        self.assertEqual(b"", result.stdout)
        self.assertIn("started without the supervisor's handshake variables", result.stderr.decode())
        self.assertIn("SUPERVISOR_PLUGIN_ADDRESS", result.stderr.decode())

    def test_a_plugin_offered_another_protocol_version_names_it_and_exits_with_2(self):
        environment = handshake_environment("/tmp/never.sock", "t")
        environment["SUPERVISOR_PROTOCOL_VERSION"] = "2"
        result = self.run_probe(environment)
        self.assertEqual(2, result.returncode)
        self.assertIn("SUPERVISOR_PROTOCOL_VERSION is '2', but this SDK speaks protocol 1", result.stderr.decode())

    def test_settings_that_are_not_a_json_object_name_the_variable_and_exit_with_2(self):
        result = self.run_probe(handshake_environment("/tmp/never.sock", "t", settings="[1]"))
        self.assertEqual(2, result.returncode)
        self.assertIn("SUPERVISOR_PLUGIN_SETTINGS must be a JSON object", result.stderr.decode())


class Serving(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.plugin = RunningPlugin(settings='{"greeting":"hello","retries":3}')

    @classmethod
    def tearDownClass(cls):
        cls.plugin.close()

    def test_the_ready_line_announces_protocol_1_and_the_socket(self):
        self.assertEqual(f"SUPERVISOR_PLUGIN_READY 1 unix://{self.plugin.socket_path}", self.plugin.ready_line)

    def test_describe_names_the_plugin_the_sdk_and_the_events_it_handles(self):
        described = self.plugin.call("Describe", plugin_pb2.DescribeRequest(), plugin_pb2.DescribeResponse)
        self.assertEqual(("probe", "1.0.0", "python"), (described.name, described.version, described.sdk))
        self.assertIn("sleep-async", described.event_names)
        self.assertIn("echo", described.event_names)

    def test_every_service_refuses_a_call_without_the_token_or_with_another(self):
        calls = [
            ("HandleEvent", plugin_pb2.HandleEventRequest(event=plugin_pb2.Event(name="echo")), plugin_pb2.HandleEventResponse),
            ("Describe", plugin_pb2.DescribeRequest(), plugin_pb2.DescribeResponse),
            ("GetStatus", plugin_pb2.GetStatusRequest(), plugin_pb2.GetStatusResponse),
            ("Shutdown", plugin_pb2.ShutdownRequest(), plugin_pb2.ShutdownResponse),
            ("/grpc.health.v1.Health/Check", health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse),
        ]
        for method, request, response_type in calls:
            for token in (None, "not-the-token"):
                with self.subTest(method=method, token=token):
                    with self.assertRaises(grpc.RpcError) as refused:
                        self.plugin.call(method, request, response_type, token=token)
                    self.assertEqual(grpc.StatusCode.UNAUTHENTICATED, refused.exception.code())
        watch = self.plugin.channel.unary_stream("/grpc.health.v1.Health/Watch",
                                                 request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                                                 response_deserializer=health_pb2.HealthCheckResponse.FromString)
        with self.assertRaises(grpc.RpcError) as refused:
            next(iter(watch(health_pb2.HealthCheckRequest(), timeout=TIMEOUT)))
        self.assertEqual(grpc.StatusCode.UNAUTHENTICATED, refused.exception.code())
        self.assertEqual(SERVING, self.plugin.health(), "the shim still serves after refusing")

    def test_an_event_is_answered_by_its_handler_on_a_worker_thread(self):
        reply = self.plugin.event("echo", b"hello")
        self.assertEqual((b"hello", "text/plain"), (reply.payload, reply.content_type))
        self.assertTrue(reply.attributes["handler-thread"].startswith("plugin-handler"), reply.attributes)

    def test_health_is_reported_for_the_server_as_a_whole_and_another_service_name_is_not_found(self):
        with self.assertRaises(grpc.RpcError) as unknown:
            self.plugin.call("/grpc.health.v1.Health/Check", health_pb2.HealthCheckRequest(service="other"),
                             health_pb2.HealthCheckResponse)
        self.assertEqual(grpc.StatusCode.NOT_FOUND, unknown.exception.code())

    def test_an_unknown_event_name_is_unimplemented_and_names_the_events_handled(self):
        with self.assertRaises(grpc.RpcError) as refused:
            self.plugin.event("no-such-event")
        self.assertEqual(grpc.StatusCode.UNIMPLEMENTED, refused.exception.code())
        self.assertIn("does not handle event 'no-such-event'; it handles: echo", refused.exception.details())

    def test_a_def_handler_that_raises_is_answered_unknown_with_the_type_and_message(self):
        with self.assertRaises(grpc.RpcError) as failed:
            self.plugin.event("throw")
        self.assertEqual(grpc.StatusCode.UNKNOWN, failed.exception.code())
        self.assertEqual("ProbeError: thrown on request", failed.exception.details())
        self.assertEqual(b"still here", self.plugin.event("echo", b"still here").payload)

    def test_an_async_handler_that_raises_is_answered_unknown_with_the_type_and_message(self):
        with self.assertRaises(grpc.RpcError) as failed:
            self.plugin.event("throw-async")
        self.assertEqual(grpc.StatusCode.UNKNOWN, failed.exception.code())
        self.assertEqual("ValueError: thrown from a coroutine", failed.exception.details())

    def test_a_reply_of_an_unsupported_type_is_answered_unknown_saying_what_to_return(self):
        with self.assertRaises(grpc.RpcError) as failed:
            self.plugin.event("wrong-type")
        self.assertEqual(grpc.StatusCode.UNKNOWN, failed.exception.code())
        self.assertIn("TypeError: the handler for event 'wrong-type' returned int", failed.exception.details())

    def test_settings_reach_the_handler_as_strings(self):
        reply = self.plugin.event("settings")
        self.assertEqual({"greeting": "hello", "retries": "3"}, json.loads(reply.payload))

    def test_the_handler_continues_the_callers_trace_and_its_log_lines_carry_it(self):
        reply = self.plugin.event("echo", metadata=[("traceparent", TRACEPARENT)])
        self.assertEqual("0af7651916cd43dd8448eb211c80319c", reply.attributes["trace-id"])
        self.plugin.event("log", "a line from the handler".encode(), metadata=[("traceparent", TRACEPARENT)])
        line = wait_until(lambda: next((l for l in self.plugin.stderr_lines if "a line from the handler" in l), None),
                          what="the handler's log line")
        record = json.loads(line)
        self.assertEqual(("Warning", "probe", "a line from the handler"),
                         (record["LogLevel"], record["Category"], record["Message"]))
        self.assertEqual("0af7651916cd43dd8448eb211c80319c", record["Scopes"][0]["TraceId"])
        self.assertRegex(record["Scopes"][0]["SpanId"], "^[0-9a-f]{16}$")
        self.assertNotEqual("b7ad6b7169203331", record["Scopes"][0]["SpanId"], "the handler's span is a child")

    def test_a_handlers_print_reaches_stdout_at_once(self):
        self.plugin.event("print", b"printed by the handler")
        self.assertEqual("printed by the handler", self.plugin.read_stdout_line(timeout=5.0))

    def test_a_handlers_exception_is_logged_with_its_traceback_in_the_callers_trace(self):
        with self.assertRaises(grpc.RpcError):
            self.plugin.event("throw", metadata=[("traceparent", TRACEPARENT)], event_id="traced-throw")
        line = wait_until(lambda: next((l for l in self.plugin.stderr_lines if "(traced-throw)" in l), None),
                          what="the handler failure's log line")
        record = json.loads(line)
        self.assertEqual("Warning", record["LogLevel"])
        self.assertIn("ProbeError: thrown on request", record["Exception"])
        self.assertIn("probe.py", record["Exception"])
        self.assertEqual("0af7651916cd43dd8448eb211c80319c", record["Scopes"][0]["TraceId"])


class Cancellation(unittest.TestCase):
    def setUp(self):
        self.plugin = RunningPlugin()

    def tearDown(self):
        self.plugin.close()

    def cancellations(self):
        return json.loads(self.plugin.event("cancellations").payload)

    def assert_cancelled_at_the_deadline(self, event_name, kind):
        started = time.monotonic()
        with self.assertRaises(grpc.RpcError) as late:
            self.plugin.event(event_name, b"60000", timeout=0.5)
        self.assertEqual(grpc.StatusCode.DEADLINE_EXCEEDED, late.exception.code())
        self.assertLess(time.monotonic() - started, 10.0)
        wait_until(lambda: self.cancellations()[kind] == 1, what=f"the {kind} handler seeing its cancellation")
        wait_until(lambda: self.plugin.status().in_flight == 0, what="the cancelled handler ending")

    def test_a_def_handlers_cancelled_event_is_set_at_the_calls_deadline(self):
        self.assert_cancelled_at_the_deadline("sleep-sync", "sync")

    def test_an_async_handler_is_cancelled_at_the_calls_deadline(self):
        self.assert_cancelled_at_the_deadline("sleep-async", "async")

    def test_a_handler_that_finishes_before_its_deadline_is_not_cancelled(self):
        self.assertEqual(b"slept 10 ms", self.plugin.event("sleep-sync", b"10").payload)
        self.assertEqual(b"slept 10 ms", self.plugin.event("sleep-async", b"10").payload)
        self.assertEqual({"sync": 0, "async": 0}, self.cancellations())

    def test_a_caller_that_gives_up_cancels_the_handler(self):
        stub = self.plugin.channel.unary_unary("/supervisor.plugin.v1.PluginService/HandleEvent",
                                               request_serializer=plugin_pb2.HandleEventRequest.SerializeToString,
                                               response_deserializer=plugin_pb2.HandleEventResponse.FromString)
        request = plugin_pb2.HandleEventRequest(event=plugin_pb2.Event(name="sleep-sync", payload=b"60000"))
        call = stub.future(request, metadata=[("authorization", "Bearer " + self.plugin.token)], timeout=60)
        wait_until(lambda: self.plugin.status().in_flight == 1, what="the handler starting")
        call.cancel()
        wait_until(lambda: self.cancellations()["sync"] == 1, what="the handler seeing its caller give up")


class StuckHandlers(unittest.TestCase):
    def setUp(self):
        self.plugin = RunningPlugin()

    def tearDown(self):
        self.plugin.close()

    def assert_stuck_handler_reported(self, event_name):
        with self.assertRaises(grpc.RpcError) as late:
            self.plugin.event(event_name, timeout=0.3)
        self.assertEqual(grpc.StatusCode.DEADLINE_EXCEEDED, late.exception.code())
        # The handler spins on, yet the shim answers: this is what lets the supervisor see the hang and kill it.
        status = wait_until(lambda: (lambda s: s if s.past_deadline == 1 else None)(self.plugin.status()),
                            what="GetStatus reporting the handler past its deadline")
        self.assertEqual(1, status.in_flight)
        self.assertGreater(status.max_overdue.ToNanoseconds(), 0)
        self.assertEqual(SERVING, self.plugin.health())

    def test_a_def_handler_stuck_in_a_busy_loop_does_not_stop_get_status_answering(self):
        self.assert_stuck_handler_reported("hang-sync")
        self.assertEqual(b"other calls", self.plugin.event("echo", b"other calls").payload)

    def test_an_async_handler_blocking_its_event_loop_does_not_stop_get_status_answering(self):
        self.assert_stuck_handler_reported("hang-async")
        self.assertEqual(b"def handlers", self.plugin.event("echo", b"def handlers").payload)

    def test_calls_beyond_the_worker_threads_wait_for_one_and_are_still_answered_at_their_deadline(self):
        # probe.py runs 4 worker threads: 4 blocked handlers hold them all.
        for _ in range(4):
            with self.assertRaises(grpc.RpcError):
                self.plugin.event("block-sync", timeout=0.3)
        with self.assertRaises(grpc.RpcError) as queued:
            self.plugin.event("echo", timeout=0.5)
        self.assertEqual(grpc.StatusCode.DEADLINE_EXCEEDED, queued.exception.code())
        self.assertEqual(5, self.plugin.status().past_deadline)

    def test_get_status_answers_while_more_calls_wait_for_a_worker_than_there_are_worker_threads(self):
        # Every worker thread blocked (not spinning: four spinning threads would slow every other thread through the
        # GIL), then 24 calls waiting for a worker, each holding a gRPC thread until its deadline.
        for _ in range(4):
            with self.assertRaises(grpc.RpcError):
                self.plugin.event("block-sync", timeout=0.3)
        with ThreadPoolExecutor(24) as callers:
            waiting = [callers.submit(self.plugin.event, "echo", b"", 8.0) for _ in range(24)]
            # Well before those deadlines: the supervisor polls liveness with a 1 s timeout by default.
            wait_until(lambda: self.plugin.status(timeout=2.0).in_flight == 28, timeout=5.0,
                       what="GetStatus counting every waiting call")
            for call in waiting:
                with self.assertRaises(grpc.RpcError) as late:
                    call.result(TIMEOUT)
                self.assertEqual(grpc.StatusCode.DEADLINE_EXCEEDED, late.exception.code())


class Ending(unittest.TestCase):
    def setUp(self):
        self.plugin = RunningPlugin()

    def tearDown(self):
        self.plugin.close()

    def test_shutdown_lets_an_in_flight_handler_finish_refuses_new_calls_and_exits_0(self):
        with ThreadPoolExecutor(1) as caller:
            in_flight = caller.submit(self.plugin.event, "sleep-sync", b"1500")
            wait_until(lambda: self.plugin.status().in_flight == 1, what="the handler starting")
            request = plugin_pb2.ShutdownRequest()
            request.grace.FromSeconds(15)
            answered = self.plugin.call("Shutdown", request, plugin_pb2.ShutdownResponse)
            self.assertEqual(1, answered.in_flight)
            with self.assertRaises(grpc.RpcError) as refused:
                self.plugin.event("echo")
            self.assertEqual(grpc.StatusCode.UNAVAILABLE, refused.exception.code())
            self.assertTrue(self.plugin.status().draining, "GetStatus still answers while draining")
            self.assertEqual(NOT_SERVING, self.plugin.health())
            self.assertEqual(b"slept 1500 ms", in_flight.result(TIMEOUT).payload)
        self.assertEqual(0, self.plugin.wait_exit())
        self.assertFalse(os.path.exists(self.plugin.socket_path), "the socket file is removed")

    def test_a_health_watch_sees_serving_then_not_serving_when_the_drain_starts(self):
        watch = self.plugin.channel.unary_stream("/grpc.health.v1.Health/Watch",
                                                 request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                                                 response_deserializer=health_pb2.HealthCheckResponse.FromString)
        updates = iter(watch(health_pb2.HealthCheckRequest(), timeout=TIMEOUT,
                             metadata=[("authorization", "Bearer " + self.plugin.token)]))
        self.assertEqual(SERVING, next(updates).status)
        with ThreadPoolExecutor(1) as caller:
            in_flight = caller.submit(self.plugin.event, "sleep-sync", b"1000")
            wait_until(lambda: self.plugin.status().in_flight == 1, what="the handler starting")
            request = plugin_pb2.ShutdownRequest()
            request.grace.FromSeconds(15)
            self.plugin.call("Shutdown", request, plugin_pb2.ShutdownResponse)
            self.assertEqual(NOT_SERVING, next(updates).status)
            in_flight.result(TIMEOUT)
        self.assertEqual(0, self.plugin.wait_exit())

    def test_shutdown_with_a_zero_grace_exits_0_at_once_even_with_a_stuck_handler(self):
        with self.assertRaises(grpc.RpcError):
            self.plugin.event("hang-sync", timeout=0.3)
        started = time.monotonic()
        self.plugin.call("Shutdown", plugin_pb2.ShutdownRequest(), plugin_pb2.ShutdownResponse)
        self.assertEqual(0, self.plugin.wait_exit())
        self.assertLess(time.monotonic() - started, 5.0)

    def test_a_negative_shutdown_grace_is_invalid(self):
        request = plugin_pb2.ShutdownRequest()
        request.grace.FromSeconds(-1)
        with self.assertRaises(grpc.RpcError) as refused:
            self.plugin.call("Shutdown", request, plugin_pb2.ShutdownResponse)
        self.assertEqual(grpc.StatusCode.INVALID_ARGUMENT, refused.exception.code())
        self.assertFalse(self.plugin.status().draining)

    def test_stdin_end_of_file_exits_0_within_a_second_even_with_a_stuck_handler(self):
        with self.assertRaises(grpc.RpcError):
            self.plugin.event("hang-sync", timeout=0.3)
        started = time.monotonic()
        self.plugin.process.stdin.close()
        self.assertEqual(0, self.plugin.wait_exit())
        self.assertLess(time.monotonic() - started, 1.0)

    def test_sigterm_drains_the_in_flight_handler_then_exits_0(self):
        with ThreadPoolExecutor(1) as caller:
            in_flight = caller.submit(self.plugin.event, "sleep-async", b"1000")
            wait_until(lambda: self.plugin.status().in_flight == 1, what="the handler starting")
            self.plugin.process.send_signal(signal.SIGTERM)
            wait_until(lambda: self.plugin.status().draining, what="the drain starting")
            self.assertEqual(b"slept 1000 ms", in_flight.result(TIMEOUT).payload)
        self.assertEqual(0, self.plugin.wait_exit())
        self.assertIn("SIGTERM", self.plugin.stderr())


class StaleSocket(unittest.TestCase):
    def test_a_stale_socket_file_at_the_address_is_replaced(self):
        def leave_a_file(path):
            with open(path, "w") as stale:
                stale.write("left behind by a killed process")

        plugin = RunningPlugin(prepare_socket=leave_a_file)
        try:
            self.assertEqual(b"served", plugin.event("echo", b"served").payload)
        finally:
            plugin.close()


if __name__ == "__main__":
    unittest.main()
