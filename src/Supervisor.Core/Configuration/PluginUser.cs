using System.Globalization;

namespace Supervisor.Configuration;

/// <summary>
/// The identity a plugin runs as under the sandbox: a plugin's <c>User</c> (a name from <c>/etc/passwd</c>, a uid,
/// or <c>uid:gid</c>), or an id from <c>Sandbox:UidRange</c>.
/// </summary>
internal readonly record struct PluginUser(uint Uid, uint Gid)
{
    private const string PasswdFile = "/etc/passwd";

    /// <summary>Resolves a <c>User</c> value.</summary>
    public static bool TryResolve(string text, out PluginUser user, out string error)
    {
        user = default;
        error = string.Empty;
        var parts = text.Split(':');
        if (parts.Length == 2
            && TryId(parts[0], out var uid)
            && TryId(parts[1], out var gid))
        {
            user = new PluginUser(uid, gid);
        }
        else if (parts.Length == 1 && TryId(text, out var alone))
        {
            user = new PluginUser(alone, alone);
        }
        else if (parts.Length == 1 && FromPasswd(text) is { } entry)
        {
            user = entry;
        }
        else
        {
            error = $"'{text}' is neither a uid, a uid:gid pair, nor a user in {PasswdFile}";
            return false;
        }

        if (user.Uid == 0 || user.Gid == 0)
        {
            error = $"'{text}' is root (uid or gid 0); a plugin never runs as root under the sandbox";
            return false;
        }

        return true;
    }

    /// <summary>The uids that have an entry in <c>/etc/passwd</c>: ids the range must not hand out.</summary>
    public static HashSet<uint> Taken()
    {
        var taken = new HashSet<uint>();
        foreach (var fields in Entries())
        {
            if (TryId(fields[2], out var uid))
            {
                taken.Add(uid);
            }
        }

        return taken;
    }

    private static PluginUser? FromPasswd(string name)
    {
        foreach (var fields in Entries())
        {
            if (fields[0] == name && TryId(fields[2], out var uid) && TryId(fields[3], out var gid))
            {
                return new PluginUser(uid, gid);
            }
        }

        return null;
    }

    private static IEnumerable<string[]> Entries()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(PasswdFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var line in lines)
        {
            var fields = line.Split(':');
            if (fields.Length >= 4)
            {
                yield return fields;
            }
        }
    }

    private static bool TryId(string text, out uint id) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id < int.MaxValue;

    public override string ToString() => $"{Uid}:{Gid}";
}
