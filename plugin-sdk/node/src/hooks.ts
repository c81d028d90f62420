import { describeError } from './errors';
import type { Logger } from './logging';
import type { PluginDefinition, PluginInfo } from './types';

/** Exit code when the plugin's start hook failed. */
export const START_HOOK_FAILED_EXIT_CODE = 3;

/**
 * The least time the stop hook gets before its signal aborts, whatever the drain's grace: one second, within the two
 * seconds the supervisor waits for a process to exit after `Shutdown`.
 */
export const STOP_HOOK_MINIMUM_GRACE_MS = 1000;

/** Runs the start hook; a failure is one plain stderr line (the supervisor quotes it) and the exit code to use. */
export async function runStartHook(definition: PluginDefinition, plugin: PluginInfo): Promise<number | undefined> {
  if (!definition.start) {
    return undefined;
  }
  try {
    await definition.start({ plugin });
    return undefined;
  } catch (error) {
    process.stderr.write(`${plugin.name}: the start hook failed: ${describeError(error)}\n`);
    return START_HOOK_FAILED_EXIT_CODE;
  }
}

/** Runs the stop hook until it settles or its signal aborts, at `deadline` (epoch ms) but no sooner than the minimum. */
export async function runStopHook(definition: PluginDefinition, plugin: PluginInfo, deadline: number, logger: Logger): Promise<void> {
  if (!definition.stop) {
    return;
  }
  const signal = AbortSignal.timeout(Math.max(deadline - Date.now(), STOP_HOOK_MINIMUM_GRACE_MS));
  const aborted = new Promise<'aborted'>((resolve) => signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
  try {
    // A hook that ignores its signal must not hold the exit up: the wait ends when the signal aborts.
    const outcome = await Promise.race([Promise.resolve(definition.stop({ plugin, signal })), aborted]);
    if (outcome === 'aborted') {
      logger.warn("The stop hook did not finish within the drain's grace; exiting anyway");
    }
  } catch (error) {
    logger.error('The stop hook failed', error);
  }
}
