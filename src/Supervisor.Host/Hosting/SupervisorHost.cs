using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Supervisor.Configuration;
using Supervisor.Host.Admin;
using Supervisor.Protocol;
using Supervisor.Host.Events;
using Supervisor.Host.Monitoring;
using Supervisor.Host.Monitoring.Dashboard;
using Supervisor.Host.Telemetry;

namespace Supervisor.Host.Hosting;

/// <summary>
/// <c>supervisor run</c>: loads the configuration, starts the plugins, serves the events and admin APIs, and on
/// SIGTERM or SIGINT stops taking events, drains, shuts the plugins down and exits 0.
/// </summary>
internal sealed partial class SupervisorHost
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;

    public SupervisorHost(ILoggerFactory loggerFactory)
    {
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Supervisor.Host");
    }

    /// <summary>Runs until a shutdown signal arrives or <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task<int> RunAsync(string configPath, CancellationToken cancellationToken)
    {
        SupervisorOptions options;
        try
        {
            options = SupervisorConfiguration.Load(configPath);
        }
        catch (SupervisorConfigurationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.ConfigurationError;
        }

        try
        {
            // Owner only: it holds the admin socket, the generated admin token and the plugins' uids.
            Directory.CreateDirectory(options.StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogStateDirectoryFailed(_logger, options.StateDirectory, ex.Message);
            return ExitCodes.Failure;
        }

        var eventsAddress = ListenAddress.Parse(options.Events.Listen);
        var adminAddress = ListenAddress.Parse(options.Admin.EffectiveListen(options.StateDirectory));
        var monitoringAddress = options.Monitoring.Enabled ? ListenAddress.Parse(options.Monitoring.Listen) : null;
        IReadOnlyCollection<string> plugins = [.. options.Plugins.Keys];

        // The admin API always takes a token: a plugin sharing the supervisor's uid could otherwise call it. Without a
        // configured one on a Unix socket, a fresh one goes into a 0600 file beside it, where supervisorctl finds it.
        var adminToken = options.Admin.Token;
        string? generatedTokenFile = null;
        if (string.IsNullOrEmpty(adminToken))
        {
            // The validator refuses a TCP admin listener without a token: this is a Unix socket.
            (adminToken, generatedTokenFile) = (RandomNumberGenerator.GetHexString(64, lowercase: true), AdminTokenFile.PathFor(adminAddress.SocketPath!));
            try
            {
                WriteOwnerOnly(generatedTokenFile, adminToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogTokenFileFailed(_logger, generatedTokenFile, ex.Message);
                return ExitCodes.Failure;
            }
        }

        // Nothing a plugin could use against the supervisor or a sibling is visible in its mount namespace; a reloaded
        // configuration gets the same, or it would differ from the running one in a key that needs a restart.
        string[] hidden = [.. new[] { adminAddress.SocketPath, generatedTokenFile, eventsAddress.SocketPath }.OfType<string>()];
        void HideFromPlugins(SupervisorOptions o) => o.Sandbox.HiddenPaths.AddRange(hidden);
        HideFromPlugins(options);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        // Before the supervisor, so that its meter has a listener from the first instrument on.
        using var telemetry = TelemetryPipeline.Create(prometheus: monitoringAddress is not null);
        await using var supervisor = new PluginSupervisor(options, _loggerFactory);
        using var reloader = new ConfigurationReloader(supervisor, configPath, HideFromPlugins, _loggerFactory.CreateLogger("Supervisor.Configuration"));
        var events = GrpcListener.Build(
            $"{SupervisorOptions.SectionName}:Events:Listen",
            eventsAddress,
            supervisor,
            plugins,
            _loggerFactory,
            grpc => grpc.MaxReceiveMessageSize = options.Events.MaxMessageBytes,
            limits => EventsTransport.Configure(limits, options.Events),
            _ => { },
            app => app.MapGrpcService<EventServiceEndpoint>());
        var admin = GrpcListener.Build(
            $"{SupervisorOptions.SectionName}:Admin:Listen",
            adminAddress,
            supervisor,
            plugins,
            _loggerFactory,
            grpc =>
            {
                grpc.MaxReceiveMessageSize = options.Admin.MaxMessageBytes;
                grpc.Interceptors.Add<BearerTokenInterceptor>(adminToken, generatedTokenFile is null ? "the admin API (Admin:Token)" : $"the admin API (the token in {generatedTokenFile})");
            },
            _ => { },
            services => services.AddSingleton(reloader),
            app => app.MapGrpcService<AdminServiceEndpoint>());

        // The dashboard acts through the admin API itself, at the address it is bound to once started.
        using var dashboardAdmin = new DashboardAdminProxy(() => GrpcListener.BoundAddress(admin, adminAddress), !string.IsNullOrEmpty(options.Admin.Token));
        var monitoring = monitoringAddress is null ? null : MonitoringListener.Build(monitoringAddress, supervisor, plugins, telemetry.Meters, dashboardAdmin, _loggerFactory);

        try
        {
            // Listeners first: an address in use fails the start before any plugin is spawned. Events that arrive
            // while plugins start are answered UNAVAILABLE, which callers retry.
            await events.StartAsync(stop.Token).ConfigureAwait(false);
            await admin.StartAsync(stop.Token).ConfigureAwait(false);
            GrpcListener.RestrictToOwner(adminAddress);
            if (monitoring is not null)
            {
                await monitoring.StartAsync(stop.Token).ConfigureAwait(false);
            }

            await supervisor.StartAsync(stop.Token).ConfigureAwait(false);
            reloader.Start();
        }
        catch (IOException ex)
        {
            LogListenFailed(_logger, ex.Message);
            await supervisor.StopAsync(CancellationToken.None).ConfigureAwait(false);
            DeleteQuietly(generatedTokenFile);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // A signal during start: fall through to the orderly shutdown.
        }
        catch (SupervisorConfigurationException ex)
        {
            // Sandbox:Mode required on a host that cannot give some plugin its whole sandbox.
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            await supervisor.StopAsync(CancellationToken.None).ConfigureAwait(false);
            DeleteQuietly(generatedTokenFile);
            return ExitCodes.ConfigurationError;
        }

        LogListening(
            _logger,
            GrpcListener.BoundAddress(events, eventsAddress),
            GrpcListener.BoundAddress(admin, adminAddress),
            generatedTokenFile ?? "Admin:Token",
            monitoring is null ? "off" : GrpcListener.BoundAddress(monitoring, monitoringAddress!));
        if (telemetry.ExportsOtlp)
        {
            LogOtlp(_logger);
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutdown requested.
        }

        // Plugins first: new events are refused with UNAVAILABLE while in-flight ones finish.
        reloader.Dispose();
        await supervisor.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await StopQuietlyAsync(events).ConfigureAwait(false);
        await StopQuietlyAsync(admin).ConfigureAwait(false);
        await events.DisposeAsync().ConfigureAwait(false);
        await admin.DisposeAsync().ConfigureAwait(false);
        if (monitoring is not null)
        {
            // Last: probes and the scrape answer (not ready) for as long as the drain lasts.
            await StopQuietlyAsync(monitoring).ConfigureAwait(false);
            await monitoring.DisposeAsync().ConfigureAwait(false);
        }

        DeleteQuietly(generatedTokenFile);
        LogExited(_logger);
        return ExitCodes.Success;

        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            LogSignal(_logger, context.Signal.ToString());
            stop.Cancel();
        }
    }

    private static void WriteOwnerOnly(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });

        // An existing file keeps its mode through FileMode.Create: set it again.
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        file.Write(System.Text.Encoding.ASCII.GetBytes(text));
    }

    private static void DeleteQuietly(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The token is regenerated at every start; a stale file opens nothing.
        }
    }

    private static async Task StopQuietlyAsync(WebApplication app)
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await app.StopAsync(budget.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Connections still open after the budget are closed by disposal.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Supervisor ready: events API on {Events}, admin API on {Admin} (token: {TokenSource}), probes and metrics on {Monitoring}")]
    private static partial void LogListening(ILogger logger, string events, string admin, string tokenSource, string monitoring);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot write the admin token file {Path}: {Reason}")]
    private static partial void LogTokenFileFailed(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Exporting metrics and traces over OTLP (OTEL_EXPORTER_OTLP_ENDPOINT is set)")]
    private static partial void LogOtlp(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Could not create the state directory {StateDirectory} (Supervisor:StateDirectory): {Reason}")]
    private static partial void LogStateDirectoryFailed(ILogger logger, string stateDirectory, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Could not listen: {Reason}")]
    private static partial void LogListenFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Signal} received: shutting down")]
    private static partial void LogSignal(ILogger logger, string signal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Supervisor exited cleanly")]
    private static partial void LogExited(ILogger logger);
}
