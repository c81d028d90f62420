import { randomBytes } from 'node:crypto';

/** The trace a call belongs to and the span the SDK opens for its handler (W3C trace context). */
export interface TraceContext {
  readonly traceId: string;
  readonly spanId: string;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * Continues the caller's trace when the call carries a valid `traceparent`, else starts a new one. The handler
 * always gets a span id of its own, as a child span would (the .NET SDK's `handle` activity does the same).
 */
export function continueTrace(traceparent: string | undefined): TraceContext {
  const match = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
  const traceId = match && match[1] !== ZERO_TRACE && match[2] !== ZERO_SPAN ? match[1] : randomBytes(16).toString('hex');
  return { traceId, spanId: randomBytes(8).toString('hex') };
}
