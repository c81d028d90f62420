namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// The thread pool's floor for handlers that block: raised before the first handler runs, so blocked handlers cannot
/// starve the shim's health, status and new calls of threads. Not raised at start: with the floor up, the pool adds a
/// thread for each work item of Kestrel's first connection that finds no idle one, which made a Native AOT plugin's
/// first reply slower (docs/performance.md).
/// </summary>
internal static class HandlerThreadFloor
{
    private const int MinimumWorkers = 32;
    private static int s_raised;

    public static void Raise()
    {
        if (Volatile.Read(ref s_raised) != 0 || Interlocked.Exchange(ref s_raised, 1) != 0)
        {
            return;
        }

        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, MinimumWorkers), io);
    }
}
