"""The supervisor holds the plugin's stdin open for the plugin's whole life: end of file means the supervisor is gone
(even SIGKILLed), and the plugin must not outlive it."""

from __future__ import annotations

import os
import threading
from typing import Callable


def watch_stdin(on_end_of_file: Callable[[], None]) -> None:
    def read_until_end() -> None:
        try:
            while os.read(0, 256):
                pass  # the supervisor writes nothing; anything read is ignored
        except OSError:
            pass  # a closed or broken stdin is an end of file too
        on_end_of_file()

    threading.Thread(target=read_until_end, name="plugin-supervisor-stdin", daemon=True).start()
