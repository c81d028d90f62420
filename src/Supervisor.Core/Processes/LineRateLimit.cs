namespace Supervisor.Processes;

/// <summary>
/// A token bucket over one instance's output lines, stdout and stderr together: <see cref="Burst"/> lines at
/// once, then <see cref="LinesPerSecond"/>. Lines it refuses are counted, so the log can say how many were lost.
/// </summary>
internal sealed class LineRateLimit
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private double _tokens;
    private long _refilledAt;
    private long _droppedSinceReport;
    private long _droppedTotal;

    public LineRateLimit(int burst, int linesPerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(linesPerSecond, 1);
        Burst = burst;
        LinesPerSecond = linesPerSecond;
        _time = time;
        _tokens = burst;
        _refilledAt = time.GetTimestamp();
    }

    public int Burst { get; }

    public int LinesPerSecond { get; }

    /// <summary>Takes a line's token; false (and the line counted as dropped) when the bucket is empty.</summary>
    public bool TryTake()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(Burst, _tokens + (_time.GetElapsedTime(_refilledAt, now).TotalSeconds * LinesPerSecond));
            _refilledAt = now;
            if (_tokens >= 1)
            {
                _tokens--;
                return true;
            }

            _droppedSinceReport++;
            _droppedTotal++;
            return false;
        }
    }

    /// <summary>The lines dropped since the last call, and since the start.</summary>
    public (long SinceLastReport, long Total) TakeDropped()
    {
        lock (_gate)
        {
            var since = _droppedSinceReport;
            _droppedSinceReport = 0;
            return (since, _droppedTotal);
        }
    }
}
