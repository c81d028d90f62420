namespace Supervisor.Configuration;

/// <summary>One problem found in the configuration.</summary>
/// <param name="Key">The configuration key at fault, e.g. <c>Supervisor:Plugins:echo:Instances</c>.</param>
/// <param name="Source">Where the key's value came from: the file, or the environment variable.</param>
/// <param name="Message">What is wrong and what is expected.</param>
public sealed record ConfigurationError(string Key, string Source, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Source}: {Key}: {Message}";
}
