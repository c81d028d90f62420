import { AsyncLocalStorage } from 'node:async_hooks';
import type { TraceContext } from './traceContext';

/** Log levels, in the names the supervisor reads (the .NET JSON console shape). */
export type LogLevel = 'Trace' | 'Debug' | 'Information' | 'Warning' | 'Error' | 'Critical';

/** Writes lines into the supervisor's log. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string, error?: unknown): void;
  error(message: string, error?: unknown): void;
  critical(message: string, error?: unknown): void;
  log(level: LogLevel, message: string, error?: unknown): void;
}

// The trace of the call being handled follows the handler through every await, so any logger used inside a
// handler (not only the one in its context) writes the caller's trace id.
const currentTrace = new AsyncLocalStorage<TraceContext>();

/** Runs `body` with `trace` as the trace of every line logged inside it. */
export function withTrace<T>(trace: TraceContext, body: () => T): T {
  return currentTrace.run(trace, body);
}

/**
 * A logger for `category`. Each line is one JSON object on stderr (stdout carries only the ready line) in the shape
 * docs/protocol.md documents: `{"Timestamp","LogLevel","Category","Message","Exception","Scopes":[{"TraceId","SpanId"}]}`.
 * The supervisor logs it at its level with plugin, version and instance, in the call's trace.
 */
export function createLogger(category: string): Logger {
  const log = (level: LogLevel, message: string, error?: unknown): void => writeLine(level, category, message, error);
  return {
    trace: (message) => log('Trace', message),
    debug: (message) => log('Debug', message),
    info: (message) => log('Information', message),
    warn: (message, error) => log('Warning', message, error),
    error: (message, error) => log('Error', message, error),
    critical: (message, error) => log('Critical', message, error),
    log,
  };
}

function writeLine(level: LogLevel, category: string, message: string, error: unknown): void {
  const trace = currentTrace.getStore();
  const line: Record<string, unknown> = {
    Timestamp: new Date().toISOString(),
    EventId: 0,
    LogLevel: level,
    Category: category,
    Message: String(message),
  };
  if (error !== undefined) {
    line.Exception = error instanceof Error ? error.stack ?? `${error.name}: ${error.message}` : String(error);
  }
  if (trace) {
    line.Scopes = [{ TraceId: trace.traceId, SpanId: trace.spanId }];
  }
  // Synchronous on pipes and files on Linux, so a line written just before process.exit is not lost.
  process.stderr.write(JSON.stringify(line) + '\n');
}
