namespace Supervisor.Instances;

/// <summary>An instance is at <c>MaxConcurrency</c> with its queue (<c>QueueLimit</c>) full; the router answers RESOURCE_EXHAUSTED.</summary>
internal sealed class BulkheadRejectedException : Exception
{
    public BulkheadRejectedException()
        : base("the instance's bulkhead and queue are full")
    {
    }
}
