namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// The supervisor holds the plugin's stdin open for the plugin's whole life. End of file means the
/// supervisor is gone (even SIGKILLed), and the plugin must not outlive it.
/// </summary>
internal static class StdinWatcher
{
    public static void Start(Action onEndOfFile)
    {
        var thread = new Thread(() =>
        {
            try
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (stdin.Read(buffer, 0, buffer.Length) > 0)
                {
                    // The supervisor writes nothing; anything read is ignored.
                }
            }
            catch (IOException)
            {
                // A broken pipe is an end of file too.
            }

            onEndOfFile();
        })
        {
            IsBackground = true,
            Name = "supervisor-stdin-watcher",
        };
        thread.Start();
    }
}
