import type { Logger } from './logging';

/** One event the supervisor routed to this process. */
export interface PluginEvent {
  /** The caller's id for the event, or one the supervisor generated. */
  readonly id: string;
  /** What happened, e.g. `customer.created`. */
  readonly name: string;
  /** The event's bytes. */
  readonly payload: Uint8Array;
  /** The payload's media type, as the caller gave it (may be empty). */
  readonly contentType: string;
  /** The caller's attributes. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The call's deadline, or `undefined` when the call has none. */
  readonly deadline: Date | undefined;
  /** The payload decoded as UTF-8 text. */
  text(): string;
}

/** What a handler receives beside the event. */
export interface HandlerContext {
  /** Aborted at the call's deadline (reason: a `TimeoutError`), or when the caller gives up (an `AbortError`). */
  readonly signal: AbortSignal;
  /** The plugin's `Settings` from the supervisor's configuration. */
  readonly settings: Readonly<Record<string, string>>;
  /** Logs to the supervisor's log with plugin, instance and this call's trace id. */
  readonly logger: Logger;
  /** The W3C trace id of the call (the caller's, when it sent a `traceparent`), 32 hex digits. */
  readonly traceId: string;
  /** Who this process is. */
  readonly plugin: PluginInfo;
}

/** What the supervisor told this process about itself at start. */
export interface PluginInfo {
  /** The plugin's configured name. */
  readonly name: string;
  /** The plugin version this process runs. */
  readonly version: string;
  /** The id the supervisor gave this process. */
  readonly instanceId: string;
  /** The plugin's `Settings`. */
  readonly settings: Readonly<Record<string, string>>;
}

/** A handler's reply. */
export interface PluginReply {
  /** The reply's bytes; a string is sent as UTF-8. Defaults to empty. */
  readonly payload?: Uint8Array | string;
  /** The reply's media type. Defaults to `text/plain; charset=utf-8` for a string payload, else empty. */
  readonly contentType?: string;
  /** Attributes returned to the caller. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** What a handler may return: a reply, bare bytes or text, or nothing (an empty reply). */
export type HandlerResult = PluginReply | Uint8Array | string | void;

/** A plugin: its handler and the event names it handles. */
export interface PluginDefinition {
  /**
   * The event names this plugin handles, reported by `Describe`; an event with another name is refused with
   * UNIMPLEMENTED before the handler runs. Omitted or empty: every event reaches the handler.
   */
  readonly eventNames?: readonly string[];
  /**
   * Handles one event. Whatever it throws (or rejects with) is answered UNKNOWN `"<type>: <message>"`; the process
   * lives on. A synchronous loop here blocks Node's event loop: the supervisor then sees no liveness answer and
   * replaces the process.
   */
  handleEvent(event: PluginEvent, context: HandlerContext): Promise<HandlerResult> | HandlerResult;
  /**
   * Runs once before the ready line, so the first call sees what it set up (a connection, a cache). If it throws (or
   * rejects), the process writes `<plugin>: the start hook failed: <type>: <message>` on stderr and exits with
   * `START_HOOK_FAILED_EXIT_CODE` (3): the supervisor counts a failed start and quotes the line.
   */
  start?(context: StartContext): Promise<void> | void;
  /**
   * Runs once on a drain (the supervisor's `Shutdown`, SIGTERM, SIGINT) after the in-flight handlers finished or the
   * grace ran out; not when stdin reaches end of file (the supervisor is gone). What it throws is logged.
   */
  stop?(context: StopContext): Promise<void> | void;
}

/** What the start hook receives. */
export interface StartContext {
  /** Who this process is, with its `Settings`. */
  readonly plugin: PluginInfo;
}

/** What the stop hook receives. */
export interface StopContext {
  /** Who this process is, with its `Settings`. */
  readonly plugin: PluginInfo;
  /**
   * Aborted when the drain's grace ends, and never sooner than `STOP_HOOK_MINIMUM_GRACE_MS` (one second) after the hook
   * starts (a `Shutdown` with no call in flight carries a zero grace). The process exits then, returned or not.
   */
  readonly signal: AbortSignal;
}

/** Options of {@link runPlugin} beyond the plugin itself. */
export interface RunOptions {
  /** How long in-flight handlers may finish after SIGTERM or SIGINT, in milliseconds. Defaults to 5000. */
  readonly signalDrainGraceMs?: number;
}
