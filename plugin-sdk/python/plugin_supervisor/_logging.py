"""Log lines in the shape the supervisor reads back into its own log (docs/protocol.md, section 2): one JSON object per
line on stderr (stdout carries the ready line), shaped like .NET's JSON console, with the trace of the handler's call."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Optional, TextIO

from ._trace import current_span

# Python levels to .NET level names; anything below DEBUG is Trace.
_LEVELS = ((logging.CRITICAL, "Critical"), (logging.ERROR, "Error"), (logging.WARNING, "Warning"),
           (logging.INFO, "Information"), (logging.DEBUG, "Debug"))


def level_name(levelno: int) -> str:
    for threshold, name in _LEVELS:
        if levelno >= threshold:
            return name
    return "Trace"


class JsonLineFormatter(logging.Formatter):
    """Formats a record as one line: ``{"Timestamp","EventId","LogLevel","Category","Message","Exception"?,"Scopes"}``."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "EventId": 0,
            "LogLevel": level_name(record.levelno),
            "Category": record.name,
            "Message": record.getMessage(),
        }
        if record.exc_info:
            line["Exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["Exception"] = record.exc_text
        span = current_span.get()
        line["Scopes"] = [] if span is None else [{"TraceId": span.trace_id, "SpanId": span.span_id}]
        # ensure_ascii keeps the line one line of plain ASCII whatever the message holds.
        return json.dumps(line, ensure_ascii=True, separators=(",", ":"))


def install(level: int = logging.INFO, stream: Optional[TextIO] = None) -> logging.Handler:
    """Sends every logger's records (the plugin's, the SDK's, libraries') to stderr as JSON lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
