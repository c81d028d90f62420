import { rmSync } from 'node:fs';
import { Server, ServerCredentials, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { createTokenCheck } from './auth';
import { sdkVersion } from './generated/descriptors';
import { readHandshake, usageMessage, type Handshake } from './handshake';
import { healthService } from './health';
import { runStartHook, runStopHook } from './hooks';
import { InFlightTracker } from './inFlight';
import { ShimLifetime } from './lifetime';
import { createLogger, type Logger } from './logging';
import { loadServices } from './protocol';
import { pluginService } from './pluginService';
import { watchStdin } from './stdinWatcher';
import type { PluginDefinition, RunOptions } from './types';

/** Exit code when the plugin was started without the supervisor's handshake (or with a protocol it does not speak). */
export const USAGE_EXIT_CODE = 2;

/** Exit code when the plugin could not start serving (e.g. the socket could not be bound). */
export const START_FAILED_EXIT_CODE = 1;

const SHIM_CATEGORY = 'PluginSupervisor.Sdk';
// How long the gRPC server may take to close its connections once a drain decided to exit.
const STOP_BUDGET_MS = 1000;
// How long after stdin's end of file the process may take to exit before its watcher SIGKILLs it.
const STDIN_EXIT_BUDGET_MS = 1000;

/**
 * Runs `definition` as a supervised plugin: reads the handshake, serves gRPC on the supervisor's socket, prints the
 * ready line, and exits when the supervisor shuts it down (drain), sends SIGTERM/SIGINT (drain), or goes away
 * (stdin end of file: exit at once). Started by hand, it prints what it is on stderr and exits with 2.
 * The returned promise never settles: the process ends inside.
 */
export function runPlugin(definition: PluginDefinition, options: RunOptions = {}): Promise<never> {
  const handshake = readHandshake(process.env);
  if (typeof handshake === 'string') {
    process.stderr.write(usageMessage(handshake) + '\n');
    process.exit(USAGE_EXIT_CODE);
  }

  const shimLogger = createLogger(SHIM_CATEGORY);
  // A handler's stray timer or floating promise must not take the process (and every other call) down with it.
  process.on('uncaughtException', (thrown) => shimLogger.error('An exception escaped a handler; the plugin keeps serving', thrown));
  process.on('unhandledRejection', (reason) => shimLogger.error('A promise rejection escaped a handler; the plugin keeps serving', reason));

  const inFlight = new InFlightTracker();
  const lifetime = new ShimLifetime(inFlight, shimLogger, (deadline) => runStopHook(definition, handshake.plugin, deadline, shimLogger));
  const services = loadServices();
  const checkToken = createTokenCheck(handshake.token, `plugin '${handshake.plugin.name}' (it only answers its supervisor)`);
  const server = new Server({
    // No limit of the shim's own: the supervisor enforces each plugin's MaxPayloadBytes before it sends.
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
  });
  const plugin = pluginService({ definition, plugin: handshake.plugin, inFlight, lifetime, shimLogger, sdkVersion });
  server.addService(services.plugin, guarded(plugin, checkToken));
  server.addService(services.health, guarded(healthService(lifetime), checkToken));

  return new Promise<never>(() => {
    void runStartHook(definition, handshake.plugin).then((failed) => {
      if (failed !== undefined) {
        process.exit(failed);
      }
      deleteStaleSocket(handshake.socketPath);
      serve(server, handshake, lifetime, shimLogger, options);
    });
  });
}

/** Binds the socket, prints the ready line, and wires the ways the process ends. */
function serve(server: Server, handshake: Handshake, lifetime: ShimLifetime, shimLogger: Logger, options: RunOptions): void {
  server.bindAsync(handshake.address, ServerCredentials.createInsecure(), (bindError) => {
    if (bindError) {
      shimLogger.critical(`Could not serve on ${handshake.address}`, bindError);
      process.exit(START_FAILED_EXIT_CODE);
    }
    // Signals first: a SIGTERM sent as soon as the ready line is read must drain (and run the stop hook), not kill.
    const graceMs = options.signalDrainGraceMs ?? 5000;
    process.on('SIGTERM', () => lifetime.drain(graceMs, 'SIGTERM'));
    process.on('SIGINT', () => lifetime.drain(graceMs, 'SIGINT'));
    process.stdout.write(`SUPERVISOR_PLUGIN_READY 1 ${handshake.address}\n`);

    watchStdin(() => lifetime.exitNow('stdin reached end of file: the supervisor is gone', 0), STDIN_EXIT_BUDGET_MS, shimLogger);

    void lifetime.exited.then(({ code, graceful }) => stop(server, handshake.socketPath, code, graceful));
  });
}

function stop(server: Server, socketPath: string, code: number, graceful: boolean): void {
  const exit = (): void => {
    deleteStaleSocket(socketPath);
    process.exit(code);
  };
  if (!graceful) {
    // Nobody is left to read a reply: close everything now.
    server.forceShutdown();
    exit();
    return;
  }
  // Lets the reply that decided the exit (e.g. Shutdown's) reach the supervisor; handlers that ignore their signal
  // cannot hold the exit up for longer than the budget.
  const budget = setTimeout(() => {
    server.forceShutdown();
    exit();
  }, STOP_BUDGET_MS);
  server.tryShutdown(() => {
    clearTimeout(budget);
    exit();
  });
}

function deleteStaleSocket(path: string): void {
  // A SIGKILLed process leaves its socket file behind, and a stale file makes the next bind fail.
  rmSync(path, { force: true });
}

/** Wraps every method of `service` in the token check: unary and server-streaming alike. */
function guarded(service: UntypedServiceImplementation, check: ReturnType<typeof createTokenCheck>): UntypedServiceImplementation {
  const wrapped: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(service)) {
    const implementation = method as (...args: unknown[]) => void;
    wrapped[name] = ((call: ServerWritableStream<unknown, unknown>, callback?: (err: unknown) => void) => {
      const refusal = check(call.metadata);
      if (!refusal) {
        return implementation(call, callback);
      }
      if (callback) {
        return callback(refusal);
      }
      call.emit('error', refusal);
    }) as never;
  }
  return wrapped;
}
