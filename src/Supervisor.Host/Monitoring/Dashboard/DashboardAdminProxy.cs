using Grpc.Core;
using Grpc.Net.Client;
using Supervisor.Protocol;
using Supervisor.Protocol.Admin.V1;

namespace Supervisor.Host.Monitoring.Dashboard;

/// <summary>
/// The dashboard's actions, carried out by calling the admin API itself with the token the operator typed: its token
/// check, argument checks and errors are the ones that apply, and the page holds no power the admin API does not grant.
/// Without an <c>Admin:Token</c> the admin API relies on its socket's file mode, which a browser never passes: then the
/// page offers no actions at all.
/// </summary>
internal sealed class DashboardAdminProxy(Func<string> adminAddress, bool tokenConfigured) : IDisposable
{
    private static readonly TimeSpan CallBudget = TimeSpan.FromSeconds(30);
    private readonly Lazy<GrpcChannel> _channel = new(() => SupervisorChannel.Create(adminAddress()));

    /// <summary>Gets whether the page may offer actions (the admin API has a token).</summary>
    public bool Enabled => tokenConfigured;

    /// <summary>Gets a client of the admin API; every call needs <see cref="As"/>'s options.</summary>
    public AdminService.AdminServiceClient Client => new(_channel.Value);

    /// <summary>Call options that present <paramref name="token"/> to the admin API.</summary>
    public static CallOptions As(string token) =>
        new(new Metadata { { "authorization", "Bearer " + token } }, deadline: DateTime.UtcNow.Add(CallBudget));

    public void Dispose()
    {
        if (_channel.IsValueCreated)
        {
            _channel.Value.Dispose();
        }
    }
}
