"""The handshake variables the supervisor sets when it starts a plugin (docs/protocol.md, section 1)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Mapping

PROTOCOL_VERSION = "1"
PROTOCOL_VERSION_VARIABLE = "SUPERVISOR_PROTOCOL_VERSION"
ADDRESS_VARIABLE = "SUPERVISOR_PLUGIN_ADDRESS"
TOKEN_VARIABLE = "SUPERVISOR_PLUGIN_TOKEN"
NAME_VARIABLE = "SUPERVISOR_PLUGIN_NAME"
VERSION_VARIABLE = "SUPERVISOR_PLUGIN_VERSION"
INSTANCE_ID_VARIABLE = "SUPERVISOR_INSTANCE_ID"
SETTINGS_VARIABLE = "SUPERVISOR_PLUGIN_SETTINGS"
READY_PREFIX = "SUPERVISOR_PLUGIN_READY"

_UNIX_SCHEME = "unix://"


class HandshakeError(Exception):
    """The environment is not a supervisor's handshake; the message is worded for a person who started the plugin by hand."""


@dataclass(frozen=True)
class PluginInfo:
    """What the supervisor told this process about itself at start."""

    name: str
    """The plugin's configured name."""
    version: str
    """The plugin version this process runs."""
    instance_id: str
    """The id the supervisor gave this process."""
    settings: Mapping[str, str]
    """The plugin's ``Settings`` from the supervisor's configuration."""


@dataclass(frozen=True)
class Handshake:
    """The parsed handshake: where to serve, the token every call must carry, and who this process is."""

    socket_path: str
    token: str
    info: PluginInfo

    @property
    def address(self) -> str:
        return _UNIX_SCHEME + self.socket_path

    def ready_line(self) -> str:
        return f"{READY_PREFIX} {PROTOCOL_VERSION} {self.address}"


def read_handshake(environ: Mapping[str, str] = os.environ) -> Handshake:
    """Reads the handshake from ``environ``, raising :class:`HandshakeError` saying what is missing or wrong."""
    protocol = environ.get(PROTOCOL_VERSION_VARIABLE, "")
    address = environ.get(ADDRESS_VARIABLE, "")
    token = environ.get(TOKEN_VARIABLE, "")
    if not protocol and not address and not token:
        raise HandshakeError("it was started without the supervisor's handshake variables")
    if protocol != PROTOCOL_VERSION:
        raise HandshakeError(
            f"{PROTOCOL_VERSION_VARIABLE} is '{protocol}', but this SDK speaks protocol {PROTOCOL_VERSION}")
    if not address.startswith(_UNIX_SCHEME) or len(address) == len(_UNIX_SCHEME):
        raise HandshakeError(f"{ADDRESS_VARIABLE} is '{address}', expected unix:///absolute/path.sock")
    socket_path = address[len(_UNIX_SCHEME):]
    if not os.path.isabs(socket_path):
        raise HandshakeError(f"{ADDRESS_VARIABLE} is '{address}', expected an absolute socket path")
    if not token:
        raise HandshakeError(f"{TOKEN_VARIABLE} is not set")
    info = PluginInfo(
        name=environ.get(NAME_VARIABLE, ""),
        version=environ.get(VERSION_VARIABLE, ""),
        instance_id=environ.get(INSTANCE_ID_VARIABLE, ""),
        settings=_read_settings(environ.get(SETTINGS_VARIABLE, "")),
    )
    return Handshake(socket_path=socket_path, token=token, info=info)


def _read_settings(text: str) -> Mapping[str, str]:
    if not text.strip():
        return {}
    try:
        document = json.loads(text)
    except ValueError as error:
        raise HandshakeError(f"{SETTINGS_VARIABLE} is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise HandshakeError(f"{SETTINGS_VARIABLE} must be a JSON object of strings")
    # A value that is not a string keeps its JSON text, as the .NET SDK does.
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in document.items()}


def usage_message(program: str, reason: str) -> str:
    """What a person who started the plugin by hand reads on stderr."""
    return (
        f"{program} is a Plugin Supervisor plugin: {reason}.\n"
        "It is not meant to be started by hand. Put it under PluginsRoot/<name>/<version>/ with a plugin.json\n"
        "and run it through the supervisor (supervisor run --config supervisor.json), which starts it with\n"
        f"{PROTOCOL_VERSION_VARIABLE}, {ADDRESS_VARIABLE} and {TOKEN_VARIABLE} set.\n"
        "See docs/protocol.md for the handshake."
    )
