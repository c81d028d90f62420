"""The conformance plugin (docs: the conformance contract every SDK's plugin implements), on the SDK's public API only."""

import asyncio
import json
import os
import sys
import threading

from plugin_supervisor import Plugin, Reply

plugin = Plugin()
_cancellations = 0
_cancellations_lock = threading.Lock()


class ConformanceError(Exception):
    """What the ``throw`` event raises."""


def _count_cancellation() -> None:
    global _cancellations
    with _cancellations_lock:
        _cancellations += 1


@plugin.on("echo")
def echo(event, ctx):
    return Reply(event.payload, event.content_type)


@plugin.on("settings")
def settings(event, ctx):
    return Reply(json.dumps(dict(ctx.settings)).encode(), "application/json")


@plugin.on("sleep")
async def sleep(event, ctx):
    milliseconds = int(event.payload.decode("ascii"))
    try:
        await asyncio.sleep(milliseconds / 1000)
    except asyncio.CancelledError:
        _count_cancellation()
        raise
    return f"slept {milliseconds} ms"


@plugin.on("cancellations")
def cancellations(event, ctx):
    with _cancellations_lock:
        return str(_cancellations)


@plugin.on("hang")
def hang(event, ctx):
    while True:
        pass


@plugin.on("throw")
def throw(event, ctx):
    raise ConformanceError("thrown on request")


@plugin.on("crash")
def crash(event, ctx):
    print("conformance: crashing on request", file=sys.stderr, flush=True)
    os._exit(3)


@plugin.on("log")
def log(event, ctx):
    ctx.logger.info("%s", event.payload.decode("utf-8", errors="replace"))
    return "logged"


if __name__ == "__main__":
    plugin.run()
