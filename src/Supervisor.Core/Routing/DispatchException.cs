namespace Supervisor;

/// <summary>A dispatch failed; <see cref="Error"/> says how, the message says why in words an operator can act on.</summary>
public sealed class DispatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The failure's kind.</param>
    /// <param name="message">What happened and, where possible, what to do.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public DispatchException(DispatchError error, string message, Exception? innerException = null)
        : base(message, innerException) => Error = error;

    /// <summary>Gets the failure's kind.</summary>
    public DispatchError Error { get; }
}
