using System.Globalization;
using System.Text;
using Supervisor.Benchmarks.Measurement;

namespace Supervisor.Benchmarks.Sdks;

/// <summary>The <c>--sdks</c> results: per SDK the medians over the rounds, and each as a ratio to .NET's echo.</summary>
internal sealed record SdkReport(DateTimeOffset StartedAt, int Rounds, int Callers, double WindowSeconds, IReadOnlyList<SdkFigures> Sdks)
{
    public static SdkReport Create(DateTimeOffset startedAt, int rounds, int callers, TimeSpan window, IReadOnlyList<(string Sdk, string Plugin)> published, IReadOnlyDictionary<string, List<SdkComparison.Sample>> samples)
    {
        samples.TryGetValue("dotnet", out var dotnet);
        var figures = new List<SdkFigures>(published.Count);
        foreach (var (sdk, plugin) in published)
        {
            var own = samples[sdk];
            figures.Add(new SdkFigures(
                sdk,
                plugin,
                Median.Of(own.Select(s => s.StartMillis).ToList()),
                Median.Of(own.Select(s => s.RssMb).ToList()),
                Median.Of(own.Select(s => s.RequestsPerSecond).ToList()),
                RatioOf(own, dotnet, s => s.StartMillis),
                RatioOf(own, dotnet, s => s.RssMb),
                RatioOf(own, dotnet, s => s.RequestsPerSecond)));
        }

        return new SdkReport(startedAt, rounds, callers, window.TotalSeconds, figures);
    }

    // The median of per-round ratios: each round's SDKs ran seconds apart, under the same load.
    private static double? RatioOf(List<SdkComparison.Sample> own, List<SdkComparison.Sample>? dotnet, Func<SdkComparison.Sample, double> figure) =>
        dotnet is null ? null : Median.Of(own.Select((sample, round) => figure(sample) / figure(dotnet[round])).ToList());

    public string Format()
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"SDKs: echo samples behind an embedded supervisor, medians of {Rounds} rounds; throughput with {Callers} callers, 1 KiB");
        table.AppendLine("sdk      plugin        start to first reply    idle RSS          throughput");
        foreach (var sdk in Sdks)
        {
            table.AppendLine(CultureInfo.InvariantCulture,
                $"{sdk.Sdk,-8} {sdk.Plugin,-13} {sdk.StartMillis,6:0} ms ({Ratio(sdk.StartRatio)})   {sdk.IdleRssMb,5:0.0} MiB ({Ratio(sdk.RssRatio)})   {sdk.RequestsPerSecond,7:0} rps ({Ratio(sdk.ThroughputRatio)})");
        }

        return table.ToString();
    }

    private static string Ratio(double? ratio) => ratio is { } value ? string.Create(CultureInfo.InvariantCulture, $"x{value:0.00}") : "n/a";
}

/// <summary>One SDK's medians, and their ratios to .NET's echo (null when .NET's echo was not measured).</summary>
internal sealed record SdkFigures(string Sdk, string Plugin, double StartMillis, double IdleRssMb, double RequestsPerSecond, double? StartRatio, double? RssRatio, double? ThroughputRatio);
