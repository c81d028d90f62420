import { EventEmitter } from 'node:events';
import type { InFlightTracker } from './inFlight';
import type { Logger } from './logging';

/**
 * Draining and exit: stop taking calls, let in-flight handlers finish within a grace, then end the process.
 * Emits `draining` once, when the first drain (or an immediate exit) begins.
 */
export class ShimLifetime extends EventEmitter {
  private drainingNow = false;
  private resolveExit!: (exit: ShimExit) => void;
  private exitDecided = false;

  /** Resolves with the exit code, and whether replies may still be flushed, once the shim has decided to stop. */
  readonly exited: Promise<ShimExit> = new Promise((resolve) => (this.resolveExit = resolve));

  constructor(
    private readonly inFlight: InFlightTracker,
    private readonly logger: Logger,
    private readonly stopHook: (deadline: number) => Promise<void> = async () => {},
  ) {
    super();
  }

  get isDraining(): boolean {
    return this.drainingNow;
  }

  /** Starts a drain once; later calls change nothing. A grace of 0 exits as soon as the caller has its reply. */
  drain(graceMs: number, reason: string): void {
    if (!this.markDraining()) {
      return;
    }
    this.logger.info(`Draining (${reason}): ${this.inFlight.count} handler(s) in flight, grace ${graceMs} ms`);
    const deadline = Date.now() + graceMs;
    void this.inFlight.waitIdle(graceMs).then(async (idle) => {
      if (!idle) {
        this.logger.warn(`Drain grace ended with ${this.inFlight.count} handler(s) still running; exiting anyway`);
      }
      // After the handlers: a stop hook that closes what they use must not pull it from under them.
      await this.stopHook(deadline);
      this.decide(0, true);
    });
  }

  /** Exits without draining: nobody is left to read the replies. */
  exitNow(reason: string, code: number): void {
    this.markDraining();
    this.logger.info(`Exiting now: ${reason}`);
    this.decide(code, false);
  }

  private markDraining(): boolean {
    if (this.drainingNow) {
      return false;
    }
    this.drainingNow = true;
    this.emit('draining');
    return true;
  }

  private decide(code: number, graceful: boolean): void {
    if (!this.exitDecided) {
      this.exitDecided = true;
      this.resolveExit({ code, graceful });
    }
  }
}

/** How the process ends: its exit code, and whether the server may first flush the replies it owes. */
export interface ShimExit {
  readonly code: number;
  readonly graceful: boolean;
}
