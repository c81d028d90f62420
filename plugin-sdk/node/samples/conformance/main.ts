// The conformance plugin (docs/protocol.md, "Conformance"): every SDK ships one with the same events, and
// tests/Supervisor.Tests/Conformance runs the same scenarios against each. Only the SDK's public API is used here.
import { writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { createLogger, runPlugin } from '@plugin-supervisor/sdk';

/** The error the `throw` event raises: its type name must reach the caller. */
class ConformanceError extends Error {}

const logger = createLogger('conformance');
let cancellations = 0;
let started = 'the start hook has not run';

void runPlugin({
  eventNames: ['echo', 'settings', 'sleep', 'cancellations', 'hang', 'throw', 'crash', 'log', 'lifecycle'],
  async start({ plugin }) {
    // Asynchronous on purpose: the ready line must wait for the hook's continuation, not only its first part.
    await delay(50);
    if (plugin.settings.failStart !== undefined) {
      throw new ConformanceError(plugin.settings.failStart);
    }
    started = 'started by the start hook';
  },
  async stop({ plugin, signal }) {
    const path = plugin.settings.stopFile;
    if (path === undefined) {
      return;
    }
    const begun = Date.now();
    if (plugin.settings.stopWaits === 'true') {
      // Written as the signal aborts, synchronously: the process exits right after.
      signal.addEventListener('abort', () => writeFileSync(path, `cancelled after ${Date.now() - begun} ms`), { once: true });
      await new Promise(() => {});
    }
    writeFileSync(path, 'stopped');
  },
  async handleEvent(event, { signal, settings }) {
    switch (event.name) {
      case 'echo':
        return { payload: event.payload, contentType: event.contentType };
      case 'settings':
        return { payload: JSON.stringify(settings), contentType: 'application/json' };
      case 'sleep': {
        const milliseconds = Number.parseInt(event.text(), 10);
        try {
          await delay(milliseconds, undefined, { signal });
        } catch (error) {
          if (signal.aborted) {
            cancellations++;
          }
          throw error;
        }
        return `slept ${milliseconds} ms`;
      }
      case 'cancellations':
        return String(cancellations);
      case 'hang':
        // Blocks the event loop: nothing else in this process runs again, GetStatus included.
        for (;;) {
          // spin
        }
      case 'throw':
        throw new ConformanceError('thrown on request');
      case 'crash':
        process.stderr.write('conformance: crashing on request\n');
        process.exit(3);
      case 'lifecycle':
        return started;
      case 'log':
        logger.info(event.text());
        return 'logged';
      default:
        throw new Error(`unreachable: the SDK refuses event '${event.name}' before the handler`);
    }
  },
});
