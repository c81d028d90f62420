using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Supervisor.Tests.TestAssets;

/// <summary>Reads a running supervisor's probes and Prometheus scrape over real HTTP.</summary>
internal sealed class MonitoringClient(string address) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };

    public async Task<(HttpStatusCode Status, JsonObject Body)> ProbeAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        return (response.StatusCode, body);
    }

    public async Task<string> ScrapeAsync()
    {
        using var response = await _http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The value of the sample named <paramref name="name"/> whose labels include every one of <paramref name="labels"/>; null when absent.</summary>
    public static double? Sample(string scrape, string name, params string[] labels)
    {
        foreach (var line in scrape.Split('\n'))
        {
            if (!line.StartsWith(name + "{", StringComparison.Ordinal) && !line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                continue;
            }

            var end = line.LastIndexOf(' ');
            var series = line[..end];
            if (labels.All(l => series.Contains(l, StringComparison.Ordinal)))
            {
                return double.Parse(line[(end + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    public void Dispose() => _http.Dispose();
}
