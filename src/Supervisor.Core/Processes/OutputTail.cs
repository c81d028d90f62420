namespace Supervisor.Processes;

/// <summary>The last lines a plugin wrote to stderr, kept so exit and quarantine reports can say why.</summary>
internal sealed class OutputTail(int capacity)
{
    private readonly Queue<string> _lines = new(capacity);

    public void Add(string line)
    {
        lock (_lines)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line);
        }
    }

    public string Describe()
    {
        lock (_lines)
        {
            return _lines.Count == 0 ? "(no stderr output)" : string.Join(" | ", _lines);
        }
    }
}
