using Supervisor.PluginSdk;

return await PluginHost.RunAsync(args, context => new ConformancePlugin(context));
