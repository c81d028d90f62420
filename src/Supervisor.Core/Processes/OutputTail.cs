using System.Text;

namespace Supervisor.Processes;

/// <summary>
/// The last lines a plugin wrote to stderr, kept so exit and quarantine reports can say why. Each line is cut to
/// <see cref="OutputLimits.TailLineChars"/> and the description to <see cref="OutputLimits.TailChars"/>: the tail
/// goes into lifecycle events and UNAVAILABLE messages, which must stay small whatever the plugin wrote.
/// </summary>
internal sealed class OutputTail(int capacity)
{
    private const string Separator = " | ";
    private const string LineCut = "… [cut]";
    private const string Omitted = "… | ";

    // A UTF-8 character is at most 4 bytes and 2 chars: this many bytes always decode to more chars than are kept.
    private const int MaxDecodedBytes = OutputLimits.TailLineChars * 4;
    private readonly Queue<string> _lines = new(capacity);

    /// <summary>Keeps a line, given as its UTF-8 bytes and how many bytes the line reader already dropped.</summary>
    public void Add(ReadOnlySpan<byte> line, long droppedBytes)
    {
        var cut = droppedBytes > 0 || line.Length > MaxDecodedBytes;
        var text = Encoding.UTF8.GetString(line.Length > MaxDecodedBytes ? line[..MaxDecodedBytes] : line);
        Add(text, cut);
    }

    public string Describe()
    {
        lock (_lines)
        {
            if (_lines.Count == 0)
            {
                return "(no stderr output)";
            }

            // Newest lines first into the budget: the last words before an exit are the ones that explain it.
            var kept = _lines.ToArray();
            var first = kept.Length;
            var length = 0;
            // The newest line always goes in: a cut line is far shorter than the budget.
            while (first > 0 && (first == kept.Length || length + kept[first - 1].Length + Separator.Length <= OutputLimits.TailChars))
            {
                first--;
                length += kept[first].Length + Separator.Length;
            }

            var text = string.Join(Separator, kept, first, kept.Length - first);
            return first == 0 ? text : Omitted + text;
        }
    }

    private void Add(string text, bool cut)
    {
        if (text.Length > OutputLimits.TailLineChars)
        {
            var keep = OutputLimits.TailLineChars;
            if (char.IsHighSurrogate(text[keep - 1]))
            {
                keep--;
            }

            text = text[..keep];
            cut = true;
        }

        if (cut)
        {
            text += LineCut;
        }

        lock (_lines)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(text);
        }
    }
}
