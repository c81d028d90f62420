using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Supervisor.Configuration;

/// <summary>
/// <c>Supervisor__…</c> environment variables as configuration keys, from a given snapshot of the environment
/// so a test (or an embedder) can pass its own. Other variables are ignored: plugins' variables are not ours.
/// </summary>
internal sealed class EnvironmentOverrides : ConfigurationProvider, IConfigurationSource
{
    private const string Prefix = SupervisorOptions.SectionName + "__";
    private readonly IDictionary _variables;

    public EnvironmentOverrides(IDictionary variables) => _variables = variables;

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in _variables)
        {
            if (entry.Key is string name && name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                data[name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = entry.Value as string;
            }
        }

        Data = data;
    }

    public static string VariableName(string key) => key.Replace(ConfigurationPath.KeyDelimiter, "__", StringComparison.Ordinal);
}
