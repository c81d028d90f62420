import { isAbsolute } from 'node:path';
import type { PluginInfo } from './types';

/** The protocol version this SDK speaks. */
export const PROTOCOL_VERSION = '1';

/** The handshake variables the supervisor sets when it starts a plugin (docs/protocol.md). */
export const Variables = {
  protocolVersion: 'SUPERVISOR_PROTOCOL_VERSION',
  address: 'SUPERVISOR_PLUGIN_ADDRESS',
  token: 'SUPERVISOR_PLUGIN_TOKEN',
  name: 'SUPERVISOR_PLUGIN_NAME',
  version: 'SUPERVISOR_PLUGIN_VERSION',
  instanceId: 'SUPERVISOR_INSTANCE_ID',
  settings: 'SUPERVISOR_PLUGIN_SETTINGS',
} as const;

const UNIX_SCHEME = 'unix://';

/** What the handshake told this process. */
export interface Handshake {
  readonly socketPath: string;
  readonly address: string;
  readonly token: string;
  readonly plugin: PluginInfo;
}

/** Reads the handshake, or returns why it cannot, worded for a person who started the plugin by hand. */
export function readHandshake(env: NodeJS.ProcessEnv): Handshake | string {
  const protocol = env[Variables.protocolVersion];
  const address = env[Variables.address];
  const token = env[Variables.token];
  if (!protocol && !address && !token) {
    return "it was started without the supervisor's handshake variables";
  }
  if (protocol !== PROTOCOL_VERSION) {
    return `${Variables.protocolVersion} is '${protocol ?? ''}', but this SDK speaks protocol ${PROTOCOL_VERSION}`;
  }
  if (!address || !address.startsWith(UNIX_SCHEME) || address.length === UNIX_SCHEME.length) {
    return `${Variables.address} is '${address ?? ''}', expected unix:///absolute/path.sock`;
  }
  const socketPath = address.slice(UNIX_SCHEME.length);
  if (!isAbsolute(socketPath)) {
    return `${Variables.address} is '${address}', expected an absolute socket path`;
  }
  if (!token) {
    return `${Variables.token} is not set`;
  }
  const settings = readSettings(env[Variables.settings]);
  if (typeof settings === 'string') {
    return settings;
  }
  return {
    socketPath,
    address,
    token,
    plugin: {
      name: env[Variables.name] ?? '',
      version: env[Variables.version] ?? '',
      instanceId: env[Variables.instanceId] ?? '',
      settings,
    },
  };
}

function readSettings(json: string | undefined): Readonly<Record<string, string>> | string {
  if (!json || !json.trim()) {
    return Object.freeze({});
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    return `${Variables.settings} is not valid JSON: ${(error as Error).message}`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return `${Variables.settings} must be a JSON object of strings`;
  }
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    // As the .NET SDK does: a value that is not a string is kept as its JSON text.
    settings[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return Object.freeze(settings);
}

/** The message printed on stderr when the plugin was not started by a supervisor. */
export function usageMessage(reason: string): string {
  const executable = process.argv[1] ?? 'this program';
  return [
    `${executable} is a Plugin Supervisor plugin: ${reason}.`,
    'It is not meant to be started by hand. Put it under PluginsRoot/<name>/<version>/ with a plugin.json',
    'and run it through the supervisor (supervisor run --config supervisor.json), which starts it with',
    `${Variables.protocolVersion}, ${Variables.address} and ${Variables.token} set.`,
    'See docs/protocol.md for the handshake.',
  ].join('\n');
}
