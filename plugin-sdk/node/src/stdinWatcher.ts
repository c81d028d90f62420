import { Worker } from 'node:worker_threads';
import type { Logger } from './logging';

// Runs on a worker thread, whose event loop keeps turning while a handler blocks the main one: it reads stdin until end
// of file, tells the main thread, and if the main thread has not ended the process within the grace (a handler in a
// synchronous loop never lets it), SIGKILLs the process itself: a signal ends the whole process, not only the worker.
// Reads are asynchronous on the worker's own loop (a pipe through epoll, anything else through the thread pool), so
// the worker never sits in a blocking read that would hold up process.exit on the other paths.
const WATCHER = `
const { parentPort, workerData } = require('node:worker_threads');
let input;
try {
  input = new (require('node:net').Socket)({ fd: 0, readable: true, writable: false });
} catch {
  input = require('node:fs').createReadStream('', { fd: 0, autoClose: false });
}
let ended = false;
const end = () => {
  if (ended) return;
  ended = true;
  parentPort.postMessage('eof');
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), workerData.graceMs);
};
input.on('data', () => {});
input.once('end', end);
input.once('error', end);
`;

/**
 * Watches stdin, which the supervisor holds open for the plugin's whole life: end of file (or a read error) means the
 * supervisor is gone, even SIGKILLed, and the plugin must not outlive it. `onEndOfFile` runs on the main thread; if it
 * cannot run (the event loop is blocked) or has not ended the process within `graceMs`, the process is SIGKILLed.
 * The main thread must not read `process.stdin` itself (libuv would make the descriptor non-blocking under the
 * worker) unless the worker fails. The worker costs about 9 MiB of resident memory: the price of no orphan even when
 * the supervisor was SIGKILLed while a handler blocked the event loop.
 */
export function watchStdin(onEndOfFile: () => void, graceMs: number, logger: Logger): void {
  const worker = new Worker(WATCHER, { eval: true, workerData: { graceMs } });
  // The watcher alone must not keep the process alive once everything else is done.
  worker.unref();
  worker.once('message', onEndOfFile);
  worker.once('error', (error) => {
    // Without the worker, the main thread watches: blind while a handler blocks the event loop, right otherwise.
    logger.warn('The stdin watcher thread failed; watching stdin on the main thread instead', error);
    process.stdin.once('end', onEndOfFile);
    process.stdin.once('error', onEndOfFile);
    process.stdin.resume();
  });
}
