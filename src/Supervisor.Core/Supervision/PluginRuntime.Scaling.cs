namespace Supervisor.Supervision;

/// <summary>Slots added and removed while the version runs: the plugin scaled up or down.</summary>
internal sealed partial class PluginRuntime
{
    private int _nextSlot;

    /// <summary>
    /// Adds or removes slots until there are <paramref name="instances"/>. New slots start their instance at once; a
    /// removed slot's start in progress is cancelled, and its running instance drains (up to <c>DrainTimeout</c>) and stops.
    /// </summary>
    /// <returns>A task that completes when every added slot has made its first start attempt.</returns>
    public Task ScaleAsync(int instances)
    {
        var firstAttempts = new List<Task>();
        var removed = new List<SlotSupervisor>();
        lock (_gate)
        {
            if (IsStopping)
            {
                return Task.CompletedTask;
            }

            while (_slots.Count < instances)
            {
                var slot = new SlotSupervisor(this, NextSlotIndex());
                _slots.Add(slot);
                if (_processes is not null)
                {
                    firstAttempts.Add(RunSlot(slot));
                }
            }

            // The newest slots go first: the oldest instances have warmed up the longest.
            while (_slots.Count > instances)
            {
                removed.Add(_slots[^1]);
                _slots.RemoveAt(_slots.Count - 1);
            }
        }

        foreach (var slot in removed)
        {
            slot.Remove();
        }

        Pool.Signal();
        return Task.WhenAll(firstAttempts);
    }

    // Slot numbers are never reused: a removed slot's instance may still be draining under its number.
    private int NextSlotIndex() => _nextSlot++;

    /// <summary>Starts a slot's supervision loop; the caller holds <c>_gate</c>.</summary>
    /// <returns>A task that completes when the slot has made its first start attempt.</returns>
    private Task RunSlot(SlotSupervisor slot)
    {
        var firstAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The loop outlives the call that started it (a reload, an admin call): it must not carry that call's log scope.
        var flow = ExecutionContext.IsFlowSuppressed() ? (AsyncFlowControl?)null : ExecutionContext.SuppressFlow();
        try
        {
            _slotLoops.Add(Task.Run(() => slot.RunAsync(firstAttempt), CancellationToken.None));
        }
        finally
        {
            flow?.Undo();
        }

        return firstAttempt.Task;
    }
}
