namespace Supervisor.Configuration;

/// <summary>The <c>Supervisor:Admin</c> section: where the admin API listens and who may call it.</summary>
public sealed class AdminOptions
{
    /// <summary>
    /// Gets or sets the listen address: <c>unix:///abs/path.sock</c> (created mode 0600) or <c>http://host:port</c>
    /// (requires <see cref="Token"/>). Defaults to <c>admin.sock</c> in the state directory.
    /// </summary>
    public string? Listen { get; set; }

    /// <summary>The admin listen address in effect: <see cref="Listen"/>, or <c>admin.sock</c> in <paramref name="stateDirectory"/>.</summary>
    /// <param name="stateDirectory">The supervisor's state directory.</param>
    /// <returns>The address to listen on.</returns>
    public string EffectiveListen(string stateDirectory) => Listen ?? "unix://" + Path.Combine(stateDirectory, "admin.sock");

    /// <summary>Gets or sets the largest request message the admin API accepts, in bytes. Defaults to 4 MiB.</summary>
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Gets or sets the bearer token every admin call must carry; required on TCP.</summary>
    public string? Token { get; set; }
}
