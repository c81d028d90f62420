using Supervisor.PluginSdk;
using SupervisorPlugin1;

// The supervisor starts this process with its handshake; started by hand, it says so and exits with 2.
return await PluginHost.RunAsync<Handler>(args);
