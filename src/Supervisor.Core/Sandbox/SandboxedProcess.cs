namespace Supervisor.Sandbox;

/// <summary>Finds the plugin inside a bubblewrap sandbox: bwrap forks its own init, which forks the plugin.</summary>
internal static class SandboxedProcess
{
    /// <summary>The host pid of the first process below <paramref name="leader"/> that is not bwrap; the leader when there is none yet.</summary>
    public static int Find(int leader)
    {
        var pid = leader;
        for (var depth = 0; depth < 4 && Command(pid) == "bwrap"; depth++)
        {
            if (FirstChild(pid) is not { } child)
            {
                return leader;
            }

            pid = child;
        }

        return pid;
    }

    private static string? Command(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int? FirstChild(int pid)
    {
        try
        {
            var children = File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return children.Length > 0 && int.TryParse(children[0], out var child) ? child : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
