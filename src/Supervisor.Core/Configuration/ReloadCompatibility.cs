namespace Supervisor.Configuration;

/// <summary>
/// The keys a running supervisor cannot change: listeners are bound, the state and runtime folders are open, plugins
/// already run under the probed sandbox. A reload that changes one is refused, naming the key.
/// </summary>
internal static class ReloadCompatibility
{
    public static IReadOnlyList<ConfigurationError> Check(SupervisorOptions current, SupervisorOptions next, string source)
    {
        var errors = new List<ConfigurationError>();
        void Same<T>(string key, T now, T then)
        {
            if (!EqualityComparer<T>.Default.Equals(now, then))
            {
                errors.Add(new ConfigurationError($"{SupervisorOptions.SectionName}:{key}", source, $"changed from {Show(now)} to {Show(then)}, which needs a restart of the supervisor; the reload changed nothing"));
            }
        }

        void SameList(string key, List<string> now, List<string> then)
        {
            if (!now.SequenceEqual(then, StringComparer.Ordinal))
            {
                errors.Add(new ConfigurationError($"{SupervisorOptions.SectionName}:{key}", source, $"changed from [{string.Join(", ", now)}] to [{string.Join(", ", then)}], which needs a restart of the supervisor; the reload changed nothing"));
            }
        }

        Same(nameof(SupervisorOptions.PluginsRoot), current.PluginsRoot, next.PluginsRoot);
        Same(nameof(SupervisorOptions.StateDirectory), current.StateDirectory, next.StateDirectory);
        Same(nameof(SupervisorOptions.RuntimeDirectory), current.RuntimeDirectory, next.RuntimeDirectory);
        Same("Events:Listen", current.Events.Listen, next.Events.Listen);
        Same("Events:MaxMessageBytes", current.Events.MaxMessageBytes, next.Events.MaxMessageBytes);
        Same("Events:MaxConcurrentStreams", current.Events.MaxConcurrentStreams, next.Events.MaxConcurrentStreams);
        Same("Admin:Listen", current.Admin.Listen, next.Admin.Listen);
        Same("Admin:MaxMessageBytes", current.Admin.MaxMessageBytes, next.Admin.MaxMessageBytes);
        if (!string.Equals(current.Admin.Token, next.Admin.Token, StringComparison.Ordinal))
        {
            // Never echo a credential into logs and events.
            errors.Add(new ConfigurationError($"{SupervisorOptions.SectionName}:Admin:Token", source, "changed, which needs a restart of the supervisor; the reload changed nothing"));
        }

        Same("Monitoring:Listen", current.Monitoring.Listen, next.Monitoring.Listen);
        Same("Sandbox:Mode", current.Sandbox.Mode, next.Sandbox.Mode);
        Same("Sandbox:UidRange", current.Sandbox.UidRange, next.Sandbox.UidRange);
        SameList("Sandbox:Disable", current.Sandbox.Disable, next.Sandbox.Disable);
        SameList("Sandbox:HiddenPaths", current.Sandbox.HiddenPaths, next.Sandbox.HiddenPaths);
        return errors;
    }

    private static string Show<T>(T value) => value is null ? "(unset)" : $"'{value}'";
}
