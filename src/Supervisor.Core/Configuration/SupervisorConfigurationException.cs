namespace Supervisor.Configuration;

/// <summary>The configuration is invalid; the supervisor does not start.</summary>
public sealed class SupervisorConfigurationException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    /// <param name="errors">Every problem found, each naming its key and source.</param>
    public SupervisorConfigurationException(IReadOnlyList<ConfigurationError> errors)
        : base(Describe(errors)) => Errors = errors;

    /// <summary>Gets every problem found.</summary>
    public IReadOnlyList<ConfigurationError> Errors { get; }

    private static string Describe(IReadOnlyList<ConfigurationError> errors) =>
        $"Invalid configuration ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}):{Environment.NewLine}  " +
        string.Join(Environment.NewLine + "  ", errors);
}
