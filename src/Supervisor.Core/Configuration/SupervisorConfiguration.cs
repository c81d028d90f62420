using System.Collections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace Supervisor.Configuration;

/// <summary>
/// Loads <c>supervisor.json</c> with <c>Supervisor__…</c> environment overrides, binds and validates it. Every
/// error names the key and where its value came from (the file, or the environment variable).
/// </summary>
public static class SupervisorConfiguration
{
    /// <summary>Loads and validates the configuration.</summary>
    /// <param name="path">The <c>supervisor.json</c> file.</param>
    /// <param name="environment">The environment to read overrides from; the process environment when <see langword="null"/>.</param>
    /// <returns>The validated options, with relative paths resolved against the file's folder.</returns>
    /// <exception cref="SupervisorConfigurationException">The file is missing or invalid; the message lists every problem.</exception>
    public static SupervisorOptions Load(string path, IDictionary? environment = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw Single(string.Empty, fullPath, "the configuration file does not exist");
        }

        IConfigurationRoot root;
        try
        {
            root = new ConfigurationBuilder()
                .AddJsonFile(fullPath, optional: false, reloadOnChange: false)
                .Add(new EnvironmentOverrides(environment ?? Environment.GetEnvironmentVariables()))
                .Build();
        }
        catch (InvalidDataException ex)
        {
            throw Single(string.Empty, fullPath, $"not valid JSON: {ex.InnerException?.Message ?? ex.Message}");
        }

        string DescribeSource(string key) => SourceOf(root, key, fullPath);

        var section = root.GetSection(SupervisorOptions.SectionName);
        if (!section.Exists())
        {
            throw Single(SupervisorOptions.SectionName, fullPath, "the section is missing; put the settings under a top-level \"Supervisor\" object");
        }

        var options = new SupervisorOptions();
        try
        {
            section.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            var key = BindingErrorKey(ex.Message) ?? SupervisorOptions.SectionName;
            throw Single(key, DescribeSource(key), BindingErrorMessage(ex));
        }

        var baseDirectory = Path.GetDirectoryName(fullPath)!;
        options.PluginsRoot = Path.GetFullPath(Path.Combine(baseDirectory, options.PluginsRoot));
        options.StateDirectory = Path.GetFullPath(Path.Combine(baseDirectory, options.StateDirectory));
        if (options.RuntimeDirectory is { Length: > 0 } runtime)
        {
            options.RuntimeDirectory = Path.GetFullPath(Path.Combine(baseDirectory, runtime));
        }

        for (var i = 0; i < options.Sandbox.HiddenPaths.Count; i++)
        {
            options.Sandbox.HiddenPaths[i] = Path.GetFullPath(Path.Combine(baseDirectory, options.Sandbox.HiddenPaths[i]));
        }

        // The file can hold the admin token: no plugin may read it.
        options.Sandbox.HiddenPaths.Add(fullPath);
        var errors = SupervisorOptionsValidator.Validate(options, DescribeSource);
        if (errors.Count > 0)
        {
            throw new SupervisorConfigurationException(errors);
        }

        return options;
    }

    private static SupervisorConfigurationException Single(string key, string source, string message) =>
        new([new ConfigurationError(key, source, message)]);

    private static string SourceOf(IConfigurationRoot root, string key, string file)
    {
        foreach (var provider in root.Providers.Reverse())
        {
            if (!provider.TryGet(key, out _) && !HasChildren(provider, key))
            {
                continue;
            }

            return provider switch
            {
                EnvironmentOverrides => $"environment variable {EnvironmentOverrides.VariableName(key)}",
                JsonConfigurationProvider json => json.Source.Path is { } p ? Path.GetFullPath(p, Path.GetDirectoryName(file)!) : file,
                _ => file,
            };
        }

        return file;
    }

    private static bool HasChildren(IConfigurationProvider provider, string key) =>
        provider.GetChildKeys([], key).Any();

    // The binder reports the key in quotes: "... value at 'Supervisor:Plugins:echo:Instances' to type ..."
    // or "'Instancez' was not found on type ...". Pull the key out so the error can say where it came from.
    private static string? BindingErrorKey(string message)
    {
        const string At = "at '";
        var start = message.IndexOf(At, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += At.Length;
        var end = message.IndexOf('\'', start);
        return end > start ? message[start..end] : null;
    }

    private static string BindingErrorMessage(InvalidOperationException ex) =>
        ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message;
}
