using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Supervisor.PluginSdk.Hosting;
using Supervisor.Protocol;
using Supervisor.PluginSdk.Shim;

namespace Supervisor.PluginSdk;

/// <summary>
/// Runs a plugin process: performs the supervisor handshake and serves the plugin's handler over gRPC on the
/// private socket the supervisor chose, until the supervisor shuts it down or goes away.
/// </summary>
public static partial class PluginHost
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> of the <c>handle</c> activity around each handler call.</summary>
    public const string ActivitySourceName = "PluginSupervisor.Sdk";

    /// <summary>Exit code when the plugin was started without the supervisor's handshake.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Exit code when the plugin could not start serving (e.g. the socket could not be bound).</summary>
    public const int StartFailedExitCode = 1;

    /// <summary>Exit code when the plugin's <see cref="IPluginLifecycle.StartAsync"/> hook failed.</summary>
    public const int StartHookFailedExitCode = 3;

    /// <summary>
    /// The least time <see cref="IPluginLifecycle.StopAsync"/> gets before its token is cancelled, whatever the drain's
    /// grace: one second, within the two seconds the supervisor waits for a process to exit after <c>Shutdown</c>.
    /// </summary>
    public static readonly TimeSpan StopHookMinimumGrace = TimeSpan.FromSeconds(1);

    /// <summary>Gets how long in-flight handlers may finish after SIGTERM or SIGINT. Defaults to 5 seconds.</summary>
    public static TimeSpan SignalDrainGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Runs <typeparamref name="TPlugin"/> as a supervised plugin.</summary>
    /// <typeparam name="TPlugin">The plugin: <see cref="IPlugin"/>, <see cref="SynchronousPlugin"/> or <see cref="JsonPlugin{TState}"/>.</typeparam>
    /// <param name="args">The process arguments (unused today; kept for forward compatibility).</param>
    /// <param name="cancellationToken">Stops the plugin as a drain would.</param>
    /// <returns>The process exit code.</returns>
    public static Task<int> RunAsync<TPlugin>(string[] args, CancellationToken cancellationToken = default)
        where TPlugin : IPlugin, new() =>
        RunAsync(args, static _ => new TPlugin(), cancellationToken);

    /// <summary>Runs the plugin that <paramref name="factory"/> creates from the supervisor's context (name, version, settings).</summary>
    /// <param name="args">The process arguments (unused today; kept for forward compatibility).</param>
    /// <param name="factory">Creates the plugin once the handshake has been read.</param>
    /// <param name="cancellationToken">Stops the plugin as a drain would.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(string[] args, Func<PluginContext, IPlugin> factory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var handshake = HandshakeEnvironment.TryRead(Environment.GetEnvironmentVariable, out var error);
        if (handshake is null)
        {
            await Console.Error.WriteLineAsync(UsageMessage(error!)).ConfigureAwait(false);
            return UsageExitCode;
        }

        using var loggerFactory = PluginLogging.Create();
        handshake.Context.LoggerFactory = loggerFactory;
        var plugin = factory(handshake.Context);
        if (plugin is IPluginLifecycle hooks && !await LifecycleHooks.StartAsync(hooks, handshake.Context.Name, cancellationToken).ConfigureAwait(false))
        {
            return StartHookFailedExitCode;
        }

        var logger = loggerFactory.CreateLogger("Supervisor.PluginSdk");
        var inFlight = new InFlightTracker(TimeProvider.System);
        var lifetime = new ShimLifetime(inFlight, new LifecycleHooks(plugin as IPluginLifecycle), TimeProvider.System, loggerFactory.CreateLogger<ShimLifetime>());
        var application = new ShimApplication(
            new BearerTokenCheck(handshake.Token, $"plugin '{handshake.Context.Name}' (it only answers its supervisor)"),
            new PluginServiceEndpoint(plugin, handshake.Context, inFlight, lifetime, loggerFactory.CreateLogger<PluginServiceEndpoint>()),
            new HealthEndpoint(lifetime),
            loggerFactory.CreateLogger<ShimApplication>());
        using var server = ShimServer.Create(handshake.SocketPath, loggerFactory);
        try
        {
            DeleteStaleSocket(handshake.SocketPath);
            await KestrelApplication.StartAsync(server, application, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            LogServeFailed(logger, ex, handshake.Address);
            return StartFailedExitCode;
        }

        // Signals first: a SIGTERM sent as soon as the ready line is read must drain (and run the stop hook), not kill.
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        Console.Out.WriteLine(Handshake.ReadyLine(handshake.Address));
        Console.Out.Flush();

        StdinWatcher.Start(() => lifetime.ExitNow("stdin reached end of file: the supervisor is gone", 0));
        using var cancelled = cancellationToken.Register(() => lifetime.DrainAsync(SignalDrainGrace, "the host cancelled the run"));

        var exitCode = await lifetime.Exited.ConfigureAwait(false);
        using (var stopBudget = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            try
            {
                await server.StopAsync(stopBudget.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Handlers that ignore cancellation cannot hold the exit up.
            }
        }

        DeleteStaleSocket(handshake.SocketPath);
        return exitCode;

        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            _ = lifetime.DrainAsync(SignalDrainGrace, context.Signal.ToString());
        }
    }

    private static void DeleteStaleSocket(string path)
    {
        // Kestrel leaves the socket file behind after SIGKILL, and a stale file makes the next bind fail.
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    private static string UsageMessage(string reason)
    {
        var executable = Path.GetFileName(Environment.ProcessPath) ?? "this program";
        return $"""
            {executable} is a Plugin Supervisor plugin: {reason}.
            It is not meant to be started by hand. Put it under PluginsRoot/<name>/<version>/ with a plugin.json
            and run it through the supervisor (supervisor run --config supervisor.json), which starts it with
            {Handshake.ProtocolVersionVariable}, {Handshake.AddressVariable} and {Handshake.TokenVariable} set.
            See docs/protocol.md for the handshake.
            """;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Could not serve on {Address}")]
    private static partial void LogServeFailed(ILogger logger, Exception exception, string address);
}
