using System.Text;

namespace Supervisor.Processes;

/// <summary>
/// The last lines a plugin wrote to stderr, kept so exit and quarantine reports can say why. Each line is cut to
/// <see cref="OutputLimits.TailLineChars"/> and the description to <see cref="OutputLimits.TailChars"/>: the tail
/// goes into lifecycle events and UNAVAILABLE messages, which must stay small whatever the plugin wrote.
/// </summary>
/// <remarks>
/// Every stderr line passes through here, a flood's included, so lines are kept as bytes in reused slots and only
/// decoded when a report asks: adding a line allocates nothing.
/// </remarks>
internal sealed class OutputTail(int capacity)
{
    private const string Separator = " | ";
    private const string LineCut = "… [cut]";
    private const string Omitted = "… | ";

    // A UTF-16 char never takes more than 3 UTF-8 bytes, so this many bytes decode to at least as many chars as
    // are kept whenever the line is longer.
    private const int SlotBytes = OutputLimits.TailLineChars * 3;
    private readonly Slot[] _slots = new Slot[capacity];
    private int _next;
    private int _count;

    /// <summary>Keeps a line, given as its UTF-8 bytes and how many bytes the line reader already dropped.</summary>
    public void Add(ReadOnlySpan<byte> line, long droppedBytes)
    {
        var cut = droppedBytes > 0 || line.Length > SlotBytes;
        if (line.Length > SlotBytes)
        {
            line = line[..SlotBytes];
        }

        lock (_slots)
        {
            ref var slot = ref _slots[_next];
            slot.Bytes ??= new byte[SlotBytes];
            line.CopyTo(slot.Bytes);
            slot.Length = line.Length;
            slot.Cut = cut;
            _next = (_next + 1) % capacity;
            _count = Math.Min(_count + 1, capacity);
        }
    }

    public string Describe()
    {
        lock (_slots)
        {
            if (_count == 0)
            {
                return "(no stderr output)";
            }

            // Newest lines first into the budget: the last words before an exit are the ones that explain it. The
            // newest line always goes in: a cut line is far shorter than the budget.
            var kept = new List<string>(_count);
            var length = 0;
            for (var i = 1; i <= _count; i++)
            {
                var text = Text(_slots[(_next - i + capacity) % capacity]);
                if (kept.Count > 0 && length + text.Length + Separator.Length > OutputLimits.TailChars)
                {
                    break;
                }

                kept.Add(text);
                length += text.Length + Separator.Length;
            }

            kept.Reverse();
            var description = string.Join(Separator, kept);
            return kept.Count == _count ? description : Omitted + description;
        }
    }

    private static string Text(Slot slot)
    {
        var text = Encoding.UTF8.GetString(slot.Bytes.AsSpan(0, slot.Length));
        var cut = slot.Cut;
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

        return cut ? text + LineCut : text;
    }

    private struct Slot
    {
        public byte[]? Bytes;
        public int Length;
        public bool Cut;
    }
}
