import { timingSafeEqual } from 'node:crypto';
import { status, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { grpcError } from './errors';

/**
 * Checks `authorization: Bearer <token>` on a call's metadata. Returns the UNAUTHENTICATED error to answer with, or
 * `undefined` when the token is right. Every method of every service (health included) goes through it.
 */
export function createTokenCheck(token: string, service: string): (metadata: Metadata) => ServiceError | undefined {
  const expected = Buffer.from(`Bearer ${token}`, 'utf8');
  return (metadata) => {
    const values = metadata.get('authorization');
    if (values.length === 0) {
      return grpcError(status.UNAUTHENTICATED, `${service} requires 'authorization: Bearer <token>'`);
    }
    const presented = Buffer.from(String(values[0]), 'utf8');
    // Constant time for equal lengths, so the comparison does not leak how much of a guess was right.
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      return grpcError(status.UNAUTHENTICATED, `${service} refused the token: it is not valid`);
    }
    return undefined;
  };
}

