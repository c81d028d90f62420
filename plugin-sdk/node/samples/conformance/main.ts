// The conformance plugin (docs/protocol.md, "Conformance"): every SDK ships one with the same events, and
// tests/Supervisor.Tests/Conformance runs the same scenarios against each. Only the SDK's public API is used here.
import { setTimeout as delay } from 'node:timers/promises';
import { createLogger, runPlugin } from '@plugin-supervisor/sdk';

/** The error the `throw` event raises: its type name must reach the caller. */
class ConformanceError extends Error {}

const logger = createLogger('conformance');
let cancellations = 0;

void runPlugin({
  eventNames: ['echo', 'settings', 'sleep', 'cancellations', 'hang', 'throw', 'crash', 'log'],
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
      case 'log':
        logger.info(event.text());
        return 'logged';
      default:
        throw new Error(`unreachable: the SDK refuses event '${event.name}' before the handler`);
    }
  },
});
