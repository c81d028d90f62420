"""Which handler answers which event name, and what ``Describe`` lists."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional

Handler = Callable[..., Any]


class Routes:
    def __init__(self, fallback: Optional[Handler], event_names: Iterable[str], named: Dict[str, Handler]) -> None:
        self._fallback = fallback
        self._declared = list(dict.fromkeys(event_names))
        self._named = dict(named)

    @property
    def event_names(self) -> List[str]:
        """The names ``Describe`` reports; empty (every event) for a catch-all handler with no declared names."""
        if self._fallback is not None and not self._declared:
            return []
        return list(dict.fromkeys([*self._named, *self._declared]))

    def find(self, event_name: str) -> Optional[Handler]:
        handler = self._named.get(event_name)
        if handler is not None:
            return handler
        if self._fallback is not None and (not self._declared or event_name in self._declared):
            return self._fallback
        return None

    def unknown_event_message(self, plugin_name: str, event_name: str) -> str:
        return f"plugin '{plugin_name}' does not handle event '{event_name}'; it handles: {', '.join(self.event_names)}"
