/**
 * The handlers running now and their deadlines. A handler stays tracked until it really returns, even after its
 * caller was answered, so the supervisor can see handlers stuck past their deadline.
 */
export class InFlightTracker {
  private readonly deadlines = new Map<number, number>();
  private nextId = 0;
  private idleWaiters: Array<() => void> = [];

  get count(): number {
    return this.deadlines.size;
  }

  /** Tracks a handler whose call ends at `deadlineMs` (epoch ms; `Infinity` for none). */
  begin(deadlineMs: number): number {
    const id = ++this.nextId;
    this.deadlines.set(id, deadlineMs);
    return id;
  }

  end(id: number): void {
    this.deadlines.delete(id);
    if (this.deadlines.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) {
        wake();
      }
    }
  }

  /** Counts handlers past their deadline and the longest overrun in ms. */
  overdue(nowMs: number = Date.now()): { pastDeadline: number; maxOverdueMs: number } {
    let pastDeadline = 0;
    let maxOverdueMs = 0;
    for (const deadline of this.deadlines.values()) {
      if (deadline < nowMs) {
        pastDeadline++;
        maxOverdueMs = Math.max(maxOverdueMs, nowMs - deadline);
      }
    }
    return { pastDeadline, maxOverdueMs };
  }

  /** Resolves `true` when no handler is running, `false` when `timeoutMs` passes first. */
  waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.deadlines.size === 0) {
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
