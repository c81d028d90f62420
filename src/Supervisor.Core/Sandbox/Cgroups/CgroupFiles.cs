using System.Globalization;

namespace Supervisor.Sandbox.Cgroups;

/// <summary>Reads and writes cgroup interface files, which take one short write each.</summary>
internal static class CgroupFiles
{
    public static void Write(string directory, string file, string value) =>
        File.WriteAllText(Path.Combine(directory, file), value);

    public static bool Exists(string directory, string file) => File.Exists(Path.Combine(directory, file));

    public static string? Read(string directory, string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine(directory, file));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static long? ReadNumber(string directory, string file) =>
        Read(directory, file) is { } text && long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>The value of <paramref name="key"/> in a flat keyed file (<c>cpu.stat</c>, <c>memory.events</c>).</summary>
    public static long? ReadKeyed(string directory, string file, string key)
    {
        if (Read(directory, file) is not { } text)
        {
            return null;
        }

        foreach (var line in text.Split('\n'))
        {
            var space = line.IndexOf(' ');
            if (space > 0 && line.AsSpan(0, space).SequenceEqual(key)
                && long.TryParse(line.AsSpan(space + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The processes in the group (<c>cgroup.procs</c>); empty when the group is gone.</summary>
    public static IReadOnlyList<int> Processes(string directory)
    {
        var pids = new List<int>();
        if (Read(directory, "cgroup.procs") is { } text)
        {
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    pids.Add(pid);
                }
            }
        }

        return pids;
    }
}
