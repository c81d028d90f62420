import io
import json
import logging
import unittest

from plugin_supervisor._logging import JsonLineFormatter, level_name
from plugin_supervisor._trace import Span, current_span


class JsonLines(unittest.TestCase):
    def setUp(self):
        self.stream = io.StringIO()
        handler = logging.StreamHandler(self.stream)
        handler.setFormatter(JsonLineFormatter())
        self.logger = logging.getLogger("test.json-lines")
        self.logger.handlers = [handler]
        self.logger.propagate = False
        self.logger.setLevel(1)

    def lines(self):
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def test_a_record_is_one_line_in_the_shape_the_supervisor_reads(self):
        self.logger.info("hello %s\nsecond line ü", "world")
        [record] = self.lines()
        self.assertEqual(("Information", "test.json-lines", "hello world\nsecond line ü"),
                         (record["LogLevel"], record["Category"], record["Message"]))
        self.assertEqual([], record["Scopes"])
        self.assertRegex(record["Timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertTrue(self.stream.getvalue().isascii())

    def test_a_record_inside_a_handler_carries_its_trace_and_span(self):
        span = Span.child_of("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        token = current_span.set(span)
        try:
            self.logger.warning("traced")
        finally:
            current_span.reset(token)
        [record] = self.lines()
        self.assertEqual([{"TraceId": "0af7651916cd43dd8448eb211c80319c", "SpanId": span.span_id}], record["Scopes"])

    def test_an_exception_is_its_traceback(self):
        try:
            raise KeyError("missing")
        except KeyError:
            self.logger.exception("failed")
        [record] = self.lines()
        self.assertEqual("Error", record["LogLevel"])
        self.assertIn("KeyError: 'missing'", record["Exception"])

    def test_python_levels_map_to_the_dotnet_names(self):
        self.assertEqual(["Trace", "Debug", "Information", "Warning", "Error", "Critical"],
                         [level_name(level) for level in (5, logging.DEBUG, logging.INFO, logging.WARNING,
                                                          logging.ERROR, logging.CRITICAL)])


if __name__ == "__main__":
    unittest.main()
