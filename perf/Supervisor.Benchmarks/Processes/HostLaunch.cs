namespace Supervisor.Benchmarks.Processes;

/// <summary>A host configuration written and ready to run: its folder, its file, and the events API's Unix socket.</summary>
internal sealed record HostLaunch(string Directory, string ConfigPath, string EventsSocket)
{
    public string EventsAddress => "unix://" + EventsSocket;
}
