using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Supervisor.Tests.TestAssets;

/// <summary>
/// Debian's <c>chromium</c> driven through its <c>chromium-driver</c> with Selenium WebDriver, headless, with a fresh
/// profile and nothing that reaches the network on its own. Where either is missing, the test is Inconclusive
/// with the reason (<c>.ci/run</c> installs both).
/// </summary>
internal sealed class HeadlessChromium : IDisposable
{
    private const string BrowserPath = "/usr/bin/chromium";
    private const string DriverPath = "/usr/bin/chromedriver";
    private readonly TempDirectory _profile = new();

    private HeadlessChromium()
    {
        var options = new ChromeOptions { BinaryLocation = BrowserPath };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1440,1000",
            "--user-data-dir=" + _profile.File("profile"));
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        Driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    public ChromeDriver Driver { get; }

    /// <summary>Starts the browser, or marks the test Inconclusive saying what is missing.</summary>
    public static HeadlessChromium Start()
    {
        foreach (var (path, package) in new[] { (BrowserPath, "chromium"), (DriverPath, "chromium-driver") })
        {
            if (!File.Exists(path))
            {
                Assert.Inconclusive($"{path} is missing: browser tests need Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver; .ci/run installs them). Package: {package}");
            }
        }

        return new HeadlessChromium();
    }

    /// <summary>Waits until <paramref name="condition"/> holds, failing with <paramref name="what"/> and the page's state.</summary>
    public T Until<T>(Func<IWebDriver, T> condition, string what, TimeSpan? timeout = null)
    {
        var wait = new WebDriverWait(Driver, timeout ?? Wait.Default) { PollingInterval = TimeSpan.FromMilliseconds(50) };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        try
        {
            return wait.Until(condition);
        }
        catch (WebDriverTimeoutException)
        {
            Assert.Fail($"Timed out waiting for {what}; the page shows:\n{Driver.FindElement(By.TagName("body")).Text}");
            throw;
        }
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        _profile.Dispose();
    }
}
