using System.Globalization;
using Google.Protobuf;
using Supervisor.Protocol.Plugin.V1;

namespace Supervisor.Benchmarks.Soak;

/// <summary>
/// Picks what the chaos plugin is asked to do next. Weighted rather than uniform: a hang spins a core until the
/// supervisor kills its process and a crash costs a process start, and on a shared 2-core machine a stream of them
/// would measure CPU starvation rather than the supervisor.
/// </summary>
internal sealed class ChaosEvents
{
    private static readonly (string Name, int Weight)[] Weights =
    [
        ("echo", 4),
        ("sleep", 4),
        ("throw", 3),
        ("block", 2),
        ("crash", 2),
        ("hang", 1),
    ];

    private static readonly int TotalWeight = Weights.Sum(w => w.Weight);
    private readonly SoakSettings _settings;

    public ChaosEvents(SoakSettings settings) => _settings = settings;

    /// <summary>A new event; the caller's deadline for it is drawn separately.</summary>
    public Event Next()
    {
        var pick = Random.Shared.Next(TotalWeight);
        foreach (var (name, weight) in Weights)
        {
            if (pick < weight)
            {
                return name == "sleep" ? Sleep() : new Event { Name = name };
            }

            pick -= weight;
        }

        throw new InvalidOperationException("the chaos weights do not add up");
    }

    /// <summary>A deadline between the settings' bounds, in whole milliseconds (the grpc-timeout header's unit here).</summary>
    public TimeSpan NextDeadline() => TimeSpan.FromMilliseconds(Random.Shared.Next(
        (int)_settings.ChaosMinDeadline.TotalMilliseconds, (int)_settings.ChaosMaxDeadline.TotalMilliseconds + 1));

    // The chaos sample reads the payload as milliseconds in text.
    private Event Sleep()
    {
        var millis = Random.Shared.Next((int)_settings.ChaosMinSleep.TotalMilliseconds, (int)_settings.ChaosMaxSleep.TotalMilliseconds + 1);
        return new Event { Name = "sleep", Payload = ByteString.CopyFromUtf8(millis.ToString(CultureInfo.InvariantCulture)) };
    }
}
