using System.Collections.Concurrent;

namespace Supervisor.Processes;

/// <summary>
/// The one thread every plugin process is started from, alive as long as the supervisor. Linux sends a child its
/// parent-death signal (bwrap's <c>--die-with-parent</c>, setpriv's <c>--pdeathsig</c>) when the parent
/// <em>thread</em> that forked it exits, and .NET forks on whichever thread calls: started from a thread-pool thread,
/// a plugin would be killed the moment the pool retired that thread.
/// </summary>
internal static class LauncherThread
{
    private static readonly BlockingCollection<Action> Work = Start();

    /// <summary>Runs <paramref name="start"/> on the launcher thread.</summary>
    public static Task<T> RunAsync<T>(Func<T> start)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Work.Add(() =>
        {
            try
            {
                result.SetResult(start());
            }
            catch (Exception ex)
            {
                result.SetException(ex);
            }
        });
        return result.Task;
    }

    private static BlockingCollection<Action> Start()
    {
        var work = new BlockingCollection<Action>();
        var thread = new Thread(() =>
        {
            foreach (var item in work.GetConsumingEnumerable())
            {
                item();
            }
        })
        {
            IsBackground = true,
            Name = "Plugin launcher",
        };
        thread.Start();
        return work;
    }
}
