using System.Diagnostics;

namespace Supervisor.Tests.TestAssets;

/// <summary>Waits on conditions with a timeout, never on a fixed sleep.</summary>
internal static class Wait
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(condition, () => what, timeout);

    /// <summary>Waits for <paramref name="condition"/>; <paramref name="describe"/> is asked only on a timeout, so it can report the latest state.</summary>
    public static async Task UntilAsync(Func<bool> condition, Func<string> describe, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Default;
        var started = Stopwatch.StartNew();
        while (!condition())
        {
            if (started.Elapsed > limit)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds:0.#} s waiting for {describe()}");
            }

            await Task.Delay(20);
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Default;
        var started = Stopwatch.StartNew();
        while (!await condition())
        {
            if (started.Elapsed > limit)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Like grpc-dotnet's <c>DefaultTimeout()</c>: no test awaits forever.</summary>
    public static Task<T> DefaultTimeout<T>(this Task<T> task) => task.WaitAsync(Default);

    public static Task DefaultTimeout(this Task task) => task.WaitAsync(Default);
}
