using System.Text;

namespace Supervisor.PluginSdk;

/// <summary>A plugin's reply to an event.</summary>
public sealed class PluginReply
{
    /// <summary>Creates a reply.</summary>
    /// <param name="payload">The reply body. It is sent without copying: do not change it after returning.</param>
    /// <param name="contentType">The body's media type, or empty.</param>
    /// <param name="attributes">Metadata returned to the caller, or <see langword="null"/>.</param>
    public PluginReply(ReadOnlyMemory<byte> payload, string contentType = "", IReadOnlyDictionary<string, string>? attributes = null)
    {
        Payload = payload;
        ContentType = contentType ?? string.Empty;
        Attributes = attributes;
    }

    /// <summary>Gets a reply with no body.</summary>
    public static PluginReply Empty { get; } = new(ReadOnlyMemory<byte>.Empty);

    /// <summary>Gets the reply body.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Gets the body's media type, or empty.</summary>
    public string ContentType { get; }

    /// <summary>Gets metadata returned to the caller, or <see langword="null"/>.</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; }

    /// <summary>Creates a UTF-8 text reply.</summary>
    /// <param name="text">The reply text.</param>
    /// <param name="contentType">The media type. Defaults to <c>text/plain; charset=utf-8</c>.</param>
    /// <returns>The reply.</returns>
    public static PluginReply FromText(string text, string contentType = "text/plain; charset=utf-8") =>
        new(Encoding.UTF8.GetBytes(text), contentType);
}
