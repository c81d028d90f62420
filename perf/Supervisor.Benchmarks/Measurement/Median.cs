namespace Supervisor.Benchmarks.Measurement;

/// <summary>The median across rounds: robust to the odd round a noisy neighbour spoils, unlike the mean.</summary>
internal static class Median
{
    public static double Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("no values", nameof(values));
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
