import { status, type Metadata, type sendUnaryData, type ServerUnaryCall, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { cancelledReason, deadlineReason, describeError, grpcError as error } from './errors';
import type { InFlightTracker } from './inFlight';
import type { ShimLifetime } from './lifetime';
import { createLogger, withTrace, type Logger } from './logging';
import { continueTrace } from './traceContext';
import type { HandlerContext, HandlerResult, PluginDefinition, PluginEvent, PluginInfo } from './types';

// The request and response shapes come from the descriptors at run time, hence `any`.
type Unary = (call: ServerUnaryCall<any, any>, callback: sendUnaryData<any>) => void;

interface WireEvent {
  id: string;
  name: string;
  payload: Buffer;
  content_type: string;
  attributes: Record<string, string>;
}

/** What the PluginService methods share. */
export interface PluginServiceDeps {
  readonly definition: PluginDefinition;
  readonly plugin: PluginInfo;
  readonly inFlight: InFlightTracker;
  readonly lifetime: ShimLifetime;
  readonly shimLogger: Logger;
  readonly sdkVersion: string;
}

const TEXT = 'text/plain; charset=utf-8';

/** Serves `supervisor.plugin.v1.PluginService` for the plugin's handler. */
export function pluginService(deps: PluginServiceDeps): UntypedServiceImplementation {
  const { definition, plugin, inFlight, lifetime, shimLogger } = deps;
  const eventNames = [...(definition.eventNames ?? [])];
  const handled = new Set(eventNames);
  const handlerLogger = createLogger(plugin.name || 'plugin');

  const HandleEvent: Unary = (call, callback) => {
    if (lifetime.isDraining) {
      return callback(error(status.UNAVAILABLE, `plugin '${plugin.name}' is shutting down and takes no new calls`));
    }
    const wire = call.request.event as WireEvent | null;
    if (!wire) {
      return callback(error(status.INVALID_ARGUMENT, 'the request carries no event'));
    }
    if (handled.size > 0 && !handled.has(wire.name)) {
      return callback(
        error(status.UNIMPLEMENTED, `plugin '${plugin.name}' does not handle event '${wire.name}'; it handles ${eventNames.join(', ')}`),
      );
    }
    handle(call, wire, callback);
  };

  function handle(call: ServerUnaryCall<any, any>, wire: WireEvent, callback: sendUnaryData<any>): void {
    const deadlineMs = deadlineOf(call);
    const controller = new AbortController();
    let answered = false;
    const answer = (err: ServiceError | null, value?: unknown): void => {
      if (!answered) {
        answered = true;
        callback(err, value);
      }
    };
    // Answer at the deadline even when the handler ignores its signal; the tracker keeps counting the handler
    // until it really returns, which is what GetStatus reports as past its deadline.
    const onAbort = (): void =>
      answer(
        controller.signal.reason?.name === 'TimeoutError'
          ? error(status.DEADLINE_EXCEEDED, `event '${wire.name}' was still being handled at its deadline`)
          : error(status.CANCELLED, 'the caller cancelled the call'),
      );
    controller.signal.addEventListener('abort', onAbort, { once: true });
    const timer = Number.isFinite(deadlineMs)
      ? setTimeout(() => controller.abort(deadlineReason(wire.name)), Math.max(0, deadlineMs - Date.now()))
      : undefined;
    call.once('cancelled', () => {
      if (!controller.signal.aborted) {
        controller.abort(Date.now() >= deadlineMs ? deadlineReason(wire.name) : cancelledReason(wire.name));
      }
    });

    const trace = continueTrace(firstString(call.metadata, 'traceparent'));
    const event = toEvent(wire, deadlineMs);
    const context: HandlerContext = { signal: controller.signal, settings: plugin.settings, logger: handlerLogger, traceId: trace.traceId, plugin };
    const id = inFlight.begin(deadlineMs);
    withTrace(trace, () => invoke(event, context)).then(
      (result) => answer(null, toResponse(result)),
      (thrown: unknown) => {
        if (controller.signal.aborted) {
          onAbort();
          return;
        }
        const description = describeError(thrown);
        withTrace(trace, () => shimLogger.warn(`Handler for event '${wire.name}' (${wire.id}) threw`, thrown));
        answer(error(status.UNKNOWN, description));
      },
    ).finally(() => {
      clearTimeout(timer);
      controller.signal.removeEventListener('abort', onAbort);
      inFlight.end(id);
    });
  }

  async function invoke(event: PluginEvent, context: HandlerContext): Promise<HandlerResult> {
    // Inside an async function, so a synchronous throw becomes a rejection like any other.
    return await definition.handleEvent(event, context);
  }

  const Describe: Unary = (_call, callback) =>
    callback(null, { name: plugin.name, version: plugin.version, sdk: 'node', sdk_version: deps.sdkVersion, event_names: eventNames });

  const GetStatus: Unary = (_call, callback) => {
    const { pastDeadline, maxOverdueMs } = inFlight.overdue();
    callback(null, { in_flight: inFlight.count, past_deadline: pastDeadline, max_overdue: toDuration(maxOverdueMs), draining: lifetime.isDraining });
  };

  const Shutdown: Unary = (call, callback) => {
    const grace = call.request.grace as { seconds: number; nanos: number } | null;
    const graceMs = grace ? grace.seconds * 1000 + Math.floor(grace.nanos / 1e6) : 0;
    if (graceMs < 0) {
      return callback(error(status.INVALID_ARGUMENT, `grace must not be negative (got ${graceMs} ms)`));
    }
    const count = inFlight.count;
    callback(null, { in_flight: count });
    lifetime.drain(graceMs, 'the supervisor asked for a shutdown');
  };

  return { HandleEvent, Describe, GetStatus, Shutdown };
}

function deadlineOf(call: ServerUnaryCall<unknown, unknown>): number {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : Number(deadline);
  return Number.isFinite(ms) ? ms : Infinity;
}

function toEvent(wire: WireEvent, deadlineMs: number): PluginEvent {
  const payload = wire.payload ?? Buffer.alloc(0);
  return {
    id: wire.id,
    name: wire.name,
    payload,
    contentType: wire.content_type,
    attributes: Object.freeze({ ...(wire.attributes ?? {}) }),
    deadline: Number.isFinite(deadlineMs) ? new Date(deadlineMs) : undefined,
    text: () => Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'),
  };
}

function toResponse(result: HandlerResult): { payload: Buffer; content_type: string; attributes: Record<string, string> } {
  if (result === undefined || result === null) {
    return { payload: Buffer.alloc(0), content_type: '', attributes: {} };
  }
  if (typeof result === 'string') {
    return { payload: Buffer.from(result, 'utf8'), content_type: TEXT, attributes: {} };
  }
  if (result instanceof Uint8Array) {
    return { payload: asBuffer(result), content_type: '', attributes: {} };
  }
  const payload = result.payload;
  return {
    payload: typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload ? asBuffer(payload) : Buffer.alloc(0),
    content_type: result.contentType ?? (typeof payload === 'string' ? TEXT : ''),
    attributes: { ...(result.attributes ?? {}) },
  };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toDuration(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

function firstString(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return value === undefined ? undefined : String(value);
}
