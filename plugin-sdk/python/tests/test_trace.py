import unittest

from plugin_supervisor._trace import Span

PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


class ChildSpans(unittest.TestCase):
    def test_a_valid_traceparent_is_continued_with_a_new_span(self):
        span = Span.child_of(PARENT, "vendor=1")
        self.assertEqual("0af7651916cd43dd8448eb211c80319c", span.trace_id)
        self.assertEqual("b7ad6b7169203331", span.parent_span_id)
        self.assertRegex(span.span_id, "^[0-9a-f]{16}$")
        self.assertNotEqual("b7ad6b7169203331", span.span_id)
        self.assertEqual(f"00-0af7651916cd43dd8448eb211c80319c-{span.span_id}-01", span.traceparent)
        self.assertEqual("vendor=1", span.tracestate)

    def test_a_future_version_with_more_fields_is_continued(self):
        self.assertEqual("0af7651916cd43dd8448eb211c80319c",
                         Span.child_of("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-more").trace_id)

    def test_a_missing_or_invalid_traceparent_starts_a_new_trace(self):
        for header in (None, "", "garbage", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                       "00-00000000000000000000000000000000-b7ad6b7169203331-01",
                       "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
                       PARENT + "-extra"):
            with self.subTest(header=header):
                span = Span.child_of(header)
                self.assertIsNone(span.parent_span_id)
                self.assertRegex(span.trace_id, "^[0-9a-f]{32}$")
                self.assertNotEqual("0af7651916cd43dd8448eb211c80319c", span.trace_id)


if __name__ == "__main__":
    unittest.main()
