using System.Security.Cryptography;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Supervisor.Configuration;
using Supervisor.Instances;
using Supervisor.Processes;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Supervision;

/// <summary>
/// Starts one process of a plugin version and takes it through the handshake: the ready line within
/// <c>StartupTimeout</c>, then a <c>Describe</c> call with its token, which proves it answers gRPC and opens the
/// connection the first event will use.
/// </summary>
internal sealed partial class InstanceLauncher(string name, string version, PluginOptions options, string pluginsRoot, LifecycleEmitter events, ILogger logger, TimeProvider time)
{
    /// <summary>Starts a process for <paramref name="slot"/>; <paramref name="register"/> sees it as soon as it runs, before it is ready.</summary>
    /// <returns>The ready instance, or why there is none (with the process that failed, still to be killed, if one started).</returns>
    public async Task<Launch> LaunchAsync(int slot, int restarts, ProcessLauncher processes, Func<PluginInstance, Task> register, CancellationToken stopping)
    {
        var suffix = RandomNumberGenerator.GetHexString(8, lowercase: true);
        var instanceId = $"{name}-{suffix}";
        var manifestPath = PluginManifest.PathOf(pluginsRoot, name, version);
        var token = RandomNumberGenerator.GetHexString(32, lowercase: true);
        PluginProcess process;
        try
        {
            var manifest = PluginManifest.Load(manifestPath);
            CommandPin.Verify(manifest, requireFile: false);
            process = await processes.StartAsync(name, version, instanceId, suffix, manifest, token, options).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is PluginStartException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            LogStartFailed(logger, name, version, instanceId, ex.Message);
            return Launch.Failed(null, instanceId, ex.Message);
        }
        catch (PinnedCommandMismatchException ex)
        {
            // A binary that does not match its pin will not match on the next attempt either: refused, not retried.
            LogStartFailed(logger, name, version, instanceId, ex.Message);
            return new Launch(null, null, instanceId, ex.Message, Refused: true);
        }

        var instance = new PluginInstance(instanceId, version, slot, restarts, process, options, time);
        instance.Ended = register(instance);
        using var scope = logger.BeginScope(process.LogScope);
        events.Emit(LifecycleEventType.Started, instance, string.Empty, $"started from {manifestPath}");
        LogStarted(logger, manifestPath);
        string reason;
        try
        {
            var startupDeadline = process.StartedAt + options.StartupTimeout;
            var address = await process.Ready.WaitAsync(options.StartupTimeout, time, stopping).ConfigureAwait(false);
            instance.Connect(address, token);
            var description = await instance.Client.DescribeAsync(
                new Protocol.Plugin.V1.DescribeRequest(),
                new CallOptions(deadline: startupDeadline.UtcDateTime, cancellationToken: stopping)).ConfigureAwait(false);
            instance.MarkReady();
            var startMs = (time.GetUtcNow() - process.StartedAt).TotalMilliseconds;
            LogReady(logger, startMs, address, description.Sdk, description.SdkVersion);
            return Launch.Ready(instance);
        }
        catch (TimeoutException)
        {
            reason = $"not ready within StartupTimeout ({options.StartupTimeout.TotalMilliseconds:0} ms); stderr: {process.StderrTail}";
        }
        catch (PluginStartException ex)
        {
            reason = ex.Message;
        }
        catch (RpcException ex)
        {
            reason = ex.StatusCode == StatusCode.DeadlineExceeded
                ? $"printed its ready line but did not answer Describe within StartupTimeout ({options.StartupTimeout.TotalMilliseconds:0} ms)"
                : $"printed its ready line but Describe failed: {ex.StatusCode}: {ex.Status.Detail}";
        }
        catch (OperationCanceledException)
        {
            reason = "the supervisor is stopping";
        }
        catch (Exception ex)
        {
            // Whatever went wrong, the process must not be left running unsupervised: the caller kills it.
            reason = $"unexpected {ex.GetType().Name} while starting: {ex.Message}";
        }

        return Launch.Failed(instance, instanceId, reason);
    }

    /// <summary>
    /// What a start attempt gave: a ready instance, or a reason and the process that failed. <c>Refused</c>: the start
    /// can never succeed as things are (a pinned binary that does not match), so quarantine rather than retry.
    /// </summary>
    internal readonly record struct Launch(PluginInstance? Instance, PluginInstance? FailedInstance, string InstanceId, string Failure, bool Refused = false)
    {
        public static Launch Ready(PluginInstance instance) => new(instance, null, instance.Id, string.Empty);

        public static Launch Failed(PluginInstance? instance, string instanceId, string failure) => new(null, instance, instanceId, failure);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started plugin process from {Manifest}")]
    private static partial void LogStarted(ILogger logger, string manifest);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ready in {ElapsedMs:0} ms at {Address} ({Sdk} SDK {SdkVersion})")]
    private static partial void LogReady(ILogger logger, double elapsedMs, string address, string sdk, string sdkVersion);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not start plugin {Plugin} {Version} (instance {InstanceId}): {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string plugin, string version, string instanceId, string reason);
}
