using System.Text.Json;
using Grpc.Core;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Host.Monitoring.Dashboard;

/// <summary>
/// <c>POST /api/actions/{verify|kill|restart|roll|rollback}</c> with <c>Authorization: Bearer &lt;admin token&gt;</c>
/// and a JSON body (<c>plugin</c>, <c>instanceId</c>, <c>version</c>, <c>strategy</c>): each is one admin API call,
/// answered <c>{ ok, message }</c> with the admin API's own refusal when there is one.
/// </summary>
internal static class DashboardActions
{
    public static async Task<IResult> RunAsync(string action, HttpContext context, DashboardAdminProxy proxy)
    {
        if (!proxy.Enabled)
        {
            return Answer(StatusCodes.Status403Forbidden, false, "actions are off: the admin API has no Admin:Token (Supervisor:Admin:Token); set one to act from the dashboard");
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Answer(StatusCodes.Status401Unauthorized, false, "enter the admin token (Admin:Token) to act");
        }

        ActionRequest request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, DashboardActionJsonContext.Default.ActionRequest, context.RequestAborted).ConfigureAwait(false) ?? new ActionRequest();
        }
        catch (JsonException ex)
        {
            return Answer(StatusCodes.Status400BadRequest, false, $"the request body is not valid JSON: {ex.Message}");
        }

        var client = proxy.Client;
        var call = DashboardAdminProxy.As(authorization["Bearer ".Length..]);
        try
        {
            var message = action switch
            {
                "verify" => await Verify(client, call).ConfigureAwait(false),
                "kill" => Killed(await client.KillInstanceAsync(new KillInstanceRequest { Plugin = request.Plugin, InstanceId = request.InstanceId }, call).ResponseAsync.ConfigureAwait(false)),
                "restart" => Restarted(await client.RestartPluginAsync(new RestartPluginRequest { Plugin = request.Plugin }, call).ResponseAsync.ConfigureAwait(false)),
                "roll" => Rolled(await client.RollPluginAsync(new RollPluginRequest { Plugin = request.Plugin, Version = request.Version, Strategy = Strategy(request.Strategy) }, call).ResponseAsync.ConfigureAwait(false)),
                "rollback" => Rolled(await client.RollbackPluginAsync(new RollbackPluginRequest { Plugin = request.Plugin }, call).ResponseAsync.ConfigureAwait(false)),
                _ => null,
            };
            return message is null
                ? Answer(StatusCodes.Status404NotFound, false, $"no action '{action}' (verify, kill, restart, roll, rollback)")
                : Answer(StatusCodes.Status200OK, true, message);
        }
        catch (RpcException ex)
        {
            return Answer(HttpStatusOf(ex.StatusCode), false, $"{ex.StatusCode}: {ex.Status.Detail}");
        }
    }

    private static async Task<string> Verify(AdminService.AdminServiceClient client, CallOptions call)
    {
        await client.ListPluginsAsync(new ListPluginsRequest(), call).ResponseAsync.ConfigureAwait(false);
        return "token accepted by the admin API";
    }

    private static string Killed(KillInstanceResponse response) => $"killed {string.Join(", ", response.KilledInstanceIds)}";

    private static string Restarted(RestartPluginResponse response) =>
        response.QuarantineLifted ? "quarantine lifted; starting again" : $"recycling {string.Join(", ", response.RecycledInstanceIds)}";

    private static string Rolled(RollPluginResponse response) =>
        response.NoOp ? response.Message : $"rolling {response.Roll.FromVersion} → {response.Roll.ToVersion} ({response.Roll.Phase})";

    private static RollStrategy Strategy(string? strategy) =>
        string.Equals(strategy, "canary", StringComparison.OrdinalIgnoreCase) ? RollStrategy.Canary : RollStrategy.Immediate;

    private static int HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.InvalidArgument => StatusCodes.Status400BadRequest,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.FailedPrecondition or StatusCode.Aborted or StatusCode.AlreadyExists => StatusCodes.Status409Conflict,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status502BadGateway,
    };

    private static IResult Answer(int status, bool ok, string message) =>
        Results.Json(new ActionAnswer(ok, message), DashboardActionJsonContext.Default.ActionAnswer, statusCode: status);
}
