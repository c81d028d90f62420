using System.Buffers;

namespace Supervisor.Processes;

/// <summary>Receives one line of a plugin's output: its kept UTF-8 bytes and how many bytes of it were dropped.</summary>
/// <param name="line">The line without its terminator; valid only during the call.</param>
/// <param name="droppedBytes">Bytes cut from the end of a line longer than the reader's limit; 0 for most lines.</param>
internal delegate void OutputLineHandler(ReadOnlySpan<byte> line, long droppedBytes);

/// <summary>
/// Splits a plugin's raw stdout or stderr into lines, holding at most <see cref="MaxLineBytes"/> of any line: the
/// rest of a longer line is counted and skipped, never buffered, so 200 MB without a newline costs one buffer.
/// Lines stay bytes until a handler decodes them, so a multibyte character split across reads arrives whole, and
/// a flood of lines that are dropped anyway is never decoded. It reads until end of file whatever its handler
/// does: a reader that stopped would leave the plugin to die of EPIPE on its next write.
/// </summary>
internal sealed class BoundedLineReader
{
    private const int ReadBufferBytes = 16 * 1024;
    private readonly OutputLineHandler _onLine;
    private readonly Action<Exception> _onHandlerFailed;
    private readonly byte[] _pending;
    private int _pendingLength;
    private long _dropped;
    private bool _droppedEndsWithCr;

    /// <param name="maxLineBytes">The most bytes kept of one line.</param>
    /// <param name="onLine">Called for every line, in order; what it throws is given to <paramref name="onHandlerFailed"/>.</param>
    /// <param name="onHandlerFailed">Reports an exception <paramref name="onLine"/> threw; reading goes on regardless.</param>
    public BoundedLineReader(int maxLineBytes, OutputLineHandler onLine, Action<Exception> onHandlerFailed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 4);
        MaxLineBytes = maxLineBytes;
        _onLine = onLine;
        _onHandlerFailed = onHandlerFailed;
        _pending = new byte[maxLineBytes];
    }

    /// <summary>Gets the most bytes kept of one line.</summary>
    public int MaxLineBytes { get; }

    /// <summary>Reads <paramref name="stream"/> to its end through a pooled buffer, handing over each line.</summary>
    public async Task ReadToEndAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                Feed(buffer.AsSpan(0, read));
            }

            Complete();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Takes the next bytes of output, handing over every line they complete.</summary>
    public void Feed(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            var newline = chunk.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Keep(chunk);
                return;
            }

            if (_pendingLength == 0 && _dropped == 0 && newline <= MaxLineBytes)
            {
                // The common case, a whole line inside one read: handed over from the read buffer, no copy.
                Deliver(TrimCr(chunk[..newline]), 0);
            }
            else
            {
                Keep(chunk[..newline]);
                DeliverPending();
            }

            chunk = chunk[(newline + 1)..];
        }
    }

    /// <summary>Hands over a last line that had no newline (the stream ended).</summary>
    public void Complete()
    {
        if (_pendingLength > 0 || _dropped > 0)
        {
            DeliverPending();
        }
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) => line.EndsWith((byte)'\r') ? line[..^1] : line;

    // A truncated line must not end inside a UTF-8 sequence: its decoded text would end in a replacement character
    // for bytes that are really there. Returns where the last whole character ends.
    private static int WholeCharacters(ReadOnlySpan<byte> text)
    {
        var lead = text.Length - 1;
        while (lead >= 0 && lead > text.Length - 4 && (text[lead] & 0xC0) == 0x80)
        {
            lead--;
        }

        if (lead < 0)
        {
            return text.Length;
        }

        var expected = text[lead] switch
        {
            < 0xC0 => 1, // ASCII, or a stray continuation byte that is invalid already
            < 0xE0 => 2,
            < 0xF0 => 3,
            < 0xF8 => 4,
            _ => 1, // not a UTF-8 lead byte
        };
        return text.Length - lead < expected ? lead : text.Length;
    }

    private void Keep(ReadOnlySpan<byte> part)
    {
        var room = MaxLineBytes - _pendingLength;
        if (_dropped == 0 && part.Length <= room)
        {
            part.CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += part.Length;
            return;
        }

        if (_dropped == 0)
        {
            part[..room].CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength = MaxLineBytes;
            part = part[room..];
        }

        if (!part.IsEmpty)
        {
            _dropped += part.Length;
            _droppedEndsWithCr = part[^1] == (byte)'\r';
        }
    }

    private void DeliverPending()
    {
        ReadOnlySpan<byte> line = _pending.AsSpan(0, _pendingLength);
        var dropped = _dropped;
        if (dropped > 0 && _droppedEndsWithCr)
        {
            dropped--;
        }
        else if (dropped == 0)
        {
            line = TrimCr(line);
        }

        if (dropped > 0)
        {
            var whole = WholeCharacters(line);
            dropped += line.Length - whole;
            line = line[..whole];
        }

        _pendingLength = 0;
        _dropped = 0;
        _droppedEndsWithCr = false;
        Deliver(line, dropped);
    }

    private void Deliver(ReadOnlySpan<byte> line, long dropped)
    {
        try
        {
            _onLine(line, dropped);
        }
        catch (Exception ex)
        {
            // Whatever the handler did wrong, the next line must still be read: see the class comment.
            try
            {
                _onHandlerFailed(ex);
            }
            catch (Exception)
            {
                // Reporting failed too (a broken log provider): nowhere is left to say so, and reading must go on.
            }
        }
    }
}
