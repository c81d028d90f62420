using Supervisor.Benchmarks.Scenarios;

namespace Supervisor.Benchmarks;

/// <summary>Stops every scenario, even when one of them fails to stop, so no child process outlives the run.</summary>
internal static class Teardown
{
    // Longer than any scenario's own stop grace (the host gets 15 s), so this only catches a stop that hangs.
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(30);

    public static async Task StopAllAsync(IReadOnlyList<IScenario> scenarios, TextWriter progress)
    {
        for (var i = scenarios.Count - 1; i >= 0; i--)
        {
            try
            {
                await scenarios[i].DisposeAsync().AsTask().WaitAsync(StopBudget).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Whatever one scenario throws, the others must still be stopped.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // Plugin processes left behind by a failed stop still exit when this process ends and their stdin closes.
                await progress.WriteLineAsync($"{scenarios[i].Name}: stopping failed: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            }
        }
    }
}
