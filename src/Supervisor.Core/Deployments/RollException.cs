namespace Supervisor;

/// <summary>A roll or rollback was refused or did not complete; the message says why, for an operator.</summary>
public sealed class RollException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">What went wrong.</param>
    /// <param name="message">A sentence an operator can act on.</param>
    public RollException(RollError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Gets what went wrong.</summary>
    public RollError Error { get; }
}
