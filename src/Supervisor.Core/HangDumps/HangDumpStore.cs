using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.HangDumps;

/// <summary>
/// Keeps hang dumps in <c>StateDirectory/diagnostics/</c> as readable text files (a header of <c>key: value</c> lines,
/// a blank line, the stacks), at most <see cref="MaxFiles"/> of them and <see cref="MaxTotalBytes"/> in all: the
/// oldest go first.
/// </summary>
internal sealed class HangDumpStore(string directory)
{
    public const int MaxFiles = 50;
    public const long MaxTotalBytes = 20L * 1024 * 1024;
    private const string Extension = ".txt";
    private readonly Lock _gate = new();

    /// <summary>Gets the folder the dumps are kept in.</summary>
    public string Directory => directory;

    /// <summary>Writes a dump and trims the folder to its bounds.</summary>
    /// <returns>The file written.</returns>
    /// <exception cref="IOException">The folder or the file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the file cannot be written.</exception>
    public string Save(HangDump dump)
    {
        lock (_gate)
        {
            System.IO.Directory.CreateDirectory(directory);
            var stamp = dump.CapturedAt.ToDateTime().ToString("yyyyMMdd'T'HHmmss.fffffff'Z'", CultureInfo.InvariantCulture);
            var path = Path.Combine(directory, $"{stamp}_{dump.InstanceId}{Extension}");
            File.WriteAllText(path, Format(dump));
            Trim();
            return path;
        }
    }

    /// <summary>The latest dump of <paramref name="plugin"/> (of one instance when <paramref name="instanceId"/> is not empty).</summary>
    /// <returns>The dump, or <see langword="null"/> when none is kept.</returns>
    public HangDump? Latest(string plugin, string instanceId)
    {
        foreach (var file in NewestFirst())
        {
            string content;
            try
            {
                content = File.ReadAllText(file.FullName);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Removed by a trim in between, or unreadable: look at the next one.
                continue;
            }

            var dump = Parse(content, file.FullName);
            if (string.Equals(dump.Plugin, plugin, StringComparison.OrdinalIgnoreCase) && (instanceId.Length == 0 || dump.InstanceId == instanceId))
            {
                return dump;
            }
        }

        return null;
    }

    internal static string Format(HangDump dump)
    {
        var text = new StringBuilder()
            .Append("plugin: ").Append(dump.Plugin).Append('\n')
            .Append("version: ").Append(dump.Version).Append('\n')
            .Append("instance: ").Append(dump.InstanceId).Append('\n')
            .Append("pid: ").Append(dump.Pid.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("captured-at: ").Append(dump.CapturedAt.ToDateTime().ToString("O", CultureInfo.InvariantCulture)).Append('\n')
            .Append("method: ").Append(dump.Method).Append('\n')
            .Append("took-ms: ").Append(dump.Took.ToTimeSpan().TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)).Append('\n');
        if (dump.Error.Length > 0)
        {
            text.Append("error: ").Append(dump.Error.ReplaceLineEndings(" ")).Append('\n');
        }

        return text.Append('\n').Append(dump.Text).ToString();
    }

    internal static HangDump Parse(string content, string path)
    {
        var dump = new HangDump { Path = path };
        var end = content.IndexOf("\n\n", StringComparison.Ordinal);
        var header = end < 0 ? content : content[..end];
        dump.Text = end < 0 ? string.Empty : content[(end + 2)..];
        foreach (var line in header.Split('\n'))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var value = line[(colon + 2)..];
            switch (line[..colon])
            {
                case "plugin": dump.Plugin = value; break;
                case "version": dump.Version = value; break;
                case "instance": dump.InstanceId = value; break;
                case "pid": dump.Pid = int.TryParse(value, CultureInfo.InvariantCulture, out var pid) ? pid : 0; break;
                case "captured-at" when DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at):
                    dump.CapturedAt = Timestamp.FromDateTimeOffset(at);
                    break;
                case "method": dump.Method = value; break;
                case "took-ms" when double.TryParse(value, CultureInfo.InvariantCulture, out var ms):
                    dump.Took = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(ms));
                    break;
                case "error": dump.Error = value; break;
            }
        }

        return dump;
    }

    private FileInfo[] NewestFirst()
    {
        var info = new DirectoryInfo(directory);
        if (!info.Exists)
        {
            return [];
        }

        // The names start with the capture time in a sortable form.
        var files = info.GetFiles("*" + Extension);
        Array.Sort(files, static (a, b) => string.CompareOrdinal(b.Name, a.Name));
        return files;
    }

    private void Trim()
    {
        var files = NewestFirst();
        long total = 0;
        for (var i = 0; i < files.Length; i++)
        {
            total += files[i].Length;

            // The newest is always kept, whatever its size: it is the one an operator is about to ask for.
            if (i > 0 && (i >= MaxFiles || total > MaxTotalBytes))
            {
                try
                {
                    files[i].Delete();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Gone already, or not ours to remove: the next trim tries again.
                }
            }
        }
    }
}
