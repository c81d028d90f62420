namespace Supervisor.Benchmarks.Scenarios;

/// <summary>One way of getting an echo event answered; the measurement loops only ever see this.</summary>
internal interface IScenario : IAsyncDisposable
{
    /// <summary>Gets the name the report uses.</summary>
    string Name { get; }

    /// <summary>Starts whatever serves the calls and returns once a call succeeds.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Makes one call with the shared 1 KiB event; safe to call concurrently.</summary>
    ValueTask CallAsync();
}
