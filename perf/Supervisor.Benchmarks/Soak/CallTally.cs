namespace Supervisor.Benchmarks.Soak;

/// <summary>
/// The callers' outcomes, counted as they come: per plugin and status, echo's per phase, and the first late calls
/// as examples. A lock is cheap at the soak's paced few hundred calls a second.
/// </summary>
internal sealed class CallTally
{
    private const int LateExamples = 10;
    private readonly Lock _gate = new();
    private readonly TimeSpan _lateMargin;
    private readonly SortedDictionary<string, PluginCounts> _plugins = new(StringComparer.Ordinal);
    private readonly long[] _echoCalls = new long[2];
    private readonly long[] _echoOk = new long[2];
    private readonly List<LateCall> _late = [];
    private long _calls;
    private long _lateCount;

    public CallTally(TimeSpan lateMargin) => _lateMargin = lateMargin;

    public void Record(in CallOutcome outcome)
    {
        var late = outcome.IsLate(_lateMargin);
        lock (_gate)
        {
            _calls++;
            if (!_plugins.TryGetValue(outcome.Plugin, out var counts))
            {
                counts = new PluginCounts();
                _plugins.Add(outcome.Plugin, counts);
            }

            counts.Add(outcome, late);
            if (outcome.Plugin == SoakPlugins.Echo)
            {
                _echoCalls[(int)outcome.Phase]++;
                if (outcome.Status == CallOutcome.Ok)
                {
                    _echoOk[(int)outcome.Phase]++;
                }
            }

            if (late)
            {
                _lateCount++;
                if (_late.Count < LateExamples)
                {
                    _late.Add(new LateCall(
                        Math.Round(outcome.StartedAt.TotalSeconds, 1),
                        outcome.Plugin,
                        outcome.EventName,
                        outcome.Status,
                        outcome.Deadline.TotalMilliseconds,
                        Math.Round(outcome.Wall.TotalMilliseconds)));
                }
            }
        }
    }

    /// <summary>Calls so far, and how many of them were late or unanswered.</summary>
    public (long Calls, long Late) Totals()
    {
        lock (_gate)
        {
            return (_calls, _lateCount);
        }
    }

    /// <summary>Echo's calls and OK answers among the calls started in <paramref name="phase"/>.</summary>
    public (long Calls, long Ok) Echo(SoakPhase phase)
    {
        lock (_gate)
        {
            return (_echoCalls[(int)phase], _echoOk[(int)phase]);
        }
    }

    public IReadOnlyDictionary<string, PluginCallFigures> PerPlugin()
    {
        lock (_gate)
        {
            var figures = new SortedDictionary<string, PluginCallFigures>(StringComparer.Ordinal);
            foreach (var (plugin, counts) in _plugins)
            {
                figures.Add(plugin, counts.ToFigures());
            }

            return figures;
        }
    }

    public IReadOnlyList<LateCall> LateExamplesSoFar()
    {
        lock (_gate)
        {
            return [.. _late];
        }
    }

    private sealed class PluginCounts
    {
        private readonly SortedDictionary<string, long> _statuses = new(StringComparer.Ordinal);
        private readonly SortedDictionary<string, string> _firstDetails = new(StringComparer.Ordinal);
        private long _calls;
        private long _late;
        private long _unanswered;
        private TimeSpan _worstPastDeadline = TimeSpan.MinValue;

        public void Add(in CallOutcome outcome, bool late)
        {
            _calls++;
            var status = outcome.Answered ? outcome.Status : "(no answer)";
            _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
            if (outcome.Detail is { Length: > 0 } detail)
            {
                _firstDetails.TryAdd(status, detail);
            }

            if (late)
            {
                _late++;
            }

            if (!outcome.Answered)
            {
                _unanswered++;
            }

            var past = outcome.Wall - outcome.Deadline;
            if (past > _worstPastDeadline)
            {
                _worstPastDeadline = past;
            }
        }

        public PluginCallFigures ToFigures() => new(
            _calls,
            new SortedDictionary<string, long>(_statuses, StringComparer.Ordinal),
            new SortedDictionary<string, string>(_firstDetails, StringComparer.Ordinal),
            _late,
            _unanswered,
            _calls == 0 ? 0 : Math.Round(_worstPastDeadline.TotalMilliseconds));
    }
}
