namespace Supervisor.Tests.TestAssets;

/// <summary>The host's process table, from /proc: who is whose child, and who is a zombie.</summary>
internal static class ProcTable
{
    public static IReadOnlyList<(int Pid, string Command, char State)> ChildrenOf(int parent)
    {
        var children = new List<(int, string, char)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                // "pid (comm) state ppid ..."; comm may hold spaces, so split after the last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var open = stat.IndexOf('(');
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == parent)
                {
                    children.Add((pid, stat[(open + 1)..close], fields[0][0]));
                }
            }
            catch (IOException)
            {
                // Exited while we looked.
            }
        }

        return children;
    }
}
