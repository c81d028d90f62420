"""W3C trace context: the caller's ``traceparent`` continued by the handler, and in its log lines."""

from __future__ import annotations

import contextvars
import os
import re
from dataclasses import dataclass
from typing import Optional

_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")
_INVALID_TRACE = "0" * 32
_INVALID_SPAN = "0" * 16


@dataclass(frozen=True)
class Span:
    """The handler's span: a child of the caller's span when the call carried a ``traceparent``, else a new trace."""

    trace_id: str
    span_id: str
    parent_span_id: Optional[str]
    flags: str
    tracestate: Optional[str] = None

    @property
    def traceparent(self) -> str:
        """The ``traceparent`` to send on calls the handler makes, so they join the same trace."""
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"

    @staticmethod
    def child_of(traceparent: Optional[str], tracestate: Optional[str] = None) -> "Span":
        """A new span under ``traceparent``; a missing or malformed header (per the W3C rules) starts a new trace."""
        match = _TRACEPARENT.match(traceparent.strip().lower()) if traceparent else None
        if match:
            version, trace_id, parent_id, flags, rest = match.groups()
            # Version ff is invalid, and version 00 allows nothing after the flags.
            if version != "ff" and not (version == "00" and rest) and trace_id != _INVALID_TRACE and parent_id != _INVALID_SPAN:
                return Span(trace_id, _new_id(8), parent_id, flags, tracestate)
        return Span(_new_id(16), _new_id(8), None, "00")


def _new_id(size: int) -> str:
    while True:
        value = os.urandom(size).hex()
        if value.strip("0"):
            return value


current_span: contextvars.ContextVar[Optional[Span]] = contextvars.ContextVar("plugin_supervisor_span", default=None)
"""The span of the handler running in this thread or task; log lines written there carry its ids."""
