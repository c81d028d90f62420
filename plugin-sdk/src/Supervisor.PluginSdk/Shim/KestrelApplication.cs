using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// Hands <see cref="ShimApplication"/> to Kestrel with the per-request context type that reaches the first reply
/// soonest under the code generator the plugin runs on. Kestrel's connection and stream code is generic over that
/// type, and which instantiation is compiled ahead of time differs (docs/performance.md, "Plugin start near a Go
/// plugin's").
/// </summary>
internal static class KestrelApplication
{
    public static Task StartAsync(KestrelServer server, ShimApplication application, CancellationToken cancellationToken) =>
        RuntimeFeature.IsDynamicCodeSupported
            ? server.StartAsync(new SharedContext(application), cancellationToken)
            : server.StartAsync(new SpecialisedContext(application), cancellationToken);

    // Under the JIT: Kestrel's code over a reference type is shared and ships precompiled (ReadyToRun); over a struct
    // it would be compiled at start, 7 to 10 ms more before the first reply.
    private sealed class SharedContext(ShimApplication application) : IHttpApplication<IFeatureCollection>
    {
        public IFeatureCollection CreateContext(IFeatureCollection contextFeatures) => contextFeatures;

        public Task ProcessRequestAsync(IFeatureCollection context) => application.ProcessRequestAsync(context);

        public void DisposeContext(IFeatureCollection context, Exception? exception)
        {
        }
    }

    // Under Native AOT: shared code's generic dictionaries are built at run time, on the first connection; code over
    // a struct is specialised by the compiler instead.
    private sealed class SpecialisedContext(ShimApplication application) : IHttpApplication<StreamFeatures>
    {
        public StreamFeatures CreateContext(IFeatureCollection contextFeatures) => new(contextFeatures);

        public Task ProcessRequestAsync(StreamFeatures context) => application.ProcessRequestAsync(context.Features);

        public void DisposeContext(StreamFeatures context, Exception? exception)
        {
        }
    }

    private readonly record struct StreamFeatures(IFeatureCollection Features);
}
