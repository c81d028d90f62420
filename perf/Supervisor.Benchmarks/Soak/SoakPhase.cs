namespace Supervisor.Benchmarks.Soak;

/// <summary>The two halves of a soak: what the admin API does to the plugins while the callers call.</summary>
internal enum SoakPhase
{
    /// <summary>One random instance (of echo or chaos) is killed every few seconds.</summary>
    InstanceKills,

    /// <summary>As before, and every instance of echo and of chaos is killed at once every 3 s.</summary>
    PluginKills,
}
