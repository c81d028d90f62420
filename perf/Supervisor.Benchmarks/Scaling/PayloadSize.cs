namespace Supervisor.Benchmarks.Scaling;

/// <summary>
/// One payload size of the payload rounds. A large payload's call takes far longer, so it gets fewer sequential
/// samples and fewer calls in its allocation count, to keep a round's length in proportion.
/// </summary>
internal sealed record PayloadSize(int Bytes, int LatencySamples, int AllocationCalls);
