using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Scenarios;

/// <summary>A process hop (the floor, embedded, the events API) that can also carry other events than the shared one.</summary>
internal interface IHopScenario : IScenario
{
    /// <summary>
    /// A caller that sends <paramref name="pluginEvent"/> over the started hop, returned once one such call came back
    /// with the payload echoed, so a size the path cannot carry fails the run instead of posting figures.
    /// </summary>
    Task<ICaller> CallerForAsync(Event pluginEvent, CancellationToken cancellationToken);
}
