namespace Supervisor.Host.Hosting;

/// <summary>How the supervisor writes its log (<c>--log-format</c>).</summary>
internal enum LogFormat
{
    /// <summary>Readable lines on a terminal, JSON otherwise (a container, a pipe, a file).</summary>
    Auto,

    /// <summary>One JSON object per line, for log collectors.</summary>
    Json,

    /// <summary>One readable line per entry.</summary>
    Text,
}
