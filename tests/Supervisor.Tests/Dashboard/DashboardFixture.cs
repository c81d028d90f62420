using System.Text.Json.Nodes;
using Grpc.Core;
using Supervisor.Protocol;
using Supervisor.Protocol.Events.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Dashboard;

/// <summary>One published supervisor (echo 1.0.0 with 2.0.0 beside it, and chaos) and one headless Chromium, shared by the browser tests.</summary>
internal sealed class DashboardFixture : IAsyncDisposable
{
    public const string Token = "dashboard-token";
    private readonly TempDirectory _directory;
    private readonly HeadlessChromium _browser;
    private readonly Grpc.Net.Client.GrpcChannel _events;

    private DashboardFixture(TempDirectory directory, SupervisorProcess supervisor, HeadlessChromium browser)
    {
        _directory = directory;
        Supervisor = supervisor;
        _browser = browser;
        _events = SupervisorChannel.Create(supervisor.EventsAddress);
    }

    public SupervisorProcess Supervisor { get; }

    public HeadlessChromium Browser => _browser;

    public static async Task<DashboardFixture> StartAsync()
    {
        var browser = HeadlessChromium.Start();
        Repository.RequireArtifacts();
        var directory = new TempDirectory();
        var echo = SupervisorConfig.Plugin("1.0.0", instances: 2);
        echo["Canary"] = new JsonObject { ["Steps"] = new JsonArray(25, 50), ["Interval"] = "00:00:20", ["MinCalls"] = 1 };
        var config = SupervisorConfig.Create(directory, new JsonObject { ["echo"] = echo, ["chaos"] = SupervisorConfig.Plugin("1.0.0") });
        config["Supervisor"]!["Admin"]!["Token"] = Token;
        var supervisor = await SupervisorProcess.StartAsync(SupervisorConfig.Write(directory, config));
        return new DashboardFixture(directory, supervisor, browser);
    }

    /// <summary>Opens the dashboard afresh (locked: the token lives in the tab's session) and waits for its live feed.</summary>
    public void Open()
    {
        _browser.Driver.Navigate().GoToUrl(Supervisor.MonitoringAddress + "/");
        _browser.Driver.ExecuteScript("sessionStorage.clear()");
        _browser.Driver.Navigate().Refresh();
        _browser.Until(d => d.FindElement(OpenQA.Selenium.By.Id("connection")).Text == "live", "the page's live feed");
        _browser.Until(d => d.FindElements(OpenQA.Selenium.By.CssSelector("article.plugin")).Count == 2, "both plugins on the page");
    }

    public async Task<StatusCode> DispatchAsync(string plugin, string name, string payload = "")
    {
        try
        {
            await new EventService.EventServiceClient(_events).DispatchAsync(new DispatchRequest { Plugin = plugin, Event = TestEvents.Create(name, payload) }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync;
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _browser.Dispose();
        _events.Dispose();
        await Supervisor.DisposeAsync();
        _directory.Dispose();
    }
}
