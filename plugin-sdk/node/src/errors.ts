import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

/**
 * The `"<type>: <message>"` text of an UNKNOWN reply. Outside .NET the "type" is the error's class: its
 * constructor's name (`class ConformanceError extends Error` gives `ConformanceError`), or its `name` when that was
 * set to something more specific than the constructor's; a thrown non-Error value is described by its JavaScript type.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const constructorName = error.constructor?.name;
    const type = error.name && error.name !== 'Error' && error.name !== constructorName ? error.name : constructorName || error.name || 'Error';
    return `${type}: ${error.message}`;
  }
  if (error === null || error === undefined) {
    return `${String(error)}: a handler threw ${String(error)}`;
  }
  const type = typeof error === 'object' ? error.constructor?.name ?? 'Object' : typeof error;
  return `${type}: ${String(error)}`;
}

/** The reason an aborted handler signal carries when the call's deadline passed. */
export function deadlineReason(eventName: string): Error {
  const error = new Error(`event '${eventName}' reached its deadline`);
  error.name = 'TimeoutError';
  return error;
}

/** The reason an aborted handler signal carries when the caller gave up before the deadline. */
export function cancelledReason(eventName: string): Error {
  const error = new Error(`the caller cancelled event '${eventName}'`);
  error.name = 'AbortError';
  return error;
}

/** A gRPC error to answer a call with. */
export function grpcError(code: status, details: string): ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new Metadata() });
}
