"""How a handler's exception is named to the caller: ``UNKNOWN`` with ``"<exception type>: <message>"``."""

from __future__ import annotations


def exception_type_name(error: BaseException) -> str:
    """The exception's class, qualified by its module unless that is ``builtins`` or the ``__main__`` script
    (``ValueError``, ``ConformanceError``, ``orders.errors.OrderRejected``)."""
    kind = type(error)
    if kind.__module__ in ("builtins", "__main__"):
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def describe(error: BaseException) -> str:
    message = str(error)
    return f"{exception_type_name(error)}: {message}" if message else exception_type_name(error)
