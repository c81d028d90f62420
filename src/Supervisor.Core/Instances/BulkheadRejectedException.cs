namespace Supervisor.Instances;

/// <summary>An instance's bulkhead turned a call away (queue full, or no chance to finish by the deadline); the router answers RESOURCE_EXHAUSTED.</summary>
internal sealed class BulkheadRejectedException(string why) : Exception(why)
{
}
