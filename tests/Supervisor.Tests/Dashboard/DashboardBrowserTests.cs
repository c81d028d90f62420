using System.Diagnostics;
using Grpc.Core;
using OpenQA.Selenium;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Dashboard;

/// <summary>The dashboard in a real browser (headless Chromium), against a published supervisor with real plugins.</summary>
[TestClass]
public sealed class DashboardBrowserTests
{
    private static DashboardFixture? _fixture;

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task The_page_loads_from_the_supervisor_alone_and_shows_every_plugin_with_its_instances()
    {
        var fixture = await FixtureAsync();
        fixture.Open();
        var driver = fixture.Browser.Driver;

        var echo = Card(driver, "echo");
        fixture.Browser.Until(_ => echo.FindElements(By.CssSelector("tbody tr")).Count == 2, "echo's two instances");
        var sources = driver.FindElements(By.CssSelector("script[src], link[href]")).Select(e => e.GetAttribute("src") ?? e.GetAttribute("href")).ToList();

        Assert.AreEqual("running", echo.FindElement(By.CssSelector(".state")).Text);
        Assert.AreEqual("v1.0.0", echo.FindElement(By.CssSelector(".version")).Text);
        Assert.AreEqual("running", Card(driver, "chaos").FindElement(By.CssSelector(".state")).Text);
        var pid = echo.FindElement(By.CssSelector("tbody tr .pid")).Text;
        Assert.IsTrue(fixture.Supervisor.PluginPids().Contains(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture)), $"pid {pid} is not one of the supervisor's plugins");
        Assert.IsTrue(sources.Count > 0 && sources.All(s => s!.StartsWith(fixture.Supervisor.MonitoringAddress, StringComparison.Ordinal)), "every script and style comes from the supervisor: " + string.Join(", ", sources));
        Assert.IsFalse(echo.FindElement(By.CssSelector(".restart")).Displayed, "actions show before the token is entered");
    }

    [TestMethod]
    public async Task A_crash_shows_in_the_event_list_and_in_the_restart_count_within_two_seconds()
    {
        var fixture = await FixtureAsync();
        fixture.Open();
        var driver = fixture.Browser.Driver;
        var restartsBefore = RestartsShown(Card(driver, "chaos"));

        var status = await fixture.DispatchAsync("chaos", "crash");
        var crashed = Stopwatch.StartNew();
        fixture.Browser.Until(d => d.FindElements(By.CssSelector("#events li[data-type='EXITED'][data-plugin='chaos']")).Count > 0, "the crash in the event list", TimeSpan.FromSeconds(2));
        fixture.Browser.Until(_ => RestartsShown(Card(driver, "chaos")) > restartsBefore, "chaos's restart count to go up", TimeSpan.FromSeconds(2) - crashed.Elapsed);

        Assert.AreEqual(StatusCode.Aborted, status);
        StringAssert.Contains(driver.FindElement(By.CssSelector("#events li[data-type='EXITED'][data-plugin='chaos']")).Text, "exit code 3");
    }

    [TestMethod]
    public async Task A_roll_started_from_the_page_shows_the_new_version()
    {
        var fixture = await FixtureAsync();
        fixture.Open();
        var driver = fixture.Browser.Driver;
        Unlock(fixture, DashboardFixture.Token);
        var echo = Card(driver, "echo");
        var target = echo.FindElement(By.CssSelector(".version")).Text == "v1.0.0" ? "2.0.0" : "1.0.0";

        echo.FindElement(By.CssSelector(".roll-version")).SendKeys(target);
        echo.FindElement(By.CssSelector(".roll-button")).Click();

        fixture.Browser.Until(_ => Card(driver, "echo").FindElement(By.CssSelector(".version")).Text == "v" + target, $"echo's active version to become {target}");
        fixture.Browser.Until(d => d.FindElements(By.CssSelector("#events li[data-type='ROLL_COMPLETED'][data-plugin='echo']")).Count > 0, "the roll's completion in the event list");
        fixture.Browser.Until(_ => Card(driver, "echo").FindElements(By.CssSelector("tbody .iversion")).All(v => v.Text == target), $"every echo instance on {target}");
    }

    [TestMethod]
    public async Task A_kill_from_the_page_works_with_the_admin_token_and_is_refused_without_it()
    {
        var fixture = await FixtureAsync();
        fixture.Open();
        var driver = fixture.Browser.Driver;
        fixture.Browser.Until(_ => Card(driver, "echo").FindElements(By.CssSelector("tbody tr")).Count == 2, "echo's two instances");
        var victim = Card(driver, "echo").FindElement(By.CssSelector("tbody tr")).GetAttribute("data-instance")!;

        var lockedKill = Card(driver, "echo").FindElement(By.CssSelector("tbody tr .kill")).Displayed;
        var withoutToken = PostKill(driver, victim, token: null);
        var wrongToken = PostKill(driver, victim, token: "not-the-token");
        Unlock(fixture, "not-the-token");
        var refusedNotice = driver.FindElement(By.Id("notice")).Text;
        var stillLocked = !Card(driver, "echo").FindElement(By.CssSelector(".restart")).Displayed;
        var aliveAfterRefusals = Card(driver, "echo").FindElements(By.CssSelector($"tbody tr[data-instance='{victim}']")).Count == 1;

        Unlock(fixture, DashboardFixture.Token);
        fixture.Browser.Until(_ => Card(driver, "echo").FindElement(By.CssSelector($"tbody tr[data-instance='{victim}'] .kill")).Displayed, "the kill button once unlocked");
        Card(driver, "echo").FindElement(By.CssSelector($"tbody tr[data-instance='{victim}'] .kill")).Click();
        var killed = fixture.Browser.Until(d => d.FindElements(By.CssSelector("#events li[data-type='KILLED'][data-plugin='echo']")).FirstOrDefault(e => e.Text.Contains(victim, StringComparison.Ordinal)), "the kill in the event list")!;

        Assert.IsFalse(lockedKill, "the kill button shows without the token");
        Assert.AreEqual(401L, withoutToken);
        Assert.AreEqual(401L, wrongToken);
        StringAssert.Contains(refusedNotice, "refused");
        StringAssert.Contains(refusedNotice, "Unauthenticated");
        Assert.IsTrue(stillLocked, "a wrong token unlocked the actions");
        Assert.IsTrue(aliveAfterRefusals, "the instance went away although every kill was refused");
        StringAssert.Contains(killed.Text, "admin");
    }

    private static async Task<DashboardFixture> FixtureAsync() => _fixture ??= await DashboardFixture.StartAsync();

    private static IWebElement Card(IWebDriver driver, string plugin) => driver.FindElement(By.CssSelector($"article.plugin[data-plugin='{plugin}']"));

    private static int RestartsShown(IWebElement card) =>
        card.FindElements(By.CssSelector("tbody .restarts")).Select(e => int.TryParse(e.Text, out var n) ? n : 0).DefaultIfEmpty(0).Max();

    private static void Unlock(DashboardFixture fixture, string token)
    {
        var driver = fixture.Browser.Driver;
        var notice = driver.FindElement(By.Id("notice"));
        driver.ExecuteScript("arguments[0].textContent = ''", notice);
        var input = driver.FindElement(By.Id("token"));
        input.Clear();
        input.SendKeys(token);
        driver.FindElement(By.CssSelector("#unlock button[type=submit]")).Click();
        fixture.Browser.Until(_ => notice.Text.Length > 0, "the admin API's answer to the token");
    }

    // What the page's own script would send, from the page: the refusal comes from the admin API behind it.
    private static long PostKill(IWebDriver driver, string instance, string? token) =>
        (long)((IJavaScriptExecutor)driver).ExecuteAsyncScript(
            """
            const [instance, token, done] = arguments;
            const headers = { 'Content-Type': 'application/json' };
            if (token) headers.Authorization = 'Bearer ' + token;
            fetch('/api/actions/kill', { method: 'POST', headers, body: JSON.stringify({ plugin: 'echo', instanceId: instance }) }).then(r => done(r.status));
            """,
            instance,
            token!)!;
}
