"""The test plugin of tests/test_shim.py: each event exercises one duty of the shim, in both handler forms."""

import asyncio
import json
import threading

from plugin_supervisor import HandlerCancelled, Plugin, Reply

plugin = Plugin()
_cancellations = {"sync": 0, "async": 0}
_lock = threading.Lock()
_stop_blocking = threading.Event()


class ProbeError(Exception):
    pass


def _cancelled(kind):
    with _lock:
        _cancellations[kind] += 1


@plugin.on("echo")
def echo(event, ctx):
    return Reply(event.payload, event.content_type, {"trace-id": ctx.trace_id, "handler-thread": threading.current_thread().name})


@plugin.on("sleep-sync")
def sleep_sync(event, ctx):
    if ctx.cancelled.wait(int(event.payload) / 1000):
        _cancelled("sync")
        raise HandlerCancelled()
    return f"slept {int(event.payload)} ms"


@plugin.on("sleep-async")
async def sleep_async(event, ctx):
    try:
        await asyncio.sleep(int(event.payload) / 1000)
    except asyncio.CancelledError:
        _cancelled("async")
        raise
    return f"slept {int(event.payload)} ms"


@plugin.on("cancellations")
def cancellations(event, ctx):
    with _lock:
        return json.dumps(_cancellations)


@plugin.on("hang-sync")
def hang_sync(event, ctx):
    while True:
        pass


@plugin.on("block-sync")
def block_sync(event, ctx):
    threading.Event().wait()  # blocked forever without holding the GIL, unlike hang-sync


@plugin.on("hang-async")
async def hang_async(event, ctx):
    while True:  # blocks the handlers' event loop, never the shim
        pass


@plugin.on("throw")
def throw(event, ctx):
    raise ProbeError("thrown on request")


@plugin.on("throw-async")
async def throw_async(event, ctx):
    raise ValueError("thrown from a coroutine")


@plugin.on("wrong-type")
def wrong_type(event, ctx):
    return 42


@plugin.on("log")
def log(event, ctx):
    ctx.logger.warning("%s", event.payload.decode())
    return "logged"


@plugin.on("print")
def print_line(event, ctx):
    print(event.payload.decode())  # no flush: the shim makes stdout line-buffered
    return "printed"


@plugin.on("settings")
async def settings(event, ctx):
    return Reply(json.dumps(dict(ctx.settings)).encode(), "application/json")


if __name__ == "__main__":
    plugin.run(max_concurrency=4, signal_drain_grace=5.0)
