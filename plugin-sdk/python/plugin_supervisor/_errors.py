"""How a handler's exception is named to the caller: ``UNKNOWN`` with ``"<exception type>: <message>"``."""

from __future__ import annotations


def describe(error: BaseException) -> str:
    """``"<type>: <message>"`` with the class's own name, as docs/protocol.md has it for Python
    (``type(error).__name__``: ``ValueError: bad``, ``ConformanceError: thrown on request``)."""
    message = str(error)
    name = type(error).__name__
    return f"{name}: {message}" if message else name
