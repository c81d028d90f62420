import { status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { grpcError as error } from './errors';
import type { ShimLifetime } from './lifetime';

type Status = 'SERVING' | 'NOT_SERVING';

/**
 * The standard `grpc.health.v1.Health` service for the whole server (service name ""): SERVING, NOT_SERVING once the
 * plugin drains. Any other service name is NOT_FOUND, as grpc-dotnet's health service answers.
 */
export function healthService(lifetime: ShimLifetime): UntypedServiceImplementation {
  const current = (): Status => (lifetime.isDraining ? 'NOT_SERVING' : 'SERVING');

  const Check = (call: ServerUnaryCall<{ service: string }, unknown>, callback: sendUnaryData<unknown>): void => {
    if (call.request.service) {
      return callback(error(status.NOT_FOUND, `unknown service '${call.request.service}'; this plugin reports health for "" only`));
    }
    callback(null, { status: current() });
  };

  const Watch = (call: ServerWritableStream<{ service: string }, unknown>): void => {
    if (call.request.service) {
      call.write({ status: 'SERVICE_UNKNOWN' });
      return;
    }
    call.write({ status: current() });
    const onDraining = (): void => {
      call.write({ status: 'NOT_SERVING' });
    };
    lifetime.once('draining', onDraining);
    call.once('cancelled', () => lifetime.off('draining', onDraining));
  };

  return { Check, Watch } as UntypedServiceImplementation;
}
