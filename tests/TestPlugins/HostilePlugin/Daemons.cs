using System.Diagnostics;

/// <summary>Processes a plugin leaves behind or grows, started through the shell as a real plugin's helpers would be.</summary>
internal static class Daemons
{
    /// <summary>
    /// Leaves <c>sleep &lt;marker&gt;</c> behind: forked twice, in a session of its own, deaf to SIGHUP and SIGTERM, its
    /// stdin closed, so neither the process group, the tree kill nor the end of stdin reaches it.
    /// </summary>
    public static string Leave(string marker)
    {
        Run($"(trap '' HUP TERM INT; exec setsid sh -c \"trap '' HUP TERM INT; exec sleep {Number(marker)}\" </dev/null >/dev/null 2>&1 &) </dev/null >/dev/null 2>&1");
        return "left sleep " + marker;
    }

    /// <summary>Starts a child that holds <paramref name="megabytes"/> MB in memory: tail keeps a line without a newline whole.</summary>
    public static string Allocate(string megabytes)
    {
        Run($"head -c {Number(megabytes)}M /dev/zero | tail > /dev/null &");
        return "allocating " + megabytes + " MB in a child";
    }

    /// <summary>Tries to start <paramref name="count"/> children at once; says how many the kernel let it have.</summary>
    public static string Spawn(string count)
    {
        var children = new List<Process>();
        for (var i = 0; i < int.Parse(Number(count), System.Globalization.CultureInfo.InvariantCulture); i++)
        {
            try
            {
                children.Add(Process.Start(new ProcessStartInfo("sleep", ["30"]) { RedirectStandardInput = true })!);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // The kernel refused the fork: the limit is reached.
            }
        }

        // A runtime whose whole pid budget its children hold cannot start the thread its reply may need, and dies of it:
        // the bomb's own doing, not the limit's. Freeing a few children leaves it room to answer and to go on serving.
        foreach (var child in children.TakeLast(5))
        {
            child.Kill();
            child.WaitForExit();
        }

        foreach (var child in children)
        {
            child.Dispose();
        }

        return children.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Run(string script)
    {
        using var shell = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", script]) { RedirectStandardInput = true })!;
        shell.StandardInput.Close();
        shell.WaitForExit();
    }

    // Only digits and one dot reach the shell.
    private static string Number(string text) =>
        text.Length is > 0 and < 32 && text.All(c => char.IsAsciiDigit(c) || c == '.') ? text : throw new ArgumentException($"'{text}' is not a number");
}
