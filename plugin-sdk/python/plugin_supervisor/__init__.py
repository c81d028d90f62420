"""Plugin Supervisor's Python SDK: write a plugin's event handler; the shim owns the handshake, the token check,
liveness, draining and logging. See README.md."""

__version__ = "0.1.0"

from ._handshake import PluginInfo  # noqa: E402
from ._hooks import StopContext  # noqa: E402
from ._plugin import Plugin, run_plugin  # noqa: E402
from ._types import Context, Event, HandlerCancelled, Reply  # noqa: E402

__all__ = ["Context", "Event", "HandlerCancelled", "Plugin", "PluginInfo", "Reply", "StopContext", "run_plugin", "__version__"]
