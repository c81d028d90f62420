namespace Supervisor.Benchmarks.Scenarios;

/// <summary>Something that serves echo calls, started once for a run; <see cref="ICaller.CallAsync"/> sends the shared 1 KiB event.</summary>
internal interface IScenario : ICaller, IAsyncDisposable
{
    /// <summary>Gets the name the report uses.</summary>
    string Name { get; }

    /// <summary>Starts whatever serves the calls and returns once a call succeeds.</summary>
    Task StartAsync(CancellationToken cancellationToken);
}
