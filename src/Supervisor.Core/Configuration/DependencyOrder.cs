namespace Supervisor.Configuration;

/// <summary>
/// The order <c>DependsOn</c> gives plugins: each starts once its dependencies are ready and stops before them. Names
/// compare as plugin names do (case-insensitively).
/// </summary>
internal static class DependencyOrder
{
    /// <summary>Reports unknown names, self-dependencies and cycles, each naming the plugins involved.</summary>
    public static void Validate(IReadOnlyDictionary<string, PluginOptions> plugins, Action<string, string> fail)
    {
        foreach (var (name, plugin) in plugins)
        {
            for (var i = 0; i < plugin.DependsOn.Count; i++)
            {
                var dependency = plugin.DependsOn[i];
                var key = $"{SupervisorOptions.SectionName}:Plugins:{name}:DependsOn:{i}";
                if (string.Equals(dependency, name, StringComparison.OrdinalIgnoreCase))
                {
                    fail(key, $"plugin '{name}' cannot depend on itself");
                }
                else if (!plugins.ContainsKey(dependency))
                {
                    fail(key, $"'{dependency}' is not a configured plugin (configured: {string.Join(", ", plugins.Keys.Order(StringComparer.Ordinal))})");
                }
            }
        }

        if (FindCycle(plugins) is { } cycle)
        {
            fail($"{SupervisorOptions.SectionName}:Plugins:{cycle[0]}:DependsOn", $"plugins {string.Join(" → ", cycle)} depend on each other in a cycle, so none of them could start first");
        }
    }

    /// <summary>
    /// The plugins in waves: the first depends on nothing, each later one only on earlier waves. Start wave by wave,
    /// stop in reverse. Names that are not in <paramref name="plugins"/> are ignored (validation reports them).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Waves(IReadOnlyDictionary<string, PluginOptions> plugins)
    {
        var depth = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        int DepthOf(string name, int guard)
        {
            if (depth.TryGetValue(name, out var known))
            {
                return known;
            }

            // A cycle is a configuration error caught at load; the guard keeps a bug from recursing without end.
            var deepest = guard > plugins.Count ? 0 : plugins[name].DependsOn
                .Where(d => plugins.ContainsKey(d) && !string.Equals(d, name, StringComparison.OrdinalIgnoreCase))
                .Select(d => DepthOf(d, guard + 1) + 1)
                .DefaultIfEmpty(0)
                .Max();
            depth[name] = deepest;
            return deepest;
        }

        foreach (var name in plugins.Keys)
        {
            DepthOf(name, 0);
        }

        return [.. depth.GroupBy(p => p.Value).OrderBy(g => g.Key).Select(g => (IReadOnlyList<string>)[.. g.Select(p => p.Key).Order(StringComparer.Ordinal)])];
    }

    private static List<string>? FindCycle(IReadOnlyDictionary<string, PluginOptions> plugins)
    {
        var state = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase); // false: on the path, true: done
        var path = new List<string>();
        List<string>? Visit(string name)
        {
            if (state.TryGetValue(name, out var done))
            {
                if (done)
                {
                    return null;
                }

                var start = path.FindIndex(p => string.Equals(p, name, StringComparison.OrdinalIgnoreCase));
                return [.. path[start..], path[start]];
            }

            state[name] = false;
            path.Add(name);
            foreach (var dependency in plugins[name].DependsOn)
            {
                if (plugins.ContainsKey(dependency) && !string.Equals(dependency, name, StringComparison.OrdinalIgnoreCase) && Visit(dependency) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[name] = true;
            return null;
        }

        foreach (var name in plugins.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(name) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }
}
