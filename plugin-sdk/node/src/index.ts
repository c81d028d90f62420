/**
 * The Plugin Supervisor SDK for Node: `runPlugin({ handleEvent })` turns a handler into a supervised plugin process.
 * See README.md, and docs/protocol.md in the repository for the wire contract.
 */
export { runPlugin, USAGE_EXIT_CODE, START_FAILED_EXIT_CODE } from './runPlugin';
export { START_HOOK_FAILED_EXIT_CODE, STOP_HOOK_MINIMUM_GRACE_MS } from './hooks';
export { createLogger } from './logging';
export type { Logger, LogLevel } from './logging';
export { describeError } from './errors';
export { PROTOCOL_VERSION } from './handshake';
export type { HandlerContext, HandlerResult, PluginDefinition, PluginEvent, PluginInfo, PluginReply, RunOptions, StartContext, StopContext } from './types';
