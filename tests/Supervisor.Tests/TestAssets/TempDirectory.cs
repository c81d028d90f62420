namespace Supervisor.Tests.TestAssets;

/// <summary>A fresh folder under /tmp (short, so Unix socket paths fit), removed at dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("sup-").FullName;

        // Passable (never listable) by others, as /run or a plugins folder is: plugins run under uids of their own.
        System.IO.File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A socket file still held by a dying process; /tmp is cleaned eventually.
        }
    }
}
