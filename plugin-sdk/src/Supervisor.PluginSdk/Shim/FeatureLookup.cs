using Microsoft.AspNetCore.Http.Features;

namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// Reads a stream's features through the collection's indexer. <c>IFeatureCollection.Get&lt;T&gt;</c> is a generic
/// virtual method, which Native AOT resolves at run time the first time each feature type is asked for; the indexer
/// is an ordinary interface call.
/// </summary>
internal static class FeatureLookup
{
    public static T Required<T>(IFeatureCollection features)
        where T : class =>
        features[typeof(T)] as T ?? throw new InvalidOperationException($"Kestrel provided no {typeof(T).Name} for the stream.");
}
