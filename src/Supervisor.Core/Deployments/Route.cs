using Supervisor.Instances;
using Supervisor.Supervision;

namespace Supervisor.Deployments;

/// <summary>Where one attempt of a call goes: an instance, and the version it belongs to (whose counters it feeds).</summary>
internal readonly record struct Route(PluginRuntime Runtime, PluginInstance Instance);
