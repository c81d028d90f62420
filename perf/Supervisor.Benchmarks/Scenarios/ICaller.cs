namespace Supervisor.Benchmarks.Scenarios;

/// <summary>One way of getting one prepared event answered; the measurement loops only ever see this.</summary>
internal interface ICaller
{
    /// <summary>Makes one call; safe to call concurrently.</summary>
    ValueTask CallAsync();
}
