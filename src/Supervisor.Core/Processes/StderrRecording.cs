using System.Text;

namespace Supervisor.Processes;

/// <summary>
/// The stderr lines a plugin writes while a signal-triggered dump is being captured, bounded in size: a runtime's
/// report can be long, and the dump is kept and sent to watchers.
/// </summary>
internal sealed class StderrRecording(int maxBytes, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly StringBuilder _text = new();
    private long _lastLineTicks;
    private bool _truncated;

    /// <summary>Gets whether at least one line has arrived.</summary>
    public bool HasLines => Volatile.Read(ref _lastLineTicks) != 0;

    /// <summary>Gets when the last line arrived.</summary>
    public DateTimeOffset LastLineAt => new(Volatile.Read(ref _lastLineTicks), TimeSpan.Zero);

    /// <summary>Gets whether lines were left out because the recording was full.</summary>
    public bool Truncated
    {
        get
        {
            lock (_gate)
            {
                return _truncated;
            }
        }
    }

    public void Add(ReadOnlySpan<byte> line)
    {
        lock (_gate)
        {
            if (_text.Length + line.Length + 1 > maxBytes)
            {
                _truncated = true;
            }
            else
            {
                _text.Append(Encoding.UTF8.GetString(line)).Append('\n');
            }
        }

        Volatile.Write(ref _lastLineTicks, time.GetUtcNow().UtcTicks);
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return _text.ToString();
        }
    }
}
